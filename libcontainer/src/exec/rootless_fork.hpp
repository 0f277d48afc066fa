// exec into a container's pid namespace by a runtime that could not come
// back from it: root's runtime enters it for its children, forks, and
// returns to its own; but returning needs CAP_SYS_ADMIN over the runtime's
// own pid namespace, which a runtime inside a user namespace (rootless
// podman's) lacks, and one that is not root cannot even enter a container
// namespace owned by another user namespace. A first child does it instead
// (joining the container's user namespace first when the runtime is not
// root), and clones the exec'd process with CLONE_PARENT, so that it is
// still the runtime's own child to serve and wait for; the first child passes
// its pid back and exits at once (runc's nsexec does the same in two stages).
// The runtime's own namespaces never change: what it forks later (LSan's
// tracer, in the sanitizer build) is not born inside the container.
#pragma once

#include <sys/types.h>

#include "exec/setns_init.hpp"
#include "init/sync.hpp"
#include "nucleus/error.hpp"

namespace nucleus::exec {

// Whether the runtime must go through fork_through_helper.
bool needs_helper_process(int namespaces);

// The exec'd process, our child, in the namespaces of config.init_pid.
Result<pid_t> fork_through_helper(SetnsInitConfig config, const init::SyncChannel& child_end);

}  // namespace nucleus::exec
