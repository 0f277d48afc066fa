// V1Manager::check and ::set: each controller's limits go to its v1
// hierarchy; on a hybrid host a controller with no v1 hierarchy but present in
// the cgroup2 mount (hugetlb on Debian's layout) gets its v2 files there.
// runc 1.1 refuses both that and `unified` on such hosts; nucleus refuses
// only what the host cannot do.
#include <algorithm>

#include "cgroups/limits_v1.hpp"
#include "cgroups/limits_v2.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/subtree_control.hpp"
#include "cgroups/v1.hpp"

namespace nucleus::cgroups {

namespace {

std::vector<std::string> unified_controllers(const oci::StringMap& unified) {
  std::vector<std::string> out;
  for (const auto& [key, value] : unified) {
    std::string c = key.substr(0, key.find('.'));
    if (c != "cgroup" && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

// What the hybrid host's cgroup2 hierarchy can give the container (none on v1).
static Result<std::vector<std::string>> cgroup2_controllers(const V1Dir* unified) {
  if (!unified) return std::vector<std::string>{};
  return available_controllers(unified->dir);
}

Result<void> V1Manager::check(const Limits& l) const {
  const auto in_cgroup2 = TRY(cgroup2_controllers(unified()));
  for (Group g : kV1Order) {
    if (!uses(g, l.change) || find(v1_controller(g))) continue;
    const auto v2 = v2_controller(g);
    if (!v2.empty() && std::find(in_cgroup2.begin(), in_cgroup2.end(), v2) != in_cgroup2.end()) {
      TRY_VOID(check_group_v2(g, l.change));
      continue;
    }
    // runc's words, and why.
    return fail(fmt::format("{}: cannot set {} limit: container could not join or create cgroup (no {} cgroup "
                            "hierarchy is mounted{})", json_path(g, l.change), v1_controller(g), v1_controller(g),
                            unified() ? ", nor is it in the cgroup2 one" : ""));
  }
  if (!l.change.unified.empty()) {
    if (!unified()) return fail("linux.resources.unified: invalid configuration: cannot use unified on cgroup v1");
    TRY_VOID(check_unified(l.change.unified, in_cgroup2, true));
  }
  TRY_VOID(check_memory_swap(l));
  if (const V1Dir* d = find("cpuset"))
    TRY_VOID(check_cpuset_within(l, d->dir, "cpuset.effective_cpus", "cpuset.effective_mems"));
  else if (uses(Group::cpuset, l.change) && unified())
    TRY_VOID(check_cpuset_within(l, unified()->dir, "cpuset.cpus.effective", "cpuset.mems.effective"));
  return {};
}

// The groups the hybrid cgroup2 dir takes, with the controllers they need
// enabled there (and their JSON paths, for the error when one cannot be).
struct Cgroup2Part {
  std::vector<Group> groups;
  std::vector<std::string> controllers;
  std::vector<std::string> paths;
};

static Result<void> enable_part(const std::filesystem::path& dir, const Cgroup2Part& part) {
  if (part.controllers.empty()) return {};
  TRY_VOID(enable_controllers(dir, part.controllers));
  const auto enabled = TRY(enabled_controllers(dir));
  return check_enabled(enabled, part.controllers, part.paths, dir);
}

Result<void> V1Manager::set(const Limits& l) {
  warn_kernel_memory(l.change);
  LimitWriter w(l.live);
  Cgroup2Part part;
  auto written = [&]() -> Result<void> {
    for (Group g : kV1Order) {
      if (!uses(g, l.change)) continue;
      if (const V1Dir* d = find(v1_controller(g))) {
        TRY_VOID(naming_field(write_group_v1(w, g, d->dir, l), json_path(g, l.change)));
      } else {
        part.groups.push_back(g);
        part.controllers.emplace_back(v2_controller(g));
        part.paths.push_back(json_path(g, l.change));
      }
    }
    for (auto& c : unified_controllers(l.change.unified)) {
      part.paths.push_back(fmt::format("linux.resources.unified (a {} key)", c));
      part.controllers.push_back(std::move(c));
    }
    if (part.controllers.empty() && l.change.unified.empty()) return {};
    if (!unified()) return fail("linux.resources: no cgroup2 hierarchy to apply the limits in");
    TRY_VOID(enable_part(unified()->dir, part));
    for (Group g : part.groups)
      TRY_VOID(naming_field(write_group_v2(w, g, unified()->dir, l), json_path(g, l.change)));
    return write_unified(w, unified()->dir, l.change.unified);
  }();
  if (!written) w.undo();
  return written;
}

}  // namespace nucleus::cgroups
