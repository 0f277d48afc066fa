// The LSM labels an exec'd process takes at execve: process.apparmorProfile
// and process.selinuxLabel. Written through /proc/self/attr only where the
// host runs that LSM; asking for a label the host cannot apply is an error.
#pragma once

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::exec {

bool apparmor_enabled();
bool selinux_enabled();

// Parent, before anything starts: the labels asked for can be applied.
Result<void> check_exec_labels(const oci::Process& process);

// Child: arm the labels for the next execve (while the host's /proc is
// still this process's /proc).
Result<void> set_exec_labels(const oci::Process& process);

}  // namespace nucleus::exec
