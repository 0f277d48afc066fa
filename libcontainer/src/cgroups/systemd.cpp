#include "cgroups/systemd.hpp"

#include <sys/stat.h>

#include <climits>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/hierarchy.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNotRunning = "systemd not running on this host, cannot use systemd cgroups manager";
// Errors in the path name the field, then say what runc says.
constexpr const char* kPathField = "linux.cgroupsPath";

UnitConnector default_connector(UnitConnector connect) {
  if (connect) return connect;
  return [] { return connect_systemd(); };
}

// On v1 every hierarchy has the unit's dir below the cgroup systemd (pid 1)
// is in, less its init.scope (runc's getSubsystemPath); systemd makes the
// dirs of the controllers it manages, apply makes the others.
Result<std::unique_ptr<CgroupManager>> v1_files(const HostCgroups& host, const std::string& cgroup,
                                                const CgroupConfig& config) {
  const auto init = parse_proc_cgroup(TRY(read_file(config.proc_init_cgroup_path)));
  std::vector<V1Dir> dirs;
  for (const auto& h : host.hierarchies) {
    std::string base = TRY(own_cgroup_in(h, init));
    if (base.ends_with("/init.scope")) base.resize(base.size() - std::string_view("/init.scope").size());
    dirs.push_back({h.controllers, h.mount_point / fs::path(base).relative_path() / fs::path(cgroup).relative_path(),
                    h.mount_point});
  }
  return std::make_unique<V1Manager>(std::move(dirs));
}

// A cgroup dir is the unit's: its name is the unit's name.
std::string unit_of(const std::map<std::string, std::string>& paths) {
  return paths.empty() ? std::string() : fs::path(paths.begin()->second).filename().native();
}

}  // namespace

bool systemd_running(const fs::path& marker) {
  struct stat st {};
  return ::lstat(marker.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

SystemdManager::SystemdManager(SystemdPath path, std::unique_ptr<CgroupManager> files, bool cgroup2,
                               UnitConnector connect)
    : path_(std::move(path)),
      unit_(unit_name(*path_)),
      files_(std::move(files)),
      cgroup2_(cgroup2),
      connect_(default_connector(std::move(connect))),
      started_(false) {}

SystemdManager::SystemdManager(std::string unit, std::unique_ptr<CgroupManager> files, bool cgroup2,
                               UnitConnector connect)
    : unit_(std::move(unit)),
      files_(std::move(files)),
      cgroup2_(cgroup2),
      connect_(default_connector(std::move(connect))),
      started_(true) {}

Result<UnitControl*> SystemdManager::control() {
  if (!control_) control_ = TRY(connect_());
  return control_.get();
}

// Asked at most once, and only when a property depends on it.
SystemdVersion SystemdManager::version() {
  return [this] {
    auto c = control();
    return c ? (*c)->version() : -1;
  };
}

Result<void> SystemdManager::apply(pid_t pid) {
  if (started_) return files_->apply(pid);
  UnitProperties properties = unit_start_properties(*path_, pid, cgroup2_);
  properties.insert(properties.end(), pending_device_properties_.begin(), pending_device_properties_.end());
  properties.insert(properties.end(), pending_properties_.begin(), pending_properties_.end());
  UnitControl* c = TRY(control());
  TRY_VOID(c->start_unit(unit_, properties));
  started_ = true;
  // v1: the hierarchies systemd leaves alone; v2: controllers down the tree.
  TRY_VOID(files_->create());
  TRY_VOID(files_->apply(pid));
  if (pending_devices_) TRY_VOID(files_->set_devices(*pending_devices_));
  if (pending_limits_) TRY_VOID(files_->set({*pending_limits_, *pending_limits_}));
  return {};
}

// The conversions to properties are checked too, without asking systemd
// anything (its version only decides which properties are sent).
Result<void> SystemdManager::check(const Limits& limits) const {
  TRY_VOID(files_->check(limits));
  TRY_VOID(resource_properties(limits.result, cgroup2_, [] { return INT_MAX; }));
  return {};
}

Result<void> SystemdManager::set(const Limits& limits) {
  auto properties = TRY(resource_properties(limits.result, cgroup2_, version()));
  if (!started_) {
    pending_limits_ = limits.change;
    pending_properties_ = std::move(properties);
    return {};
  }
  UnitControl* c = TRY(control());
  TRY_VOID(c->set_unit_properties(unit_, properties));
  return files_->set(limits);
}

Result<void> SystemdManager::set_devices(const std::vector<oci::DeviceRule>& rules) {
  auto properties = TRY(device_properties(rules, version()));
  if (!started_) {
    pending_devices_ = rules;
    pending_device_properties_ = std::move(properties);
    return {};
  }
  TRY_VOID(set_device_properties(properties));
  return files_->set_devices(rules);
}

// systemd rewrites a v1 devices cgroup from deny-all up, so a running
// container could meet spurious EPERMs: it is frozen meanwhile (runc's
// freezeBeforeSet), unless it already is.
Result<void> SystemdManager::set_device_properties(const UnitProperties& properties) {
  UnitControl* c = TRY(control());
  const bool freeze = !cgroup2_ && !files_->frozen().value_or(true) && files_->freeze().has_value();
  auto set = c->set_unit_properties(unit_, properties);
  if (freeze) (void)files_->thaw();
  return set;
}

Result<void> SystemdManager::destroy() {
  Result<void> stopped = {};
  if (started_) {
    auto c = control();
    stopped = c ? (*c)->stop_unit(unit_) : Result<void>(std::unexpected(c.error()));
  }
  // Dirs systemd does not manage (v1), or that a failed stop left.
  auto removed = files_->destroy();
  return stopped ? removed : stopped;
}

std::optional<int> SystemdManager::clone_into_fd() const {
  // Before the unit starts there is no cgroup to clone into.
  return started_ ? files_->clone_into_fd() : std::nullopt;
}

Result<std::unique_ptr<CgroupManager>> make_systemd_manager(const CgroupConfig& config, const fs::path& marker,
                                                            UnitConnector connect) {
  auto path = parse_systemd_path(config.cgroups_path, config.id);
  if (!path) return std::unexpected(std::move(path).error().context(kPathField));
  if (!systemd_running(marker)) return fail(kNotRunning);
  auto cgroup_of_unit = unit_cgroup(*path);
  if (!cgroup_of_unit) return std::unexpected(std::move(cgroup_of_unit).error().context(kPathField));
  const std::string& cgroup = *cgroup_of_unit;
  auto host = TRY(discover_hierarchies(config.mount_root, config.mountinfo_path));
  const bool cgroup2 = host.layout == Layout::v2;
  std::unique_ptr<CgroupManager> files;
  if (cgroup2)
    files = std::make_unique<V2Manager>(config.mount_root / fs::path(cgroup).relative_path());
  else
    files = TRY(v1_files(host, cgroup, config));
  return std::make_unique<SystemdManager>(std::move(*path), std::move(files), cgroup2, std::move(connect));
}

Result<std::unique_ptr<CgroupManager>> open_systemd_manager(const std::map<std::string, std::string>& paths,
                                                            std::unique_ptr<CgroupManager> files,
                                                            const fs::path& marker, UnitConnector connect) {
  if (!systemd_running(marker)) return fail(kNotRunning);
  const bool cgroup2 = paths.size() == 1 && paths.begin()->first.empty();
  return std::make_unique<SystemdManager>(unit_of(paths), std::move(files), cgroup2, std::move(connect));
}

}  // namespace nucleus::cgroups
