// The uid_map and gid_map of a new user namespace, written by the runtime (its
// parent), as runc writes them:
//  - root writes any map itself;
//  - a user may write only a map of its own euid (egid) alone, and the gid
//    one only once /proc/<pid>/setgroups is "deny" (Linux 3.19), so it is
//    denied first when the gid map is just that;
//  - any other map a user asks for is written by the setuid helpers
//    newuidmap/newgidmap (Debian package uidmap), which allow the ranges
//    /etc/subuid and /etc/subgid give that user, setgroups left allowed.
// The helper is tried only when the kernel refused the write (EPERM).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

// Parent: both maps of pid's user namespace (an empty one is left alone).
// Errors name the map and the pid, and quote the helper's own complaint.
Result<void> write_id_maps(pid_t pid, const oci::Linux& linux);

// Pure parts, for tests.
// The gid map is the caller's egid alone: writable with setgroups denied.
bool maps_only(const std::vector<oci::IdMapping>& maps, unsigned host_id);
// newuidmap/newgidmap's argv: the tool, the pid, then "inside outside count"
// for each mapping.
std::vector<std::string> mapping_tool_argv(const std::string& tool, pid_t pid,
                                           const std::vector<oci::IdMapping>& maps);

}  // namespace nucleus::init
