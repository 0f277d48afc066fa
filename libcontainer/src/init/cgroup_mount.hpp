// The container's view of /sys/fs/cgroup (a mount of type "cgroup"): its own
// cgroup dirs, bound from the host's hierarchies, never the host's root.
//  - pure cgroup v2: cgroup2 mounted afresh with a cgroup namespace, else the
//    container's dir bound;
//  - v1 and hybrid: a tmpfs holding one bind per hierarchy (cpu, memory, ...,
//    unified), named as on the host, plus symlinks for co-mounted controllers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

struct MountContext;
struct MountOptions;

struct CgroupHierarchy {
  std::string name;      // entry under the cgroup mount: "cpu", "cpu,cpuacct", "unified"
  std::string host_dir;  // the container's cgroup in it: "/sys/fs/cgroup/cpu/<path>"
  bool v2 = false;
};

struct CgroupHierarchies {
  bool unified_root = false;  // pure v2: list has one entry, mounted at the root
  std::vector<CgroupHierarchy> list;
};

// Pure: from the text of /proc/self/mountinfo and /proc/self/cgroup, for the
// hierarchies mounted at or directly below `mount_root`.
Result<CgroupHierarchies> parse_cgroup_hierarchies(std::string_view mountinfo,
                                                   std::string_view proc_cgroup,
                                                   std::string_view mount_root = "/sys/fs/cgroup");

// Reads this process's files. Call before unsharing the cgroup namespace,
// which rewrites both relative to the namespace root.
Result<CgroupHierarchies> read_cgroup_hierarchies();

Result<void> mount_cgroup_tree(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                               const std::string& display);

}  // namespace nucleus::init
