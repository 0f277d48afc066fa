#include "exec/foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nucleus::exec {

namespace {

int exit_code(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Copies what one read gives from `from` to `to`; false at EOF or on error
// (EIO is how a pty master reports that every slave fd is closed).
bool pump(int from, int to) {
  char buf[8192];
  ssize_t n;
  do n = ::read(from, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return true;
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    off += w;
  }
  return true;
}

// What the process wrote before it exited is still in the pty: copy it out
// without waiting for more (a grandchild may hold the slave open).
void drain(int master) {
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN) || !pump(master, STDOUT_FILENO)) return;
  }
}

bool forwarded(int sig) { return sig != SIGCHLD && sig != SIGWINCH && sig != SIGPIPE; }

}  // namespace

SignalBlock::SignalBlock() {
  ::sigfillset(&blocked_);
  ::sigprocmask(SIG_BLOCK, &blocked_, &saved_);
}

SignalBlock::~SignalBlock() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

Result<CallerTerminal> CallerTerminal::find() {
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::isatty(fd)) return CallerTerminal(fd, UniqueFd());
  }
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!tty) return fail_errno("open /dev/tty");
  int fd = tty.get();
  return CallerTerminal(fd, std::move(tty));
}

CallerTerminal::CallerTerminal(CallerTerminal&& o) noexcept
    : fd_(o.fd_), owned_(std::move(o.owned_)), saved_(std::exchange(o.saved_, std::nullopt)) {}

CallerTerminal::~CallerTerminal() {
  if (saved_) ::tcsetattr(fd_, TCSANOW, &*saved_);
}

Result<void> CallerTerminal::make_raw() {
  termios t{};
  if (::tcgetattr(fd_, &t) != 0) return fail_errno("get the terminal's attributes");
  termios raw = t;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd_, TCSANOW, &raw) != 0) return fail_errno("set the terminal to raw mode");
  saved_ = t;
  return {};
}

void CallerTerminal::copy_size_to(int master) const {
  winsize ws{};
  if (master >= 0 && ::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
    ::ioctl(master, TIOCSWINSZ, &ws);
}

Result<int> wait_for_process(pid_t child, const sigset_t& signals, int master,
                             CallerTerminal* terminal) {
  UniqueFd sigfd(::signalfd(-1, &signals, SFD_CLOEXEC));
  if (!sigfd) return fail_errno("signalfd");
  if (terminal && master >= 0) {
    TRY_VOID(terminal->make_raw());
    terminal->copy_size_to(master);
  }
  bool input = master >= 0, output = master >= 0;
  for (;;) {
    pollfd fds[3] = {{sigfd.get(), POLLIN, 0},
                     {input ? STDIN_FILENO : -1, POLLIN, 0},
                     {output ? master : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (fds[2].revents) output = pump(master, STDOUT_FILENO);
    // stdin's EOF stops the copy only: closing the master would hang up the process.
    if (fds[1].revents) input = pump(STDIN_FILENO, master);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sigfd.get(), &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) {
      int status = 0;
      pid_t done;
      do done = ::waitpid(child, &status, WNOHANG);
      while (done < 0 && errno == EINTR);
      if (done < 0) return fail_errno("wait for the exec'd process");
      if (done == 0) continue;
      if (output) drain(master);
      return exit_code(status);
    }
    if (sig == SIGWINCH && terminal) terminal->copy_size_to(master);
    if (forwarded(sig)) ::kill(child, sig);
  }
}

}  // namespace nucleus::exec
