// exec by a runtime that is not root, into a container with its own user
// namespace: the runtime has no capabilities in that namespace, which owns
// the container's pid namespace, so it cannot enter the pid namespace itself
// as root's runtime does. A first child joins the user namespace, then the
// pid one, and clones the exec'd process with CLONE_PARENT, so that it is
// still the runtime's own child to serve and wait for; the first child passes
// its pid back and exits at once (runc's nsexec does the same in two stages).
#pragma once

#include <sys/types.h>

#include "exec/setns_init.hpp"
#include "init/sync.hpp"
#include "nucleus/error.hpp"

namespace nucleus::exec {

// Whether the runtime must go through fork_through_user_namespace.
bool needs_user_namespace_first(int namespaces);

// The exec'd process, our child, in the namespaces of config.init_pid.
Result<pid_t> fork_through_user_namespace(SetnsInitConfig config, const init::SyncChannel& child_end);

}  // namespace nucleus::exec
