#include "init/fds.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include <algorithm>
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

Result<void> close_fds_except(unsigned first, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = first;
  for (int fd : keep) {
    if (fd < 0 || static_cast<unsigned>(fd) < from) continue;
    auto upto = static_cast<unsigned>(fd);
    if (upto > from && ::close_range(from, upto - 1, 0) != 0)
      return fail_errno(fmt::format("close fds {}-{}", from, upto - 1));
    from = upto + 1;
  }
  if (::close_range(from, ~0U, 0) != 0) return fail_errno(fmt::format("close fds from {}", from));
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
  return {};
}

}  // namespace nucleus::init
