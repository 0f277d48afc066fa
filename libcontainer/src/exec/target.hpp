// What exec learns about the container before it forks: the init, pinned by
// a pidfd, the namespaces of it that differ from ours, and the cgroups to
// join. The container's lock is held only while this is read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>
#include <oci/state.hpp>

#include "exec/cgroup_join.hpp"
#include "nucleus/container.hpp"
#include "nucleus/error.hpp"
#include "nucleus/exec.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

struct ExecTarget {
  pid_t init_pid = -1;
  UniqueFd init_pidfd;  // invalid on kernels without pidfd_open
  int namespaces = 0;   // CLONE_NEW* of the init's that are not ours
  UniqueFd root;        // O_PATH on the init's root, when its mount namespace is ours
  std::vector<CgroupTarget> cgroups;
  bool rootless_cgroups = false;  // created --rootless: joining them may fail, as in runc
  std::optional<oci::Seccomp> seccomp;  // the container's linux.seccomp (runc applies it to exec too)
  oci::State state;  // "running", for a seccomp agent
};

// Errors as runc words them: "container does not exist", "cannot exec in a
// stopped container", "cannot exec in a paused container (use
// --ignore-paused to override)". A created container takes execs, as in runc.
Result<ExecTarget> open_exec_target(const RuntimeOptions& rt, const std::string& id,
                                    const ExecRunOptions& opts);

}  // namespace nucleus::exec
