#include "cgroups/hierarchy.hpp"

#include <sys/statfs.h>

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/ranges.h>

#include "cgroups/cgroup_file.hpp"
#include "mountinfo/mountinfo.hpp"
#include "mountinfo/split.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

constexpr long cgroup2_super_magic = 0x63677270;  // linux/magic.h

// Super options of a v1 cgroup mount that are not controllers.
bool is_mount_option(std::string_view opt) {
  constexpr std::array<std::string_view, 9> options = {
      "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods", "none", "all"};
  return opt.empty() || opt.starts_with("release_agent=") ||
         std::find(options.begin(), options.end(), opt) != options.end();
}

std::vector<std::string> controllers_from(std::string_view list, bool mount_options) {
  std::vector<std::string> out;
  for (auto c : split(list, ',')) {
    if (c.empty() || (mount_options && is_mount_option(c))) continue;
    out.emplace_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// runc joins the named hierarchy name=systemd but no other named one.
bool worth_joining(const std::vector<std::string>& controllers) {
  return std::any_of(controllers.begin(), controllers.end(), [](const std::string& c) {
    return !c.starts_with("name=") || c == "name=systemd";
  });
}

bool is_below(const fs::path& p, const fs::path& root) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end() && q != p.end();
}

}  // namespace

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> out;
  for (auto& mi : parse_mountinfo(mountinfo)) {
    if (mi.fstype != "cgroup" && mi.fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = std::move(mi.root);
    m.mount_point = fs::path(mi.mount_point).lexically_normal();
    m.cgroup2 = mi.fstype == "cgroup2";
    if (!m.cgroup2) m.controllers = controllers_from(mi.super_options, true);
    out.push_back(std::move(m));
  }
  return out;
}

Result<HostCgroups> discover_hierarchies(const fs::path& mount_root, const fs::path& mountinfo) {
  auto text = TRY(read_file(mountinfo));
  fs::path root = mount_root.lexically_normal();
  if (!root.has_filename()) root = root.parent_path();  // drop a trailing '/'

  HostCgroups host;
  std::optional<Hierarchy> unified;
  for (auto& m : parse_cgroup_mounts(text)) {
    Hierarchy h{std::move(m.controllers), m.mount_point, m.root};
    if (m.cgroup2 && m.mount_point == root) {
      return HostCgroups{Layout::v2, {std::move(h)}};
    }
    if (!is_below(m.mount_point, root)) continue;
    if (m.cgroup2) {
      if (!unified) unified = std::move(h);
      continue;
    }
    bool seen = std::any_of(host.hierarchies.begin(), host.hierarchies.end(),
                            [&](const Hierarchy& o) { return o.controllers == h.controllers; });
    if (!seen && worth_joining(h.controllers)) host.hierarchies.push_back(std::move(h));
  }
  if (host.hierarchies.empty() && !unified)
    return fail(fmt::format("no cgroup hierarchy is mounted at \"{}\"", root.native()));
  host.layout = host.hierarchies.empty() ? Layout::v2 : unified ? Layout::hybrid : Layout::v1;
  if (unified) host.hierarchies.push_back(std::move(*unified));
  return host;
}

Result<Layout> detect_layout(const fs::path& mount_root, const fs::path& mountinfo) {
  // The common pure-v2 case needs no mountinfo.
  struct statfs st {};
  if (::statfs(mount_root.c_str(), &st) == 0 && st.f_type == cgroup2_super_magic) return Layout::v2;
  auto host = TRY(discover_hierarchies(mount_root, mountinfo));
  return host.layout;
}

std::vector<ProcCgroup> parse_proc_cgroup(std::string_view text) {
  std::vector<ProcCgroup> out;
  for (auto line : split(text, '\n')) {
    auto c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    auto c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    out.push_back({controllers_from(line.substr(c1 + 1, c2 - c1 - 1), false),
                   std::string(line.substr(c2 + 1))});
  }
  return out;
}

Result<std::string> own_cgroup_in(const Hierarchy& h, const std::vector<ProcCgroup>& own) {
  auto it = std::find_if(own.begin(), own.end(),
                         [&](const ProcCgroup& c) { return c.controllers == h.controllers; });
  std::string name = h.unified() ? std::string("cgroup2") : fmt::format("{}", fmt::join(h.controllers, ","));
  if (it == own.end())
    return fail(fmt::format("find this process's cgroup in the {} hierarchy: not listed", name));
  const std::string& p = it->path;
  const std::string& r = h.mount_source_root;
  if (r == "/" || r.empty()) return p;
  if (p == r) return std::string("/");
  if (p.starts_with(r) && p.size() > r.size() && p[r.size()] == '/') return p.substr(r.size());
  return fail(fmt::format("this process's cgroup \"{}\" is outside the mounted part \"{}\" of the {} hierarchy",
                          p, r, name));
}

}  // namespace nucleus::cgroups
