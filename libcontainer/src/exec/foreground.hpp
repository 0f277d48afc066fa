// exec in the foreground: nucleus stays the exec'd process's parent, forwards
// the signals it gets, and, when the process has a terminal but no console
// socket took the pty master (CRI-O's kubectl exec -t), proxies the caller's
// terminal to it in raw mode, following its window size.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <termios.h>

#include <optional>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

// Blocks every catchable signal for this scope, so that none is lost between
// the fork and the wait (they are read from a signalfd there).
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  const sigset_t& blocked() const { return blocked_; }
  const sigset_t& saved() const { return saved_; }

 private:
  sigset_t blocked_{};
  sigset_t saved_{};
};

// The caller's terminal: the first of stdin, stdout and stderr that is one,
// else its controlling terminal. Raw mode is undone on destruction.
class CallerTerminal {
 public:
  // "open /dev/tty: no such device or address" without any (runc's words).
  static Result<CallerTerminal> find();
  CallerTerminal(CallerTerminal&& o) noexcept;
  CallerTerminal& operator=(CallerTerminal&&) = delete;
  CallerTerminal(const CallerTerminal&) = delete;
  ~CallerTerminal();

  Result<void> make_raw();
  void copy_size_to(int master) const;

 private:
  CallerTerminal(int fd, UniqueFd owned) : fd_(fd), owned_(std::move(owned)) {}
  int fd_ = -1;
  UniqueFd owned_;  // /dev/tty when we opened it
  std::optional<termios> saved_;
};

// Waits for `child` (our child), forwarding every signal in `signals` but
// SIGCHLD, SIGWINCH and SIGPIPE to it. With a pty master, copies stdin to it
// and its output to stdout meanwhile, and the caller's window size on
// SIGWINCH. Returns the exit status, 128+signal when it was killed.
Result<int> wait_for_process(pid_t child, const sigset_t& signals, int master,
                             CallerTerminal* terminal);

}  // namespace nucleus::exec
