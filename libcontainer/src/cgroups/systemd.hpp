// The systemd cgroup driver (--systemd-cgroup / --cgroup-manager systemd),
// as runc 1.1's: the container's cgroup is a transient scope that systemd
// creates when it is started with the init's pid (apply), with the limits
// systemd knows as unit properties; then every limit is written to the
// cgroup files by the cgroupfs v1/v2 code, which also serves freeze, stats,
// pids and kill. destroy stops the unit.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cgroups/manager.hpp"
#include "cgroups/systemd_dbus.hpp"
#include "cgroups/systemd_unit.hpp"

namespace nucleus::cgroups {

inline constexpr const char* systemd_marker = "/run/systemd/system";

// systemd's own test (sd_booted): the marker dir exists.
bool systemd_running(const std::filesystem::path& marker = systemd_marker);

// Opens the connection to systemd, on first need (not for kill, ps, pause).
using UnitConnector = std::function<Result<std::unique_ptr<UnitControl>>()>;

class SystemdManager final : public CgroupManager {
 public:
  // A unit still to start: `files` manages the dirs it will have.
  SystemdManager(SystemdPath path, std::unique_ptr<CgroupManager> files, bool cgroup2, UnitConnector connect);
  // A unit started earlier, named by its cgroup dir.
  SystemdManager(std::string unit, std::unique_ptr<CgroupManager> files, bool cgroup2, UnitConnector connect);

  // Nothing: systemd makes the cgroup when apply starts the unit.
  Result<void> create() override { return {}; }
  // Starts the unit with pid and waits for it, then has the files written
  // that set and set_devices kept for it; once started, joins pid.
  Result<void> apply(pid_t pid) override;
  Result<void> check(const Limits& limits) const override;
  // Before apply: kept for it. After: SetUnitProperties, then the files.
  Result<void> set(const Limits& limits) override;
  Result<void> set_devices(const std::vector<oci::DeviceRule>& rules) override;
  Result<void> freeze() override { return files_->freeze(); }
  Result<void> thaw() override { return files_->thaw(); }
  Result<bool> frozen() const override { return files_->frozen(); }
  Result<CgroupStats> stats() const override { return files_->stats(); }
  Result<OomWatch> watch_oom() const override { return files_->watch_oom(); }
  Result<std::vector<pid_t>> pids() const override { return files_->pids(); }
  Result<void> kill_all(int signal) override { return files_->kill_all(signal); }
  // Stops the unit (if it was started), then removes what dirs are left.
  Result<void> destroy() override;
  std::map<std::string, std::string> paths() const override { return files_->paths(); }
  std::optional<int> clone_into_fd() const override;

 private:
  Result<UnitControl*> control();
  SystemdVersion version();
  Result<void> set_device_properties(const UnitProperties& properties);

  std::optional<SystemdPath> path_;  // only for a unit still to start
  std::string unit_;
  std::unique_ptr<CgroupManager> files_;
  bool cgroup2_;
  UnitConnector connect_;
  std::unique_ptr<UnitControl> control_;
  bool started_;
  // What set and set_devices were given before the unit existed.
  std::optional<oci::Resources> pending_limits_;
  std::optional<std::vector<oci::DeviceRule>> pending_devices_;
  UnitProperties pending_properties_;
  UnitProperties pending_device_properties_;
};

// The manager for config (cgroupsPath "slice:prefix:name"). Errors as
// runc's: a bad path first, then no systemd.
Result<std::unique_ptr<CgroupManager>> make_systemd_manager(
    const CgroupConfig& config, const std::filesystem::path& marker = systemd_marker, UnitConnector connect = {});

// The manager of a container created with the systemd driver, from its
// stored paths; `files` is the cgroupfs manager over them.
Result<std::unique_ptr<CgroupManager>> open_systemd_manager(const std::map<std::string, std::string>& paths,
                                                            std::unique_ptr<CgroupManager> files,
                                                            const std::filesystem::path& marker = systemd_marker,
                                                            UnitConnector connect = {});

}  // namespace nucleus::cgroups
