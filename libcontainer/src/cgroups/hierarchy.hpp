// What the host has mounted: the cgroup hierarchies under the cgroup root
// (from mountinfo), and which cgroup this process is in (/proc/self/cgroup).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/manager.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

struct Hierarchy {
  // Sorted v1 controllers ("cpu", "cpuacct", or "name=systemd"); empty for
  // the cgroup2 hierarchy.
  std::vector<std::string> controllers;
  std::filesystem::path mount_point;
  // The mountinfo "root" field: which cgroup of the hierarchy is mounted at
  // mount_point ("/" on a host, a sub-tree in some containers).
  std::string mount_source_root = "/";
  bool unified() const { return controllers.empty(); }
};

struct HostCgroups {
  Layout layout = Layout::v1;
  std::vector<Hierarchy> hierarchies;  // the cgroup2 one (if any) last
};

// One cgroup mount line of mountinfo.
struct CgroupMount {
  std::filesystem::path mount_point;
  std::string root;
  bool cgroup2 = false;
  std::vector<std::string> controllers;  // v1 only, from the super options
};

// The cgroup and cgroup2 mounts in mountinfo text.
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

// The hierarchies nucleus joins below mount_root: every v1 hierarchy with a
// real controller or name=systemd (like runc), and the cgroup2 mount.
Result<HostCgroups> discover_hierarchies(const std::filesystem::path& mount_root,
                                         const std::filesystem::path& mountinfo);

// One line of /proc/<pid>/cgroup.
struct ProcCgroup {
  std::vector<std::string> controllers;  // sorted; empty for cgroup2 ("0::")
  std::string path;
};
std::vector<ProcCgroup> parse_proc_cgroup(std::string_view text);

// This process's cgroup in hierarchy h, relative to h's mount point: the path
// that a relative cgroupsPath is resolved against.
Result<std::string> own_cgroup_in(const Hierarchy& h, const std::vector<ProcCgroup>& own);

}  // namespace nucleus::cgroups
