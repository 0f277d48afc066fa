// The runtime's own binary out of the container's reach (CVE-2019-5736).
//
// The processes nucleus starts in a container (create's init until `start`,
// exec's child until its execve) run nucleus's image, so their
// /proc/<pid>/exe names the binary; an exec'd `#!/proc/self/exe` script even
// runs it as the container's process. Any of that must never be a writable
// reference to the host's file. The verbs that start such processes first
// re-execute themselves from a view of the binary that cannot be written
// through: a detached read-only bind mount of it (nothing is copied; no other
// process can remount it), or, where the runtime may not make mounts, a
// sealed memfd copy (runc 1.1's way).
#pragma once

#include "nucleus/error.hpp"

namespace nucleus {

// Returns at once when this process already runs from such a view (a sealed
// memfd, or the read-only mount this function made before re-executing: it
// leaves a marker in the environment, removed here). Otherwise execveat of
// this program from a protected view with the same argv and environment;
// returns only on failure.
Result<void> run_from_protected_view(char* const argv[]);

}  // namespace nucleus
