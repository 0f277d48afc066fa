#include "state/exec_fifo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/process.hpp"

namespace nucleus {

namespace {

constexpr int kPollMs = 100;

enum class Drain { data_and_eof, eof_without_data, pending };

// Read what is available; `got_data` accumulates across calls. Only call this
// after poll() reported an event: a FIFO that never had a writer reads as EOF.
Result<Drain> drain(int fd, bool& got_data, const std::string& display) {
  char buf[64];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      got_data = true;
      continue;
    }
    if (n == 0) return got_data ? Drain::data_and_eof : Drain::eof_without_data;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return Drain::pending;
    return fail_errno(fmt::format("read exec fifo {}", display));
  }
}

// Whether the FIFO has data or a writer that came and went. A reader opened
// with O_NONBLOCK gets no POLLHUP before the first writer has been seen.
Result<bool> readable(int fd, int timeout_ms, const std::string& display) {
  pollfd p{fd, POLLIN, 0};
  int rc = ::poll(&p, 1, timeout_ms);
  if (rc < 0 && errno == EINTR) return false;
  if (rc < 0) return fail_errno(fmt::format("poll exec fifo {}", display));
  return rc > 0;
}

// Wait until the writer has written and closed (EOF), or the init is gone.
Result<void> wait_for_init(int fd, pid_t pid, std::uint64_t start_time, const std::string& display) {
  bool got_data = false;
  for (;;) {
    if (TRY(readable(fd, kPollMs, display))) {
      Drain d = TRY(drain(fd, got_data, display));
      if (d == Drain::data_and_eof) return {};
      if (d == Drain::eof_without_data) return fail("cannot start an already running container");
      continue;
    }
    if (process_alive(pid, start_time)) continue;
    // The init may have written just before dying: the pipe keeps the byte.
    if (TRY(readable(fd, 0, display))) TRY(drain(fd, got_data, display));
    if (got_data) return {};
    return fail("container process is already dead");
  }
}

Result<UniqueFd> write_start_byte(UniqueFd fd, const std::string& display) {
  if (!fd) return fail_errno(fmt::format("open exec fifo {}", display));
  ssize_t n;
  do n = ::write(fd.get(), "0", 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) return fail_errno(fmt::format("write exec fifo {}", display));
  return fd;
}

Result<UniqueFd> open_blocking(int dirfd, const char* path) {
  int fd;
  do fd = ::openat(dirfd, path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return write_start_byte(UniqueFd(fd), path);
}

}  // namespace

Result<void> ExecFifo::create(int dirfd, uid_t owner, gid_t group) {
  if (::mkfifoat(dirfd, kName, 0622) != 0) return fail_errno("create exec fifo");
  // mkfifo honours the umask; the mode must not depend on the caller's.
  if (::fchmodat(dirfd, kName, 0622, 0) != 0) return fail_errno("chmod exec fifo");
  if ((owner != kKeepOwner || group != kKeepGroup) &&
      ::fchownat(dirfd, kName, owner, group, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno("chown exec fifo");
  return {};
}

bool ExecFifo::exists(int dirfd) {
  struct stat st {};
  return ::fstatat(dirfd, kName, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode);
}

Result<UniqueFd> ExecFifo::open_path(int dirfd) {
  UniqueFd fd(::openat(dirfd, kName, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open exec fifo");
  return fd;
}

Result<UniqueFd> ExecFifo::open_for_write_blocking(int proc_dir_fd, int fifo_path_fd) {
  std::string path = fmt::format("thread-self/fd/{}", fifo_path_fd);
  return open_blocking(proc_dir_fd, path.c_str());
}

Result<UniqueFd> ExecFifo::open_for_write_blocking(const std::filesystem::path& fifo) {
  return open_blocking(AT_FDCWD, fifo.c_str());
}

Result<void> ExecFifo::release(const std::filesystem::path& fifo, pid_t init_pid,
                               std::uint64_t init_start_time) {
  const std::string& display = fifo.native();
  // Non-blocking, so a FIFO whose writer never comes cannot hang us; opening the
  // read side is what wakes the init blocked in its open for writing.
  UniqueFd fd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open exec fifo {}", display));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISFIFO(st.st_mode))
    return fail(fmt::format("exec fifo {}: not a fifo", display));
  TRY_VOID(wait_for_init(fd.get(), init_pid, init_start_time, display));
  if (::unlink(fifo.c_str()) != 0 && errno != ENOENT)
    return fail_errno(fmt::format("remove exec fifo {}", display));
  return {};
}

}  // namespace nucleus
