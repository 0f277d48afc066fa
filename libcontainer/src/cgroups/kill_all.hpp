// Signalling every process of a cgroup without racing forks.
#pragma once

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

// Freeze (when can_freeze; a failure to freeze is only a warning), signal
// every pid of m, then thaw if we froze it, or if it was paused and the
// signal is SIGKILL (a frozen v1 task cannot die). Never signals pid <= 0 or
// this process. Processes gone meanwhile (ESRCH) are fine.
Result<void> signal_all(CgroupManager& m, int signal, bool can_freeze);

}  // namespace nucleus::cgroups
