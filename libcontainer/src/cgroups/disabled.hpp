// --cgroup-manager disabled, or a rootless container that could make none
// (rootless.hpp): the container has no cgroup of its own.
#pragma once

#include <string>

#include "cgroups/manager.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

class DisabledManager final : public CgroupManager {
 public:
  DisabledManager() = default;
  // A rootless container with no cgroup it could make: limits are refused
  // with `why`, as are the queries.
  explicit DisabledManager(std::string why) : why_(std::move(why)), refuse_limits_(true) {}
  Result<void> create() override { return {}; }
  Result<void> apply(pid_t) override { return {}; }
  // Like crun, limits cannot apply without a cgroup; said once, as a warning
  // (set) when cgroups are disabled.
  Result<void> check(const Limits& limits) const override {
    oci::Resources limited = limits.change;
    limited.devices.clear();
    if (refuse_limits_ && limited != oci::Resources{}) return fail("linux.resources: " + why_);
    return {};
  }
  Result<void> set(const Limits& limits) override {
    oci::Resources limited = limits.change;
    limited.devices.clear();
    if (limited != oci::Resources{}) log::warn("linux.resources: not applied, cgroups are disabled");
    return {};
  }
  Result<void> set_devices(const std::vector<oci::DeviceRule>&) override { return {}; }
  Result<void> freeze() override { return disabled(); }
  Result<void> thaw() override { return disabled(); }
  Result<bool> frozen() const override { return false; }
  Result<CgroupStats> stats() const override { return disabled(); }
  Result<OomWatch> watch_oom() const override { return disabled(); }
  Result<std::vector<pid_t>> pids() const override { return disabled(); }
  Result<void> kill_all(int) override { return disabled(); }
  Result<void> destroy() override { return {}; }
  std::map<std::string, std::string> paths() const override { return {}; }
  std::optional<int> clone_into_fd() const override { return std::nullopt; }

 private:
  std::unexpected<Error> disabled() const { return fail(why_); }
  std::string why_ = "cgroups disabled";
  bool refuse_limits_ = false;
};

}  // namespace nucleus::cgroups
