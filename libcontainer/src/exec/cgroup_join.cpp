#include "exec/cgroup_join.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

namespace {

// base + sub, sub read relative to base (a leading "/" too); as runc, a
// path that climbs out of the container's cgroup is refused.
Result<std::filesystem::path> sub_dir(const std::string& base, const std::string& sub) {
  std::string relative = sub;
  while (relative.starts_with('/')) relative.erase(0, 1);
  std::filesystem::path rel = std::filesystem::path(relative).lexically_normal();
  if (!rel.empty() && *rel.begin() == "..") return fail(fmt::format("{} is not a sub cgroup path", sub));
  if (!rel.empty() && !rel.has_filename()) rel = rel.parent_path();  // "a/" -> "a"
  if (rel.empty() || rel == ".") return std::filesystem::path(base);
  return std::filesystem::path(base) / rel;
}

std::string describe(const ExecSubCgroup& sub) {
  if (sub.controllers.empty()) return sub.path;
  return fmt::format("{}:{}", fmt::join(sub.controllers, ","), sub.path);
}

// One hierarchy: its dir and the controller keys stored for it.
struct Hierarchy {
  std::string dir;
  std::vector<std::string> keys;
};

std::vector<Hierarchy> group_by_dir(const std::map<std::string, std::string>& paths) {
  std::vector<Hierarchy> out;
  for (const auto& [key, dir] : paths) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Hierarchy& h) { return h.dir == dir; });
    if (it == out.end()) out.push_back({dir, {key}});
    else it->keys.push_back(key);
  }
  return out;
}

Result<void> write_procs(const std::filesystem::path& dir, pid_t pid) {
  std::filesystem::path file = dir / "cgroup.procs";
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", file.native()));
  std::string text = std::to_string(pid);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno(fmt::format("write {} to {}", text, file.native()));
  return {};
}

// The "0::" entry of /proc/<pid>/cgroup.
std::optional<std::string> unified_cgroup_of(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/cgroup", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("0::")) return line.substr(3);
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<CgroupTarget>> exec_cgroup_targets(
    const std::map<std::string, std::string>& paths, const std::vector<ExecSubCgroup>& subs) {
  bool pure_v2 = paths.size() == 1 && paths.begin()->first.empty();
  const ExecSubCgroup* for_all = nullptr;
  std::map<std::string, const ExecSubCgroup*> by_controller;
  for (const auto& sub : subs) {
    if (sub.controllers.empty()) {
      for_all = &sub;
      continue;
    }
    for (const auto& c : sub.controllers) {
      // runc's words; on cgroup v2 (one hierarchy, no controller keys) for any prefix.
      if (pure_v2 || !paths.contains(c)) return fail(fmt::format("unknown controller {} in SubCgroupPaths", c));
      by_controller[c] = &sub;
    }
  }
  std::vector<CgroupTarget> out;
  for (const auto& h : group_by_dir(paths)) {
    // Co-mounted controllers share a dir: one sub-path for all of them.
    const ExecSubCgroup* chosen = nullptr;
    for (const auto& key : h.keys) {
      auto it = by_controller.find(key);
      if (it == by_controller.end()) continue;
      if (chosen && chosen->path != it->second->path)
        return fail(fmt::format("invalid --cgroup argument(s): {} and {} name one hierarchy",
                                describe(*chosen), describe(*it->second)));
      chosen = it->second;
    }
    if (!chosen) chosen = for_all;
    CgroupTarget t;
    t.unified = std::find(h.keys.begin(), h.keys.end(), "") != h.keys.end();
    t.dir = chosen ? TRY(sub_dir(h.dir, chosen->path)) : std::filesystem::path(h.dir);
    t.may_fall_back = chosen == nullptr;
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<std::filesystem::path> init_cgroup_dir(const std::filesystem::path& container_dir,
                                                     const std::string& init_cgroup) {
  std::vector<std::string> parts;
  for (const auto& p : container_dir.relative_path()) {
    if (!p.empty()) parts.push_back(p.native());
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string tail;
    for (std::size_t j = i; j < parts.size(); ++j) tail += "/" + parts[j];
    if (init_cgroup != tail && !init_cgroup.starts_with(tail + "/")) continue;
    std::filesystem::path base("/");
    for (std::size_t j = 0; j < i; ++j) base /= parts[j];
    return base / std::filesystem::path(init_cgroup).relative_path();
  }
  return std::nullopt;
}

Result<void> join_cgroups(const std::vector<CgroupTarget>& targets, pid_t pid, pid_t init_pid) {
  for (const auto& t : targets) {
    auto joined = write_procs(t.dir, pid);
    if (!joined && t.may_fall_back && t.unified && joined.error().err() == EBUSY) {
      auto init_cgroup = unified_cgroup_of(init_pid);
      auto dir = init_cgroup ? init_cgroup_dir(t.dir, *init_cgroup) : std::nullopt;
      if (dir) joined = write_procs(*dir, pid);
    }
    if (!joined)
      return std::unexpected(joined.error().context(fmt::format("error adding pid {} to cgroups", pid)));
  }
  return {};
}

}  // namespace nucleus::exec
