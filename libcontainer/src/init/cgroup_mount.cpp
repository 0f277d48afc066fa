#include "init/cgroup_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "init/mounts.hpp"
#include "init/rootfs_paths.hpp"
#include "mountinfo/mountinfo.hpp"
#include "mountinfo/split.hpp"

namespace nucleus::init {

namespace {

struct CgroupMount {
  std::string root;        // the mount's root within the hierarchy
  std::string mountpoint;
  bool v2 = false;
  std::vector<std::string> super_options;
};

std::vector<CgroupMount> cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> out;
  for (auto& mi : parse_mountinfo(mountinfo)) {
    if (mi.fstype != "cgroup" && mi.fstype != "cgroup2") continue;
    std::vector<std::string> options;
    for (auto o : split(mi.super_options, ',')) options.emplace_back(o);
    out.push_back({std::move(mi.root), std::move(mi.mount_point), mi.fstype == "cgroup2", std::move(options)});
  }
  return out;
}

// Whether the /proc/self/cgroup controller list names this mount's hierarchy.
bool matches(const CgroupMount& m, std::string_view controllers) {
  if (m.v2) return controllers.empty();
  if (controllers.empty()) return false;
  for (auto c : split(controllers, ',')) {
    if (std::find(m.super_options.begin(), m.super_options.end(), c) == m.super_options.end())
      return false;
  }
  return true;
}

std::optional<std::string> dir_in_mount(const CgroupMount& m, std::string_view path) {
  if (m.root == "/") return m.mountpoint + (path == "/" ? "" : std::string(path));
  if (path.substr(0, m.root.size()) != m.root) return std::nullopt;
  return m.mountpoint + std::string(path.substr(m.root.size()));
}

Result<std::string> read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return fail_errno(fmt::format("open {}", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<void> bind_hierarchy(const MountContext& ctx, const CgroupHierarchy& h,
                            std::string_view dest, const MountOptions& o, const std::string& display) {
  UniqueFd target = TRY(mkdir_all_in_root(ctx.root_fd, dest, 0755));
  TRY_VOID(mount_at(h.host_dir.c_str(), target.get(), nullptr, MS_BIND | MS_REC, {}, display));
  unsigned long flags = o.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (flags == 0) return {};
  UniqueFd mounted = TRY(open_in_root(ctx.root_fd, dest, O_PATH));
  return remount_bind(mounted.get(), flags, display);
}

// Co-mounted controllers ("cpu,cpuacct") get a symlink per controller, as on hosts.
Result<void> link_comounted(const MountContext& ctx, std::string_view dest, std::string_view name) {
  if (name.find(',') == std::string_view::npos) return {};
  UniqueFd dir = TRY(open_in_root(ctx.root_fd, dest, O_PATH | O_DIRECTORY));
  for (auto c : split(name, ',')) {
    std::string link(c);
    if (::symlinkat(std::string(name).c_str(), dir.get(), link.c_str()) != 0 && errno != EEXIST)
      return fail_errno(fmt::format("symlink {}/{}", dest, link));
  }
  return {};
}

Result<void> mount_v1_tree(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                           const std::string& display) {
  UniqueFd target = TRY(mkdir_all_in_root(ctx.root_fd, m.destination, 0755));
  unsigned long tmpfs_flags = (o.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME));
  TRY_VOID(mount_at("tmpfs", target.get(), "tmpfs", tmpfs_flags, "mode=755", display));
  for (const auto& h : ctx.cgroups->list) {
    std::string dest = m.destination + "/" + h.name;
    TRY_VOID(bind_hierarchy(ctx, h, dest, o, display + "/" + h.name));
    TRY_VOID(link_comounted(ctx, m.destination, h.name));
  }
  if ((o.flags & MS_RDONLY) == 0) return {};
  UniqueFd mounted = TRY(open_in_root(ctx.root_fd, m.destination, O_PATH));
  return remount_bind(mounted.get(), MS_RDONLY | tmpfs_flags, display);
}

}  // namespace

Result<CgroupHierarchies> parse_cgroup_hierarchies(std::string_view mountinfo,
                                                   std::string_view proc_cgroup,
                                                   std::string_view mount_root) {
  CgroupHierarchies out;
  auto mounts = cgroup_mounts(mountinfo);
  std::string prefix = std::string(mount_root) + "/";
  for (auto line : split(proc_cgroup, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 3) continue;
    std::string_view controllers = f[1];
    std::string_view path = line.substr(f[0].size() + f[1].size() + 2);
    for (const auto& m : mounts) {
      if (!matches(m, controllers)) continue;
      bool at_root = m.mountpoint == mount_root;
      bool below = m.mountpoint.starts_with(prefix) &&
                   m.mountpoint.find('/', prefix.size()) == std::string::npos;
      if (!at_root && !below) continue;
      auto dir = dir_in_mount(m, path);
      if (!dir) continue;
      std::string name = at_root ? "" : m.mountpoint.substr(prefix.size());
      bool seen = std::any_of(out.list.begin(), out.list.end(),
                              [&](const CgroupHierarchy& h) { return h.name == name; });
      if (seen) continue;
      if (at_root && m.v2) out.unified_root = true;
      out.list.push_back({name, *dir, m.v2});
    }
  }
  if (out.unified_root) {
    std::erase_if(out.list, [](const CgroupHierarchy& h) { return !h.name.empty(); });
  }
  if (out.list.empty()) return fail(fmt::format("no cgroup hierarchy found under {}", mount_root));
  return out;
}

Result<CgroupHierarchies> read_cgroup_hierarchies() {
  std::string mountinfo = TRY(read_text("/proc/self/mountinfo"));
  std::string cgroup = TRY(read_text("/proc/self/cgroup"));
  return parse_cgroup_hierarchies(mountinfo, cgroup);
}

// The v2 hierarchy alone: mounted afresh under a cgroup namespace (whose root
// is the container's cgroup), else the container's dir bound. As in runc, the
// bind is also the fallback when the kernel refuses the fresh mount (EPERM or
// EBUSY: a rootless container's user namespace, on a cgroup it does not own).
Result<void> mount_v2(const MountContext& ctx, const CgroupHierarchy& h, const oci::Mount& m,
                      const MountOptions& o, const std::string& display) {
  if (ctx.cgroup_namespace) {
    UniqueFd target = TRY(mkdir_all_in_root(ctx.root_fd, m.destination, 0755));
    auto mounted = mount_at("cgroup2", target.get(), "cgroup2", o.flags & ~(MS_BIND | MS_REC), o.data,
                            display);
    if (mounted || (mounted.error().err() != EPERM && mounted.error().err() != EBUSY)) return mounted;
  }
  return bind_hierarchy(ctx, h, m.destination, o, display);
}

Result<void> mount_cgroup_tree(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                               const std::string& display) {
  if (ctx.cgroups->unified_root) return mount_v2(ctx, ctx.cgroups->list.front(), m, o, display);
  if (m.type != "cgroup2") return mount_v1_tree(ctx, m, o, display);
  // Type "cgroup2" on a hybrid host: the unified hierarchy only, not the v1 tree.
  for (const auto& h : ctx.cgroups->list)
    if (h.v2) return mount_v2(ctx, h, m, o, display);
  return fail(fmt::format("mount \"cgroup2\" on \"{}\": this host has no cgroup2 hierarchy", display));
}

}  // namespace nucleus::init
