// V2Manager::check and ::set: the container's one cgroup2 dir.
#include <algorithm>

#include "cgroups/limits_v2.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/subtree_control.hpp"
#include "cgroups/v2.hpp"

namespace nucleus::cgroups {

namespace {

constexpr std::array kAllGroups = {Group::pids,   Group::memory,  Group::blkio,   Group::cpu,    Group::cpuset,
                                   Group::hugetlb, Group::rdma,   Group::net_cls, Group::net_prio};

// The controllers l.change needs, with the JSON path that needs each.
void needed_controllers(const Limits& l, std::vector<std::string>& controllers, std::vector<std::string>& paths) {
  auto add = [&](std::string c, std::string path) {
    if (c == "cgroup" || std::find(controllers.begin(), controllers.end(), c) != controllers.end()) return;
    controllers.push_back(std::move(c));
    paths.push_back(std::move(path));
  };
  for (Group g : kV2Order) {
    if (uses(g, l.change)) add(std::string(v2_controller(g)), json_path(g, l.change));
  }
  for (const auto& [key, value] : l.change.unified)
    add(key.substr(0, key.find('.')), fmt::format("linux.resources.unified[\"{}\"]", key));
}

}  // namespace

Result<void> V2Manager::check(const Limits& l) const {
  std::vector<std::string> controllers, paths;
  for (Group g : kAllGroups) {
    if (uses(g, l.change)) TRY_VOID(check_group_v2(g, l.change));
  }
  needed_controllers(l, controllers, paths);
  if (!controllers.empty()) {
    const auto available = TRY(available_controllers(dir_));
    TRY_VOID(check_unified(l.change.unified, available, false));
    for (std::size_t i = 0; i < controllers.size(); ++i) {
      if (std::find(available.begin(), available.end(), controllers[i]) == available.end())
        return fail(fmt::format("{}: the {} controller is not available to \"{}\"", paths[i], controllers[i],
                                dir_.native()));
    }
  }
  TRY_VOID(check_memory_swap(l));
  return check_cpuset_within(l, dir_, "cpuset.cpus.effective", "cpuset.mems.effective");
}

Result<void> V2Manager::set(const Limits& l) {
  warn_kernel_memory(l.change);
  std::vector<std::string> controllers, paths;
  needed_controllers(l, controllers, paths);
  if (!controllers.empty()) {
    TRY_VOID(enable_controllers(dir_, controllers));
    const auto enabled = TRY(enabled_controllers(dir_));
    TRY_VOID(check_enabled(enabled, controllers, paths, dir_));
  }
  LimitWriter w(l.live);
  auto written = [&]() -> Result<void> {
    for (Group g : kV2Order) {
      if (uses(g, l.change)) TRY_VOID(naming_field(write_group_v2(w, g, dir_, l), json_path(g, l.change)));
    }
    return write_unified(w, dir_, l.change.unified);
  }();
  if (!written) w.undo();
  return written;
}

}  // namespace nucleus::cgroups
