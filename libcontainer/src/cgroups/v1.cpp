#include "cgroups/v1.hpp"

#include <algorithm>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/kill_all.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

bool has(const V1Dir& d, std::string_view controller) {
  return std::find(d.controllers.begin(), d.controllers.end(), controller) != d.controllers.end();
}

// The value of file in dir, copied down from the nearest ancestor if empty.
Result<std::string> inherit_value(const fs::path& dir, const fs::path& mount_point, const char* file) {
  auto value = TRY(read_value_or_empty(dir / file));
  if (!value.empty() || dir == mount_point || !dir.has_relative_path()) return value;
  auto parent = TRY(inherit_value(dir.parent_path(), mount_point, file));
  if (!parent.empty()) TRY_VOID(write_file(dir / file, parent));
  return parent;
}

}  // namespace

Result<void> inherit_cpuset(const fs::path& dir, const fs::path& mount_point) {
  TRY_VOID(inherit_value(dir, mount_point, "cpuset.cpus"));
  TRY_VOID(inherit_value(dir, mount_point, "cpuset.mems"));
  return {};
}

const V1Dir* V1Manager::find(std::string_view controller) const {
  auto it = std::find_if(dirs_.begin(), dirs_.end(), [&](const V1Dir& d) { return has(d, controller); });
  return it == dirs_.end() ? nullptr : &*it;
}

const V1Dir* V1Manager::unified() const {
  auto it = std::find_if(dirs_.begin(), dirs_.end(), [](const V1Dir& d) { return d.controllers.empty(); });
  return it == dirs_.end() ? nullptr : &*it;
}

Result<void> V1Manager::create() {
  for (const auto& d : dirs_) {
    TRY_VOID(make_dirs(d.dir));
    if (has(d, "cpuset")) TRY_VOID(inherit_cpuset(d.dir, d.mount_point));
  }
  return {};
}

Result<void> V1Manager::apply(pid_t pid) {
  const auto text = std::to_string(pid);
  for (const auto& d : dirs_) TRY_VOID(write_file(d.dir / "cgroup.procs", text));
  return {};
}

// As runc: the v1 devices hierarchy when there is one (a hybrid host's cgroup2
// dir is not used then); without it the kernel still runs the BPF device
// program of a hybrid host's cgroup2 dir.
Result<void> V1Manager::set_devices(const std::vector<oci::DeviceRule>& rules) {
  if (auto* d = find("devices")) return set_container_devices(d->dir, DevicesVia::v1, rules);
  if (auto* u = unified()) return set_container_devices(u->dir, DevicesVia::bpf, rules);
  return fail("linux.resources.devices: no devices cgroup hierarchy and no cgroup2 is mounted to apply "
              "the device rules in");
}

// Without a v1 freezer, a hybrid host's cgroup2 dir still has cgroup.freeze.
Result<void> V1Manager::freeze() {
  if (auto* d = find("freezer")) return freeze_v1(d->dir);
  if (auto* u = unified()) return freeze_v2(u->dir);
  return fail("freeze: no freezer cgroup hierarchy is mounted", ENOTSUP);
}

Result<void> V1Manager::thaw() {
  if (auto* d = find("freezer")) return thaw_v1(d->dir);
  if (auto* u = unified()) return thaw_v2(u->dir);
  return fail("thaw: no freezer cgroup hierarchy is mounted", ENOTSUP);
}

Result<bool> V1Manager::frozen() const {
  if (auto* d = find("freezer")) return frozen_v1(d->dir);
  if (auto* u = unified()) return frozen_v2(u->dir);
  return false;
}

// Every joined hierarchy holds all the container's processes; the freezer's
// is the one kill_all freezes, so it is read first.
Result<std::vector<pid_t>> V1Manager::pids() const {
  const V1Dir* d = find("freezer");
  if (!d) d = unified();
  if (!d && !dirs_.empty()) d = &dirs_.front();
  if (!d) return fail("list cgroup processes: no cgroup hierarchy", ENOENT);
  return read_procs_recursive(d->dir);
}

Result<void> V1Manager::kill_all(int signal) {
  return signal_all(*this, signal, find("freezer") != nullptr || unified() != nullptr);
}

Result<void> V1Manager::destroy() {
  Result<void> first = {};
  for (const auto& d : dirs_) {
    auto r = remove_cgroup_tree(d.dir);
    if (!r && first) first = std::move(r);
  }
  return first;
}

std::map<std::string, std::string> V1Manager::paths() const {
  std::map<std::string, std::string> out;
  for (const auto& d : dirs_) {
    if (d.controllers.empty()) out.emplace("", d.dir.native());
    for (const auto& c : d.controllers) out.emplace(c, d.dir.native());
  }
  return out;
}

}  // namespace nucleus::cgroups
