// Seccomp notify, the runtime's side: the listener fd that a filter with
// SCMP_ACT_NOTIFY rules gives the child (create's init, exec's process) is
// handed to the runtime over the sync channel, and the runtime passes it on
// to the seccomp agent at linux.seccomp.listenerPath with the container
// process state (config-linux.md#the-container-process-state), as runc 1.1:
//   create  pid = the init, state "creating" (what createRuntime hooks get)
//   exec    pid = the exec'd process, state "running" with the init's pid
// One connection per fd, one message, then closed (the spec's MUSTs).
#pragma once

#include <sys/types.h>

#include <string>

#include <oci/config.hpp>
#include <oci/state.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

// The agent's message: {"ociVersion", "fds": ["seccompFd"], "pid",
// "metadata" (listenerMetadata, omitted when empty), "state"}.
std::string seccomp_agent_message(const oci::Seccomp& profile, pid_t pid, const oci::State& state);

// Connects to profile.listener_path (an AF_UNIX stream socket) and sends the
// message in one sendmsg with `listener` attached. Errors name the field:
//   linux.seccomp.listenerPath: connect to seccomp agent "/run/agent.sock": connection refused
Result<void> send_to_seccomp_agent(const oci::Seccomp& profile, pid_t pid, const oci::State& state,
                                   int listener);

}  // namespace nucleus
