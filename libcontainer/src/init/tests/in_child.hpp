// Runs a test body in a forked child (so that what it changes — fds, root,
// seccomp, dumpable — stays out of the test process) and returns its exit
// code, or 128+signal.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

namespace nucleus::init::testing {

template <typename F>
int in_child(F body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace nucleus::init::testing
