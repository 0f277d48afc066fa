// A forked child that sleeps until killed; reaped (and killed if needed) on
// destruction. The test process is single-threaded, so fork is safe.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

namespace nucleus::cgroups::testing {

class SleepingChild {
 public:
  SleepingChild() {
    // Signals stay blocked until the child has dropped Catch2's handlers,
    // which would otherwise make a signalled child run the tests on.
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &old);
    pid_ = ::fork();
    if (pid_ == 0) {
      for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (;;) ::pause();
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
  }
  ~SleepingChild() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  SleepingChild(const SleepingChild&) = delete;
  SleepingChild& operator=(const SleepingChild&) = delete;
  pid_t pid() const { return pid_; }
  // The wait status, once the child has exited.
  int wait() {
    if (!status_) {
      int st = 0;
      while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      status_ = st;
    }
    return *status_;
  }
  // The signal that killed it, or 0 (after waiting for it to die).
  int killed_by() {
    int st = wait();
    return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace nucleus::cgroups::testing
