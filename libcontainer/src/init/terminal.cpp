#include "init/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

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

Result<void> bind_console(int index) {
  std::string pts = fmt::format("/dev/pts/{}", index);
  UniqueFd console(::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!console && errno != EEXIST && errno != ENXIO && errno != EIO)
    return fail_errno("create /dev/console");
  if (::mount(pts.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) != 0)
    return fail_errno(fmt::format("mount \"{}\" on \"/dev/console\"", pts));
  return {};
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
