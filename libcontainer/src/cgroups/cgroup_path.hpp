// Where a container's cgroup goes in each hierarchy, from cgroupsPath.
//
// Mirrors runc 1.1 (checked on this kind of host):
//  - absolute "/a/b": <mount point>/a/b in every hierarchy (the spec's rule);
//  - relative "a/b": below the cgroup the runtime itself is in, per hierarchy
//    (runc's GetOwnCgroupPath); on pure v2 a trailing "*.scope" of that is
//    dropped, as runc does, because a session scope holds processes and so
//    could never delegate controllers to a child;
//  - empty: the relative path "<id>" (runc: a process of a runtime in
//    memory:/a/b and cpu:/ lands in memory:/a/b/<id> and cpu:/<id>).
// Unlike runc, which silently clamps "..", a path whose ".." would climb
// above its base (the hierarchy root or the runtime's cgroup) is rejected,
// and so is one naming the base itself ("/", "."): destroy would rmdir it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/hierarchy.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

struct CgroupPath {
  bool absolute = false;
  std::string path;  // cleaned, relative to the base, never empty
};

Result<CgroupPath> parse_cgroups_path(std::string_view cgroups_path, std::string_view id);

// The container's dir in hierarchy h.
Result<std::filesystem::path> cgroup_dir(const Hierarchy& h, const CgroupPath& path,
                                         const std::vector<ProcCgroup>& own, Layout layout);

}  // namespace nucleus::cgroups
