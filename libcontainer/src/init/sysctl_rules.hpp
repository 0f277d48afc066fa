// Which linux.sysctl keys a container may set: only those its own namespaces
// scope (runc's rules and wording), checked before create touches the system.
#pragma once

#include <string>
#include <string_view>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

// The namespaces that scope sysctls, as the container will have them: made by
// it, or joined by path when that path is not the runtime's own namespace.
struct SysctlScope {
  bool ipc = false;
  bool uts = false;
  bool net = false;
};

// "net/ipv4/ip_forward" -> "net.ipv4.ip_forward": keys may use either
// separator (as sysctl(8) and runc accept); a key with '/' keeps its dots
// ("net/ipv4/conf/eth0.100/forwarding") and is normalised only for the rules.
std::string normalize_sysctl_key(std::string_view key);

// The file under /proc/sys for a key: "net/ipv4/ip_forward" for either form.
std::string sysctl_file(std::string_view key);

// The rule itself (pure): ok, or an error naming the key, e.g.
//   sysctl "net.ipv4.ip_forward" not allowed in host network namespace
//   sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace
//   sysctl "kernel.foo" is not in a separate kernel namespace
Result<void> check_sysctl(std::string_view key, const SysctlScope& scope);

// The scope of `linux` (stats namespace paths against /proc/self/ns/*).
SysctlScope sysctl_scope(const oci::Linux& linux);

// Every key of linux.sysctl against sysctl_scope(linux).
Result<void> validate_sysctls(const oci::Linux& linux);

}  // namespace nucleus::init
