// Signalling every process of a cgroup without racing forks.
#pragma once

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

// As runc's signalAllProcesses: freeze (when can_freeze; a failure to freeze
// is only a warning), signal every pid of m, then thaw, also a cgroup that was
// paused before (so `kill --all` of a paused container lets it act on the
// signal, as runc 1.1 does). Never signals pid <= 0 or this process.
// Processes gone meanwhile (ESRCH) are fine.
Result<void> signal_all(CgroupManager& m, int signal, bool can_freeze);

}  // namespace nucleus::cgroups
