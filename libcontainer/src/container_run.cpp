// run: create + start + wait in one process, which stays the init's parent:
// it forwards signals to the init, proxies a terminal it allocated itself,
// reaps, and deletes the container afterwards (unless --keep).
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <optional>

#include <fmt/format.h>

#include "container_internal.hpp"
#include "nucleus/container.hpp"
#include "nucleus/log.hpp"

namespace nucleus {

namespace {

// Blocks every catchable signal for this scope; the init gets the old mask.
class SignalBlock {
 public:
  SignalBlock() {
    ::sigfillset(&blocked_);
    ::sigprocmask(SIG_BLOCK, &blocked_, &saved_);
  }
  ~SignalBlock() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  const sigset_t& blocked() const { return blocked_; }
  const sigset_t& saved() const { return saved_; }

 private:
  sigset_t blocked_{};
  sigset_t saved_{};
};

// The caller's terminal in raw mode while we proxy a container's pty.
class RawTerminal {
 public:
  RawTerminal() {
    if (::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

void copy_window_size(int master) {
  winsize ws{};
  if (master >= 0 && ::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

// Copy what is readable from `from` to `to`; false at EOF or error.
bool pump(int from, int to) {
  char buf[8192];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    off += w;
  }
  return true;
}

int exit_code(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Reap every child (run may be a subreaper); the init's status when it ended.
std::optional<int> reap(pid_t init) {
  std::optional<int> code;
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    if (pid == init) code = exit_code(status);
  }
  return code;
}

Result<int> wait_for_init(pid_t init, const sigset_t& signals, int master) {
  UniqueFd sigfd(::signalfd(-1, &signals, SFD_CLOEXEC));
  if (!sigfd) return fail_errno("signalfd");
  std::optional<RawTerminal> raw;
  if (master >= 0) {
    raw.emplace();
    copy_window_size(master);
  }
  bool stdin_open = master >= 0, master_open = master >= 0;
  for (;;) {
    pollfd fds[3] = {{sigfd.get(), POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0},
                     {master_open ? master : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) return fail_errno("poll");
    if (fds[2].revents) master_open = pump(master, 1);
    if (fds[1].revents) stdin_open = pump(0, master);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sigfd.get(), &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) {
      if (auto code = reap(init)) {
        while (master_open && pump(master, 1)) {
          pollfd p{master, POLLIN, 0};
          if (::poll(&p, 1, 0) <= 0) break;
        }
        return *code;
      }
    } else if (sig == SIGWINCH) {
      copy_window_size(master);
    } else {
      ::kill(init, sig);
    }
  }
}

Result<void> destroy_after_exit(const RuntimeOptions& rt, const std::string& id) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord record = TRY(dir.read_record());
  return detail::destroy_container(dir, record);
}

}  // namespace

Result<int> run_container(const RuntimeOptions& rt, const oci::Config& config,
                          const CreateOptions& opts, const RunOptions& run) {
  // Orphans of the container (and an init whose parent exits) come to us.
  if (!run.no_subreaper && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return fail_errno("set child subreaper");
  SignalBlock block;
  bool own_terminal = !run.detach && !opts.console_socket;
  auto created = TRY(detail::create_container_impl(rt, config, opts, run.detach, block.saved()));
  if (created.console_master && !own_terminal) created.console_master.reset();
  if (auto started = start_container(rt, opts.id); !started) {
    (void)delete_container(rt, opts.id, true);
    return std::unexpected(started.error());
  }
  if (run.detach) return 0;
  auto code = wait_for_init(created.pid, block.blocked(), created.console_master.get());
  created.console_master.reset();
  if (!run.keep) {
    if (auto destroyed = destroy_after_exit(rt, opts.id); !destroyed)
      log::warn("{}", destroyed.error().what());
  }
  return code;
}

}  // namespace nucleus
