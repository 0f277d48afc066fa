#include "state/console_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <vector>

namespace nucleus {

namespace {

constexpr std::size_t kMaxPayload = 4096;
// Room for a few fds, so a peer that sends more is detected instead of truncated.
constexpr std::size_t kMaxFds = 8;

Result<void> write_rest(int sock, std::string_view rest) {
  while (!rest.empty()) {
    ssize_t n = ::send(sock, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("send fd payload");
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Collect the fds of every SCM_RIGHTS message in `msg` into `fds`.
void collect_fds(msghdr& msg, std::vector<UniqueFd>& fds) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.emplace_back(fd);
    }
  }
}

}  // namespace

ssize_t send_with_fd(int sock, std::span<iovec> iov, int fd) {
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

Result<void> send_fd(int sock, int fd, std::string_view payload) {
  if (payload.empty() || payload.size() >= kMaxPayload)
    return fail(fmt::format("send fd: payload of {} bytes (want 1..{})", payload.size(),
                            kMaxPayload - 1));
  return send_payload_with_fd(sock, fd, payload);
}

Result<void> send_payload_with_fd(int sock, int fd, std::string_view payload) {
  if (payload.empty()) return fail("send fd: empty payload");
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  ssize_t n = send_with_fd(sock, {&iov, 1}, fd);
  if (n < 0) return fail_errno("send fd");
  // What one sendmsg did not take goes plainly (the spec allows it: the fd went first).
  return write_rest(sock, payload.substr(static_cast<std::size_t>(n)));
}

Result<UniqueFd> connect_unix_socket(const std::filesystem::path& socket, std::string_view what) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& p = socket.native();
  if (p.empty() || p.size() >= sizeof addr.sun_path)
    return fail(fmt::format("{} path \"{}\": name too long or empty", what, p));
  std::memcpy(addr.sun_path, p.data(), p.size());

  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return fail_errno(fmt::format("create {}", what));
  int rc;
  do rc = ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail_errno(fmt::format("connect to {} \"{}\"", what, p));
  return sock;
}

Result<void> send_fd_to_socket(const std::filesystem::path& socket, int fd, std::string_view payload,
                               std::string_view what) {
  UniqueFd sock = TRY(connect_unix_socket(socket, what));
  auto sent = send_fd(sock.get(), fd, payload);
  if (!sent) return std::unexpected(std::move(sent).error().context(
      fmt::format("{} \"{}\"", what, socket.native())));
  return {};
}

Result<void> send_console_fd(const std::filesystem::path& socket, int master_fd,
                             std::string_view payload) {
  return send_fd_to_socket(socket, master_fd, payload, "console socket");
}

Result<ReceivedFd> recv_fd_message(int sock) {
  std::string buf(kMaxPayload, '\0');
  iovec iov{buf.data(), buf.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("receive fd");

  std::vector<UniqueFd> fds;
  collect_fds(msg, fds);
  if (msg.msg_flags & MSG_CTRUNC) return fail("receive fd: control data truncated");
  if (fds.size() != 1)
    return fail(fmt::format("receive fd: got {} fds in one message, want 1", fds.size()));
  if (n == 0) return fail("receive fd: empty payload");
  buf.resize(static_cast<std::size_t>(n));
  return ReceivedFd{std::move(fds[0]), std::move(buf)};
}

Result<UniqueFd> recv_fd(int sock) {
  ReceivedFd r = TRY(recv_fd_message(sock));
  return std::move(r.fd);
}

}  // namespace nucleus
