// The cgroups an exec'd process joins: the container's (as stored at
// create: controller -> dir, "" for the cgroup2 dir), or the sub-cgroups
// named by exec --cgroup, which must exist.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "nucleus/error.hpp"
#include "nucleus/exec.hpp"

namespace nucleus::exec {

struct CgroupTarget {
  std::filesystem::path dir;
  // No --cgroup applied to this dir: on cgroup2 a top cgroup that refuses
  // processes (it has children with controllers) may be swapped for the
  // init's own cgroup, as runc does.
  bool may_fall_back = false;
  bool unified = false;  // a cgroup2 dir
};

// One target per distinct dir, in a stable order. A bare --cgroup path
// applies to every hierarchy; "ctrl[,ctrl]:path" to those controllers only,
// which must be among the container's and are refused on a pure cgroup2
// host. Sub-paths are taken relative to the container's cgroup ("/" is the
// container's own; ".." cannot climb out of it).
Result<std::vector<CgroupTarget>> exec_cgroup_targets(
    const std::map<std::string, std::string>& paths, const std::vector<ExecSubCgroup>& subs);

// Writes pid to cgroup.procs of each target. `init_pid` is the container's
// init, whose cgroup2 cgroup is the fallback (see CgroupTarget).
Result<void> join_cgroups(const std::vector<CgroupTarget>& targets, pid_t pid, pid_t init_pid);

// The cgroup2 dir of `init_cgroup` (the "0::" path of /proc/<init>/cgroup)
// given the container's cgroup2 dir: the init lives at or below the
// container's cgroup, so the longest tail of `container_dir` that starts
// `init_cgroup` is where the two meet. nullopt when they do not.
std::optional<std::filesystem::path> init_cgroup_dir(const std::filesystem::path& container_dir,
                                                     const std::string& init_cgroup);

}  // namespace nucleus::exec
