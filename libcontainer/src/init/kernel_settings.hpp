// Per-container kernel settings the init applies inside its namespaces:
// hostname, domainname, sysctls, and a fresh session keyring.
#pragma once

#include <string>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "security/procfs.hpp"

namespace nucleus::init {

Result<void> set_hostname(const std::string& name);
Result<void> set_domainname(const std::string& name);

// In a network namespace of its own the loopback interface starts down;
// runc and crun bring it up, and engines (podman --network none, many CNI
// setups) rely on it.
Result<void> bring_up_loopback();

// Each key written to /proc/sys/<key> (either separator, see sysctl_rules.hpp)
// through `proc` (never through the container's /proc, where a mount may
// redirect it), after create validated the keys against the namespaces.
Result<void> apply_sysctls(const oci::StringMap& sysctl, const ProcfsHandle& proc);

// A new session keyring named "_ses.<id>" so containers do not share the
// runtime's keys (skipped with --no-new-keyring; ignored when the kernel lacks
// keyrings).
Result<void> join_session_keyring(const std::string& id);

}  // namespace nucleus::init
