// A peer-to-peer D-Bus connection over a unix socket: systemd's private
// socket, which systemctl also uses as root. No bus daemon is involved, so
// there is no Hello and no match rule: systemd sends its signals to every
// direct connection unconditionally (src/core/dbus.c, bus_foreach_bus).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cgroups/dbus_message.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups::dbus {

using Deadline = std::chrono::steady_clock::time_point;

class Connection {
 public:
  // Connect and authenticate (SASL EXTERNAL, as this process's uid).
  static Result<Connection> open(const std::filesystem::path& socket, Deadline deadline);
  // A connection over an fd already connected (tests use a socketpair).
  static Result<Connection> over(UniqueFd fd, Deadline deadline);

  // Send a method call (its serial is set here) and wait for the reply or
  // error to it; signals that arrive meanwhile are kept for wait_signal.
  Result<Message> call(Message m, Deadline deadline);
  // The first signal, kept or new, that match accepts.
  Result<Message> wait_signal(const std::function<bool(const Message&)>& match, Deadline deadline);

 private:
  explicit Connection(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<void> authenticate(Deadline deadline);
  Result<void> send_all(std::string_view bytes);
  Result<void> read_more(Deadline deadline);
  Result<std::string> read_line(Deadline deadline);
  Result<Message> receive(Deadline deadline);

  UniqueFd fd_;
  std::uint32_t serial_ = 0;
  std::string in_;
  std::vector<Message> signals_;
};

}  // namespace nucleus::cgroups::dbus
