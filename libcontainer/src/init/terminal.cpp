#include "init/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include "init/fd_mounts.hpp"

namespace nucleus::init {

Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size) {
  Pty pty;
  pty.master.reset(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return fail_errno("open /dev/pts/ptmx");
  int unlock = 0;
  if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) return fail_errno("unlock pty");
  // The peer from the master itself, not a path another process could swap.
  int slave = ::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return fail_errno("open pty slave");
  pty.slave.reset(slave);
  if (::ioctl(pty.master.get(), TIOCGPTN, &pty.index) != 0) return fail_errno("get pty number");
  if (size) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(pty.master.get(), TIOCSWINSZ, &ws) != 0) return fail_errno("set console size");
  }
  return pty;
}

Result<void> bind_console(int slave) {
  // O_CREAT without O_EXCL still refuses a final symlink with O_NOFOLLOW.
  UniqueFd made(::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!made && errno != ENXIO && errno != EIO) return fail_errno("create /dev/console");
  UniqueFd console(::open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!console || ::fstat(console.get(), &st) != 0) return fail_errno("open /dev/console");
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
    return fail("/dev/console is neither a file nor a character device");
  return bind_fd(slave, console.get(), false, "/dev/console");
}

Result<void> attach_stdio_to_pty(UniqueFd slave) {
  if (::ioctl(slave.get(), TIOCSCTTY, 0) != 0) return fail_errno("ioctl(setctty)");
  for (int fd = 0; fd <= 2; ++fd) {
    // dup2 replaces the caller's stdio: the container keeps no copy of it.
    if (::dup2(slave.get(), fd) < 0) return fail_errno(fmt::format("dup2 pty onto fd {}", fd));
  }
  return {};
}

}  // namespace nucleus::init
