#include "init/fds.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

std::optional<unsigned long> env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  std::string_view s(v);
  unsigned long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

}  // namespace

unsigned listen_fds_for_us() {
  auto pid = env_number("LISTEN_PID");
  auto fds = env_number("LISTEN_FDS");
  if (!pid || !fds || *pid != static_cast<unsigned long>(::getpid())) return 0;
  return static_cast<unsigned>(*fds);
}

Result<void> check_preserved_fds(unsigned first, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    int fd = static_cast<int>(3 + first + i);
    if (::fcntl(fd, F_GETFD) < 0)
      return fail_errno(fmt::format("unable to stat preserved-fd {} (of {}): fstat /proc/self/fd/{}",
                                    i, count, fd));
  }
  return {};
}

Result<void> prepare_inherited_fds(unsigned keep) {
  for (unsigned i = 0; i < keep; ++i) {
    int fd = static_cast<int>(3 + i);
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) continue;
    if (::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
      return fail_errno(fmt::format("make fd {} inheritable", fd));
  }
  if (::close_range(3 + keep, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    return fail_errno("mark fds close-on-exec");
  return {};
}

}  // namespace nucleus::init
