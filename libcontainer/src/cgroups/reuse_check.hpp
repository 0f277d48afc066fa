// What create checks about a container cgroup that exists already (a caller
// may have made it, or a previous container left it), before using it.
#pragma once

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

// As runc 1.1: processes in it are a warning ("container's cgroup is not
// empty: N process(es) found"); a frozen one is an error ("container's cgroup
// unexpectedly frozen"), since the init would freeze in it and create hang.
// Called before anything is made, so a refusal leaves nothing behind.
Result<void> check_reusable_cgroup(const CgroupManager& cgroup);

}  // namespace nucleus::cgroups
