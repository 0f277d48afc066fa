// A rootless container's cgroupfs cgroups (--rootless; auto for a user), by
// runc 1.1's rules:
//  - with a linux.cgroupsPath the cgroup is used as root uses it, errors and
//    all;
//  - with the default path, a hierarchy the user may not make the cgroup in
//    (EACCES, EPERM, EROFS: not delegated) is left out and the container stays
//    in the caller's cgroup there. A limit that needs a hierarchy left out is
//    refused by check(), before anything is made, rather than claimed: v1
//    "cannot set memory limit: container could not join or create cgroup"
//    (nucleus adds the dir and why), v2 "rootless needs no limits + no
//    cgrouppath when no permission is granted for cgroups: <why>";
//  - device rules the user cannot enforce (no devices hierarchy of its own,
//    no BPF program without CAP_SYS_ADMIN) are not applied, as runc skips
//    them: in its user namespace the container cannot mknod, and has only the
//    device nodes bound into it. Said in the debug log, or as a warning when
//    the config itself lists rules.
// A delegated cgroup (a v2 subtree the user owns, v1 dirs it was given) is
// used in full, limits included.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

// A hierarchy the container's cgroup could not be made in.
struct LeftOut {
  std::vector<std::string> controllers;  // empty: a cgroup2 dir
  std::filesystem::path dir;             // the cgroup it would have had
  int err = 0;                           // why (EACCES, EPERM, EROFS)
};

// 0 when the caller may make dir (write and search access to its nearest
// existing ancestor) or join it (write access to its cgroup.procs), else the
// errno of that check.
int cgroup_access(const std::filesystem::path& dir);

// runc's isIgnorableError: the errors that mean "no permission here".
bool is_permission_errno(int err);

// `inner` over the hierarchies kept, with the ones left out; v2 says which of
// runc's refusals a limit gets.
std::unique_ptr<CgroupManager> make_rootless_manager(std::unique_ptr<CgroupManager> inner,
                                                     std::vector<LeftOut> left_out, bool v2);

}  // namespace nucleus::cgroups
