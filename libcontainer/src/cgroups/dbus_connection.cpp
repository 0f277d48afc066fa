#include "cgroups/dbus_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "nucleus/log.hpp"

namespace nucleus::cgroups::dbus {

namespace {

// The SASL EXTERNAL identity: the uid in decimal, hex-encoded.
std::string hex_uid() {
  std::string out;
  for (char c : std::to_string(::geteuid())) out += fmt::format("{:02x}", static_cast<unsigned>(c));
  return out;
}

int remaining_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

}  // namespace

Result<Connection> Connection::open(const std::filesystem::path& socket_path, Deadline deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.native().size() >= sizeof(addr.sun_path))
    return fail(fmt::format("D-Bus socket path \"{}\" is too long", socket_path.native()));
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.native().size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("create a unix socket for D-Bus");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
    return fail_errno(fmt::format("connect to \"{}\"", socket_path.native()));
  return over(std::move(fd), deadline);
}

Result<Connection> Connection::over(UniqueFd fd, Deadline deadline) {
  Connection c(std::move(fd));
  TRY_VOID(c.authenticate(deadline));
  return c;
}

// BEGIN goes with AUTH, as sd-bus's own clients (systemctl) send it. Sent
// after OK, it could reach systemd (sd-bus 252) in one read with the first
// call, which then sat in its auth buffer unseen until the call timed out.
Result<void> Connection::authenticate(Deadline deadline) {
  TRY_VOID(send_all(std::string(1, '\0') + "AUTH EXTERNAL " + hex_uid() + "\r\nBEGIN\r\n"));
  auto line = TRY(read_line(deadline));
  if (!line.starts_with("OK ")) return fail(fmt::format("D-Bus authentication refused: \"{}\"", line));
  return {};
}

Result<void> Connection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("write to the D-Bus socket");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> Connection::read_more(Deadline deadline) {
  pollfd p{fd_.get(), POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail_errno("wait for the D-Bus socket");
    if (r == 0) return fail("timed out waiting for an answer over D-Bus", ETIMEDOUT);
    break;
  }
  char buf[8192];
  ssize_t n;
  do n = ::read(fd_.get(), buf, sizeof(buf));
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("read from the D-Bus socket");
  if (n == 0) return fail("the D-Bus peer closed the connection", ECONNRESET);
  in_.append(buf, static_cast<std::size_t>(n));
  return {};
}

Result<std::string> Connection::read_line(Deadline deadline) {
  std::size_t end;
  while ((end = in_.find("\r\n")) == std::string::npos) {
    if (in_.size() > 4096) return fail("D-Bus authentication: answer line too long");
    TRY_VOID(read_more(deadline));
  }
  std::string line = in_.substr(0, end);
  in_.erase(0, end + 2);
  return line;
}

Result<Message> Connection::receive(Deadline deadline) {
  for (;;) {
    const std::size_t size = TRY(message_size(in_));
    if (size != 0 && in_.size() >= size) {
      auto m = decode(std::string_view(in_).substr(0, size));
      in_.erase(0, size);
      if (m) log::debug("D-Bus: received type {} {}.{} {} ({})", static_cast<int>(m->type), m->interface,
                        m->member, m->path, m->error_name);
      return m;
    }
    TRY_VOID(read_more(deadline));
  }
}

Result<Message> Connection::call(Message m, Deadline deadline) {
  m.type = MessageType::method_call;
  m.serial = ++serial_;
  log::debug("D-Bus: call {}.{} #{}", m.interface, m.member, m.serial);
  TRY_VOID(send_all(encode(m)));
  for (;;) {
    Message in = TRY(receive(deadline));
    if (in.type == MessageType::signal) {
      signals_.push_back(std::move(in));
    } else if (in.reply_serial == m.serial) {
      return in;
    }  // else: a reply to nothing we are waiting for (a call we gave up on)
  }
}

Result<Message> Connection::wait_signal(const std::function<bool(const Message&)>& match, Deadline deadline) {
  auto kept = std::find_if(signals_.begin(), signals_.end(), match);
  if (kept != signals_.end()) {
    Message m = std::move(*kept);
    signals_.erase(kept);
    return m;
  }
  for (;;) {
    Message in = TRY(receive(deadline));
    if (in.type == MessageType::signal && match(in)) return in;
  }
}

}  // namespace nucleus::cgroups::dbus
