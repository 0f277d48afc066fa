// Choosing and building the manager: make_cgroup_manager at create (from the
// host layout and cgroupsPath), open_cgroup_manager later (from stored paths).
#include <algorithm>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/cgroup_path.hpp"
#include "cgroups/disabled.hpp"
#include "cgroups/hierarchy.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/rootless.hpp"
#include "cgroups/systemd.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNoCgroupOfItsOwn =
    "the container has no cgroup of its own (rootless, and the user may not create one here)";

Result<std::unique_ptr<CgroupManager>> make_cgroupfs_manager(const CgroupConfig& config) {
  auto path = TRY(parse_cgroups_path(config.cgroups_path, config.id));
  auto host = TRY(discover_hierarchies(config.mount_root, config.mountinfo_path));
  std::vector<ProcCgroup> own;
  if (!path.absolute) own = parse_proc_cgroup(TRY(read_file(config.proc_self_cgroup_path)));

  // rootless.hpp: only the default path is given up where it may not be made.
  const bool may_leave_out = config.rootless && config.cgroups_path.empty();
  std::vector<LeftOut> left_out;
  auto keep = [&](const std::vector<std::string>& controllers, const fs::path& dir) {
    const int err = may_leave_out ? cgroup_access(dir) : 0;
    if (is_permission_errno(err)) left_out.push_back({controllers, dir, err});
    return !is_permission_errno(err);
  };
  std::unique_ptr<CgroupManager> manager;
  if (host.layout == Layout::v2) {
    auto dir = TRY(cgroup_dir(host.hierarchies.front(), path, own, host.layout));
    if (keep({}, dir)) manager = std::make_unique<V2Manager>(std::move(dir));
    else manager = std::make_unique<DisabledManager>(kNoCgroupOfItsOwn);
  } else {
    std::vector<V1Dir> dirs;
    for (const auto& h : host.hierarchies) {
      auto dir = TRY(cgroup_dir(h, path, own, host.layout));
      if (keep(h.controllers, dir)) dirs.push_back({h.controllers, std::move(dir), h.mount_point});
    }
    manager = std::make_unique<V1Manager>(std::move(dirs));
  }
  if (!config.rootless) return manager;
  return make_rootless_manager(std::move(manager), std::move(left_out), host.layout == Layout::v2);
}

// The dirs of stored paths, as the cgroupfs managers (the systemd driver's
// files too).
Result<std::unique_ptr<CgroupManager>> open_cgroupfs_manager(const std::map<std::string, std::string>& paths) {
  for (const auto& [controller, dir] : paths) {
    if (!fs::path(dir).is_absolute())
      return fail(fmt::format("stored cgroup path \"{}\" of \"{}\" is not absolute", dir, controller));
  }
  if (paths.size() == 1 && paths.begin()->first.empty())
    return std::make_unique<V2Manager>(paths.begin()->second);
  // Co-mounted controllers (cpu,cpuacct) share a dir: one V1Dir per dir.
  std::vector<V1Dir> dirs;
  for (const auto& [controller, dir] : paths) {
    auto it = std::find_if(dirs.begin(), dirs.end(), [&](const V1Dir& d) { return d.dir == dir; });
    if (it == dirs.end()) it = dirs.insert(dirs.end(), V1Dir{{}, dir, {}});
    if (!controller.empty()) it->controllers.push_back(controller);
  }
  return std::make_unique<V1Manager>(std::move(dirs));
}

}  // namespace

Result<std::unique_ptr<CgroupManager>> make_cgroup_manager(const CgroupConfig& config) {
  switch (config.driver) {
    case CgroupDriver::disabled:
      return std::make_unique<DisabledManager>();
    case CgroupDriver::systemd:
      return make_systemd_manager(config);
    case CgroupDriver::cgroupfs:
      break;
  }
  return make_cgroupfs_manager(config);
}

Result<std::unique_ptr<CgroupManager>> open_cgroup_manager(const std::map<std::string, std::string>& paths,
                                                           CgroupDriver driver) {
  if (driver == CgroupDriver::disabled) return std::make_unique<DisabledManager>();
  // No paths: a rootless container that was let make none.
  if (paths.empty()) return std::make_unique<DisabledManager>(kNoCgroupOfItsOwn);
  auto files = TRY(open_cgroupfs_manager(paths));
  if (driver == CgroupDriver::systemd) return open_systemd_manager(paths, std::move(files));
  return files;
}

}  // namespace nucleus::cgroups
