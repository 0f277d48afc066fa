#include "exec/foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace nucleus::exec {

namespace {

int exit_code(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

bool forwarded(int sig) { return sig != SIGCHLD && sig != SIGWINCH && sig != SIGPIPE; }

// The copy between the caller's stdio and the pty master. The master is
// non-blocking and input waits in a buffer until the pty takes it, so a
// process that is busy writing never blocks us from reading its output.
class PtyProxy {
 public:
  explicit PtyProxy(int master) : master_(master), input_(master >= 0), output_(master >= 0) {
    if (master_ >= 0) ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  }

  void fill(pollfd& in, pollfd& pty) const {
    in = {input_ && pending_.empty() ? STDIN_FILENO : -1, POLLIN, 0};
    short events = static_cast<short>((output_ ? POLLIN : 0) | (pending_.empty() ? 0 : POLLOUT));
    pty = {events ? master_ : -1, events, 0};
  }

  void handle(const pollfd& in, const pollfd& pty) {
    if (pty.revents & (POLLIN | POLLHUP | POLLERR)) output_ = copy_output();
    if (pty.revents & POLLOUT) flush_input();
    else if (pty.revents & (POLLHUP | POLLERR)) stop_input();  // no slave left to take it
    // stdin's EOF stops the copy only: closing the master would hang up the process.
    if (in.revents) read_input();
  }

  // What the process wrote before it exited is still in the pty: copy it out
  // without waiting for more (a grandchild may hold the slave open).
  void drain() {
    while (output_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return;
      output_ = copy_output();
    }
  }

 private:
  // false at EOF or on error (EIO: every slave fd is closed).
  bool copy_output() {
    char buf[8192];
    ssize_t n;
    do n = ::read(master_, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) return false;
    return write_all(STDOUT_FILENO, buf, static_cast<std::size_t>(n));
  }

  void read_input() {
    char buf[8192];
    ssize_t n;
    do n = ::read(STDIN_FILENO, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      input_ = false;
      return;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    flush_input();
  }

  void flush_input() {
    ssize_t n = ::write(master_, pending_.data(), pending_.size());
    if (n > 0) pending_.erase(0, static_cast<std::size_t>(n));
    if (n < 0 && errno != EAGAIN && errno != EINTR) stop_input();
  }

  void stop_input() {
    pending_.clear();
    input_ = false;
  }

  static bool write_all(int fd, const char* data, std::size_t size) {
    for (std::size_t off = 0; off < size;) {
      ssize_t w = ::write(fd, data + off, size - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return false;
      off += static_cast<std::size_t>(w);
    }
    return true;
  }

  int master_;
  bool input_, output_;
  std::string pending_;  // read from stdin, not yet taken by the pty
};

// Reaps every child that has exited (`run` is a subreaper: the container's
// orphans come to it); the exit code of `child` once it is among them.
Result<std::optional<int>> reap(pid_t child) {
  std::optional<int> code;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done < 0 && errno == EINTR) continue;
    if (done < 0 && errno != ECHILD) return fail_errno("wait for the container's process");
    if (done <= 0) return code;
    if (done == child) code = exit_code(status);
  }
}

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
  PtyProxy proxy(master);
  for (;;) {
    pollfd fds[3] = {{sigfd.get(), POLLIN, 0}, {}, {}};
    proxy.fill(fds[1], fds[2]);
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    proxy.handle(fds[1], fds[2]);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sigfd.get(), &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) {
      if (auto code = TRY(reap(child))) {
        proxy.drain();
        return *code;
      }
    }
    if (sig == SIGWINCH && terminal) terminal->copy_size_to(master);
    if (forwarded(sig)) ::kill(child, sig);
  }
}

}  // namespace nucleus::exec
