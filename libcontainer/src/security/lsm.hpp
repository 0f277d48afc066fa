// The LSM labels of a container's processes: process.apparmorProfile and
// process.selinuxLabel, armed for the next execve by create's init and by
// exec's child alike, and linux.mountLabel for the filesystems create mounts.
// A label for an LSM the host does not run is an error naming the field,
// before anything is made: never a container that silently runs unconfined.
#pragma once

#include <string_view>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "security/procfs.hpp"

namespace nucleus {

bool apparmor_enabled();
bool selinux_enabled();

// Runtime side, before anything is made. `mount_label` is linux.mountLabel
// (create only).
Result<void> check_lsm_labels(const oci::Process& process, std::string_view mount_label = {});

// Child side: the labels the process takes at its next execve (and the
// processes it forks take at theirs), written through `proc`.
Result<void> set_exec_labels(const oci::Process& process, const ProcfsHandle& proc);

}  // namespace nucleus
