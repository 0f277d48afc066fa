// The exec'd process's side of exec (runc's linuxSetnsInit, kept apart from
// create's init): a fork of the runtime, already in the container's pid
// namespace and, once the runtime says so, in its cgroup. It joins the other
// namespaces, sheds every host fd, applies the process's attributes and execs.
//
// The conversation on the sync channel (runtime <- child unless marked):
//   proceed     runtime: the child is in the container's cgroup
//   console_fd  the pty master, when process.terminal is set
//   seccomp_listener  the notify listener of the container's filter (attached)
//   seccomp_listener_passed  runtime: the agent at listenerPath has it
//   ready       about to execve (a filter without notify rules is loaded
//               after it, so that execve is all that runs under it); the
//               runtime then waits for the channel to close (the exec
//               happened) or for an error
//   error       the child failed (it exits right after)
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <oci/config.hpp>

#include "init/sync.hpp"
#include "security/seccomp.hpp"

namespace nucleus::exec {

struct SetnsInitConfig {
  const oci::Process* process = nullptr;  // validated
  pid_t init_pid = -1;                    // the container's init, as the runtime sees it
  int init_pidfd = -1;
  int namespaces = 0;  // CLONE_NEW* to join; the runtime handled the pid namespace
  int root_fd = -1;    // the init's root, entered by chroot when no mount namespace is joined
  unsigned preserve_fds = 0;
  sigset_t signal_mask{};  // the mask to restore (the runtime blocks signals around the fork)
  const SeccompFilter* seccomp = nullptr;  // the container's linux.seccomp, built by the runtime
  bool rootless_euid = false;          // the runtime is a user, not root
  bool user_namespace_joined = false;  // by rootless_fork.hpp's first child: become root in it
};

// Never returns: execs the process, or hands its error to the runtime and exits.
[[noreturn]] void setns_init(const SetnsInitConfig& config, const init::SyncChannel& sync);

}  // namespace nucleus::exec
