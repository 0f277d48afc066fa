// The typed channel between the runtime (parent) and the container's init
// (child) during create: one SOCK_SEQPACKET socketpair, one message per
// datagram, an optional fd riding along with SCM_RIGHTS.
//
// The conversation, in order (child -> parent unless marked):
//   proceed            parent: the cgroup is joined (and the maps of a user
//                      namespace made by clone3 are written)
//   need_id_maps       the child unshared a user namespace: write its maps
//   id_maps_written    parent
//   init_pid           an intermediate child forked the real init (value = pid)
//   run_create_hooks   mounts are done: run prestart + createRuntime hooks
//   create_hooks_done  parent
//   console_fd         the pty master (fd attached)
//   seccomp_listener   the seccomp filter's listener fd (attached), for the
//                      agent at linux.seccomp.listenerPath
//   seccomp_listener_passed  parent: the agent has it
//   ready              the init is about to block on the exec FIFO
//   error              the child failed (err + text); it exits right after
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

enum class SyncType : std::uint32_t {
  proceed = 1,
  need_id_maps,
  id_maps_written,
  init_pid,
  run_create_hooks,
  create_hooks_done,
  console_fd,
  ready,
  error,
  seccomp_listener,
  seccomp_listener_passed,
  debug_line,  // child: a --debug line (a step and how long it took) for the runtime's log
};

std::string_view to_string(SyncType type);

struct SyncMessage {
  SyncType type = SyncType::error;
  std::int32_t err = 0;     // errno of an error message
  std::int64_t value = 0;   // e.g. a pid
  std::string text;         // the message of an error
  UniqueFd fd;              // console_fd, seccomp_listener
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}

  // Both ends, close-on-exec: {parent end, child end}.
  static Result<std::pair<SyncChannel, SyncChannel>> make_pair();

  Result<void> send(SyncType type, std::int64_t value = 0) const;
  Result<void> send_fd(SyncType type, int fd) const;
  // Hands an error to the other side, which reports it as its own.
  Result<void> send_error(const Error& error) const;
  Result<void> send_text(SyncType type, std::string_view text) const;

  // The next message. The peer closing its end (it exited or exec'd) is an
  // error naming `peer`.
  Result<SyncMessage> receive() const;
  // The next message must be `type`; an error message becomes this call's
  // error, anything else is a protocol error.
  Result<SyncMessage> expect(SyncType type) const;

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  Result<void> send_raw(SyncType type, std::int32_t err, std::int64_t value,
                        std::string_view text, int fd) const;
  UniqueFd fd_;
};

// The Error a received error message stands for.
Error to_error(const SyncMessage& message);

}  // namespace nucleus::init
