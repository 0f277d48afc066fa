// cgroupfs v2 on a pure v2 host: one dir in the unified hierarchy.
#pragma once

#include <filesystem>

#include "cgroups/manager.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups {

class V2Manager final : public CgroupManager {
 public:
  explicit V2Manager(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Enables every available controller in the ancestors' cgroup.subtree_control.
  Result<void> create() override;
  Result<void> apply(pid_t pid) override;
  Result<void> check(const Limits& limits) const override;  // v2_limits.cpp
  Result<void> set(const Limits& limits) override;
  Result<void> set_devices(const std::vector<oci::DeviceRule>& rules) override;
  Result<void> freeze() override;
  Result<void> thaw() override;
  Result<bool> frozen() const override;
  Result<CgroupStats> stats() const override;
  Result<OomWatch> watch_oom() const override;
  Result<std::vector<pid_t>> pids() const override;
  // cgroup.kill (Linux 5.14+) for SIGKILL: atomic, no freeze needed.
  Result<void> kill_all(int signal) override;
  Result<void> destroy() override;
  std::map<std::string, std::string> paths() const override;
  // Opened on first use (also for a re-opened manager, for exec).
  std::optional<int> clone_into_fd() const override;

 private:
  std::filesystem::path dir_;
  mutable UniqueFd dir_fd_;
};

}  // namespace nucleus::cgroups
