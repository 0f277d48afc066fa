#include "init/sync.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "state/console_socket.hpp"

namespace nucleus::init {

namespace {

struct Header {
  std::uint32_t type;
  std::int32_t err;
  std::int64_t value;
  std::uint32_t text_len;
  std::uint32_t reserved;
};

// Error texts are short; a bound keeps every message in one datagram.
constexpr std::size_t kMaxText = 8192;

}  // namespace

std::string_view to_string(SyncType type) {
  switch (type) {
    case SyncType::proceed: return "proceed";
    case SyncType::need_id_maps: return "need-id-maps";
    case SyncType::id_maps_written: return "id-maps-written";
    case SyncType::init_pid: return "init-pid";
    case SyncType::run_create_hooks: return "run-create-hooks";
    case SyncType::create_hooks_done: return "create-hooks-done";
    case SyncType::console_fd: return "console-fd";
    case SyncType::ready: return "ready";
    case SyncType::error: return "error";
    case SyncType::seccomp_listener: return "seccomp-listener";
    case SyncType::seccomp_listener_passed: return "seccomp-listener-passed";
    case SyncType::debug_line: return "debug-line";
  }
  return "unknown";
}

Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return fail_errno("create sync socketpair");
  return std::pair{SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

Result<void> SyncChannel::send_raw(SyncType type, std::int32_t err, std::int64_t value,
                                   std::string_view text, int fd) const {
  if (text.size() > kMaxText) text = text.substr(0, kMaxText);
  Header h{static_cast<std::uint32_t>(type), err, value,
           static_cast<std::uint32_t>(text.size()), 0};
  std::array<iovec, 2> iov{{{&h, sizeof h}, {const_cast<char*>(text.data()), text.size()}}};
  ssize_t n = send_with_fd(fd_.get(), std::span(iov).first(text.empty() ? 1 : 2), fd);
  if (n < 0) return fail_errno(fmt::format("send {} on sync channel", to_string(type)));
  return {};
}

Result<void> SyncChannel::send(SyncType type, std::int64_t value) const {
  return send_raw(type, 0, value, {}, -1);
}

Result<void> SyncChannel::send_fd(SyncType type, int fd) const {
  return send_raw(type, 0, 0, {}, fd);
}

Result<void> SyncChannel::send_error(const Error& error) const {
  return send_raw(SyncType::error, error.err(), 0, error.message(), -1);
}

Result<void> SyncChannel::send_text(SyncType type, std::string_view text) const {
  return send_raw(type, 0, 0, text, -1);
}

Result<SyncMessage> SyncChannel::receive() const {
  Header h{};
  std::string text(kMaxText, '\0');
  std::array<iovec, 2> iov{{{&h, sizeof h}, {text.data(), text.size()}}};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)] = {};
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("receive on sync channel");
  SyncMessage m;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!m.fd) m.fd.reset(fd);
      else ::close(fd);
    }
  }
  if (n == 0) return fail("init exited before completing its setup");
  if (static_cast<std::size_t>(n) < sizeof h || (msg.msg_flags & MSG_TRUNC))
    return fail(fmt::format("malformed message on sync channel ({} bytes)", n));
  std::size_t len = std::min<std::size_t>(h.text_len, static_cast<std::size_t>(n) - sizeof h);
  text.resize(len);
  m.type = static_cast<SyncType>(h.type);
  m.err = h.err;
  m.value = h.value;
  m.text = std::move(text);
  return m;
}

Result<SyncMessage> SyncChannel::expect(SyncType type) const {
  SyncMessage m = TRY(receive());
  if (m.type == type) return m;
  if (m.type == SyncType::error) return std::unexpected(to_error(m));
  return fail(fmt::format("sync channel: expected {}, got {}", to_string(type), to_string(m.type)));
}

Error to_error(const SyncMessage& message) { return Error(message.text, message.err); }

}  // namespace nucleus::init
