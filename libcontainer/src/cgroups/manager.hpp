// The container's cgroups behind one interface, with cgroupfs v1 (also used
// on hybrid hosts), cgroupfs v2, systemd and "disabled" implementations chosen
// by make_cgroup_manager from the host layout and the driver flag.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>

#include "cgroups/limits.hpp"
#include "cgroups/oom_watch.hpp"
#include "nucleus/container.hpp"
#include "nucleus/error.hpp"
#include "nucleus/stats.hpp"

namespace nucleus::cgroups {

// v1: only v1 hierarchies; hybrid: v1 hierarchies plus a cgroup2 mount below
// the root (usually <root>/unified); v2: cgroup2 mounted at the root itself.
enum class Layout { v1, hybrid, v2 };

struct CgroupConfig {
  std::string id;            // container id
  std::string cgroups_path;  // config.linux.cgroupsPath ("" = default)
  CgroupDriver driver = CgroupDriver::cgroupfs;
  bool rootless = false;     // --rootless: cgroups/rootless.hpp
  std::filesystem::path mount_root = "/sys/fs/cgroup";
  // Parameters so that tests can describe a fake host.
  std::string proc_self_cgroup_path = "/proc/self/cgroup";
  std::string proc_init_cgroup_path = "/proc/1/cgroup";  // where systemd's v1 tree starts
  std::string mountinfo_path = "/proc/self/mountinfo";
};

class CgroupManager {
 public:
  virtual ~CgroupManager() = default;
  // mkdir the container's cgroup in every hierarchy (existing dirs are fine).
  virtual Result<void> create() = 0;
  // Move pid into the cgroup of every hierarchy (cgroup.procs).
  virtual Result<void> apply(pid_t pid) = 0;
  // linux.resources limits (devices aside) this host cannot apply, refused
  // with the JSON path before anything is written or created.
  virtual Result<void> check(const Limits& limits) const = 0;
  // Write them (after check), in runc's order; on a live container what was
  // written is restored when a later write fails.
  virtual Result<void> set(const Limits& limits) = 0;
  // linux.resources.devices, followed by runc's default allows (also when the
  // config has none: runc confines every container's devices). On v1 and
  // hybrid hosts in the devices hierarchy, else as a BPF program on the
  // cgroup2 dir; an error when the host has neither.
  virtual Result<void> set_devices(const std::vector<oci::DeviceRule>& rules) = 0;
  virtual Result<void> freeze() = 0;
  virtual Result<void> thaw() = 0;
  // Frozen or being frozen by its own freezer (not only an ancestor's).
  virtual Result<bool> frozen() const = 0;
  // Resource usage, in runc's terms (stats_v1.cpp, stats_v2.cpp).
  virtual Result<CgroupStats> stats() const = 0;
  // OOM kills as they happen (oom_watch.hpp).
  virtual Result<OomWatch> watch_oom() const = 0;
  // Every process in the container's cgroup and its descendants; empty when
  // the cgroup no longer exists.
  virtual Result<std::vector<pid_t>> pids() const = 0;
  // Signal every process, with the cgroup frozen meanwhile so that no fork
  // escapes (cgroup.kill on v2 for SIGKILL).
  virtual Result<void> kill_all(int signal) = 0;
  // Remove the container's cgroup dirs (and child cgroups); kills nothing.
  // Dirs that are already gone are fine.
  virtual Result<void> destroy() = 0;
  // controller -> absolute dir ("" for the cgroup2 dir, as runc stores it);
  // kept in the state record and given back to open_cgroup_manager.
  virtual std::map<std::string, std::string> paths() const = 0;
  // A cgroup2 dir fd for clone3's CLONE_INTO_CGROUP: only on pure v2 hosts
  // (on hybrid hosts it would miss the v1 hierarchies). Owned by the manager.
  virtual std::optional<int> clone_into_fd() const = 0;
};

// From statfs of mount_root (cgroup2 there = v2) and, otherwise, the cgroup
// mounts listed in mountinfo.
Result<Layout> detect_layout(const std::filesystem::path& mount_root,
                             const std::filesystem::path& mountinfo = "/proc/self/mountinfo");

Result<std::unique_ptr<CgroupManager>> make_cgroup_manager(const CgroupConfig& config);

// Re-open a container's cgroups from the paths() stored at create, for kill
// --all, ps, pause/resume and delete.
Result<std::unique_ptr<CgroupManager>> open_cgroup_manager(
    const std::map<std::string, std::string>& paths, CgroupDriver driver);

}  // namespace nucleus::cgroups
