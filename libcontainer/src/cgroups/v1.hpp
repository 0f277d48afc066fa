// cgroupfs v1, also used on hybrid hosts: one dir per mounted hierarchy
// (co-mounted controllers such as cpu,cpuacct share one), plus the cgroup2
// dir of a hybrid host so that every process is visible in one tree there too.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

struct V1Dir {
  std::vector<std::string> controllers;  // empty: the cgroup2 dir (hybrid)
  std::filesystem::path dir;
  // Where the hierarchy is mounted; empty when re-opened from stored paths.
  std::filesystem::path mount_point;
};

class V1Manager final : public CgroupManager {
 public:
  explicit V1Manager(std::vector<V1Dir> dirs) : dirs_(std::move(dirs)) {}

  Result<void> create() override;
  Result<void> apply(pid_t pid) override;
  Result<void> check(const Limits& limits) const override;  // v1_limits.cpp
  Result<void> set(const Limits& limits) override;
  Result<void> set_devices(const std::vector<oci::DeviceRule>& rules) override;
  Result<void> freeze() override;
  Result<void> thaw() override;
  Result<bool> frozen() const override;
  Result<CgroupStats> stats() const override;
  Result<OomWatch> watch_oom() const override;
  Result<std::vector<pid_t>> pids() const override;
  Result<void> kill_all(int signal) override;
  Result<void> destroy() override;
  std::map<std::string, std::string> paths() const override;
  std::optional<int> clone_into_fd() const override { return std::nullopt; }

 private:
  const V1Dir* find(std::string_view controller) const;
  const V1Dir* unified() const;
  std::vector<V1Dir> dirs_;
};

// A new cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and no
// task may join it (ENOSPC) until they are set: fill them from the nearest
// ancestor that has them, top-down, stopping at mount_point (or at the first
// ancestor with values when mount_point is unknown).
Result<void> inherit_cpuset(const std::filesystem::path& dir, const std::filesystem::path& mount_point);

}  // namespace nucleus::cgroups
