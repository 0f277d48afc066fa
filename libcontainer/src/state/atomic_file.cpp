#include "state/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>

#include "nucleus/unique_fd.hpp"

namespace nucleus {

namespace {

// A name no other writer picks: the target's name, hidden, with a random tail.
std::string temp_name_for(const std::string& name) {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
    r = static_cast<std::uint64_t>(::getpid()) ^ static_cast<std::uint64_t>(::time(nullptr));
  return fmt::format(".{}.tmp-{:016x}", name, r);
}

Result<void> write_all(int fd, std::string_view content, const std::string& display) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("write {}", display));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<void> write_file_atomic(int dirfd, const std::string& name, std::string_view content,
                               mode_t mode, const std::string& display) {
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 16 && !fd; ++attempt) {
    tmp = temp_name_for(name);
    fd.reset(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd && errno != EEXIST) return fail_errno(fmt::format("create temp file for {}", display));
  }
  if (!fd) return fail_errno(fmt::format("create temp file for {}", display), EEXIST);

  auto written = write_all(fd.get(), content, display);
  if (written && ::close(fd.release()) != 0) written = fail_errno(fmt::format("close {}", display));
  if (written && ::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0)
    written = fail_errno(fmt::format("rename temp file to {}", display));
  if (!written) ::unlinkat(dirfd, tmp.c_str(), 0);
  return written;
}

}  // namespace nucleus
