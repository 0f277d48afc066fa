// Passing fds over unix sockets: the pty master to --console-socket (the
// caller accepts exactly one sendmsg with one SCM_RIGHTS fd and a non-empty
// payload under 4096 bytes, as runc sends), and fds on internal channels.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus {

// One sendmsg of `iov` with `fd` attached as SCM_RIGHTS (nothing attached when
// fd < 0), retried on EINTR, without SIGPIPE. sendmsg's result and errno.
ssize_t send_with_fd(int sock, std::span<iovec> iov, int fd);

// One sendmsg carrying `payload` (non-empty, < 4096 bytes) and one fd.
Result<void> send_fd(int sock, int fd, std::string_view payload);
// `payload` (non-empty, any size) with `fd` attached to its first sendmsg.
Result<void> send_payload_with_fd(int sock, int fd, std::string_view payload);

// A stream socket connected to the AF_UNIX socket at `socket`; errors name it
// as `what`: connect to console socket "/run/x.sock": connection refused.
Result<UniqueFd> connect_unix_socket(const std::filesystem::path& socket, std::string_view what);

// Connect to the --console-socket at `socket` and send the pty master.
// runc names the fd "/dev/ptmx"; callers log the payload but need it non-empty.
Result<void> send_console_fd(const std::filesystem::path& socket, int master_fd,
                             std::string_view payload = "/dev/ptmx");

// Connect to the AF_UNIX socket at `socket` and send `fd` with `payload`;
// errors name the socket as `what` ("console socket", "pidfd socket").
Result<void> send_fd_to_socket(const std::filesystem::path& socket, int fd, std::string_view payload,
                               std::string_view what);

struct ReceivedFd {
  UniqueFd fd;
  std::string payload;
};

// One recvmsg expecting exactly one fd (received close-on-exec); extra fds
// are closed and reported as an error.
Result<ReceivedFd> recv_fd_message(int sock);
Result<UniqueFd> recv_fd(int sock);

}  // namespace nucleus
