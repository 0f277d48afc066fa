#include "init/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <string_view>

#include <fmt/format.h>

#include "init/rootfs_paths.hpp"

namespace nucleus::init {

namespace {

struct FlagOption {
  std::string_view name;
  bool clear;
  unsigned long flag;
};

constexpr FlagOption kFlagOptions[] = {
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},          {"defaults", false, 0},
    {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},     {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},         {"symfollow", true, MS_NOSYMFOLLOW},
    {"sync", false, MS_SYNCHRONOUS},
};

constexpr std::pair<std::string_view, unsigned long> kPropagation[] = {
    {"private", MS_PRIVATE},  {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},      {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct AttrOption {
  std::string_view name;
  bool clear;
  std::uint64_t attr;
};

constexpr AttrOption kRecursiveAttrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},        {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},      {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

// The recursive atime options select one value of the atime field (which
// mount_setattr changes only as a whole): the "no"/"a" forms fall back to the
// kernel's default (relatime), "rnorelatime" to strictatime.
constexpr std::pair<std::string_view, std::uint64_t> kRecursiveAtime[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},       {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},         {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

bool apply_recursive_atime(std::string_view o, MountOptions& out) {
  for (auto [name, attr] : kRecursiveAtime) {
    if (o != name) continue;
    out.attr_clr |= MOUNT_ATTR__ATIME;
    out.attr_set = (out.attr_set & ~static_cast<std::uint64_t>(MOUNT_ATTR__ATIME)) | attr;
    return true;
  }
  return false;
}

bool apply_option(std::string_view o, MountOptions& out) {
  for (const auto& f : kFlagOptions) {
    if (o != f.name) continue;
    if (f.clear) {
      out.flags &= ~f.flag;
      out.cleared |= f.flag;
    } else {
      out.flags |= f.flag;
      out.cleared &= ~f.flag;
    }
    return true;
  }
  for (auto [name, flag] : kPropagation) {
    if (o == name) {
      out.propagation = flag;
      return true;
    }
  }
  for (const auto& a : kRecursiveAttrs) {
    if (o != a.name) continue;
    (a.clear ? out.attr_clr : out.attr_set) |= a.attr;
    (a.clear ? out.attr_set : out.attr_clr) &= ~a.attr;
    return true;
  }
  return apply_recursive_atime(o, out);
}

std::string target_display(const MountContext& ctx, std::string_view dest) {
  bool slash = !dest.empty() && dest.front() == '/';
  return fmt::format("{}{}{}", ctx.rootfs.native(), slash ? "" : "/", dest);
}

// Bind sources are host paths, relative ones relative to the bundle.
std::filesystem::path bind_source(const MountContext& ctx, const oci::Mount& m) {
  std::filesystem::path src(m.source);
  return src.is_absolute() ? src : ctx.bundle / src;
}

Result<void> apply_after_mount(const MountContext& ctx, const oci::Mount& m,
                               const MountOptions& o, const std::string& display) {
  bool remount = o.bind() && (o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0;
  if (!remount && o.propagation == 0 && o.attr_set == 0 && o.attr_clr == 0) return {};
  // The fd we mounted onto is the directory below the new mount: open again.
  UniqueFd fd = TRY(open_in_root(ctx.root_fd, m.destination, O_PATH));
  if (remount) TRY_VOID(remount_bind(fd.get(), o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT), display));
  if (o.propagation != 0)
    TRY_VOID(mount_at(nullptr, fd.get(), nullptr, o.propagation, {}, display));
  if (o.attr_set != 0 || o.attr_clr != 0) {
    mount_attr attr{};
    attr.attr_set = o.attr_set;
    attr.attr_clr = o.attr_clr;
    if (::mount_setattr(fd.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
      return fail_errno(fmt::format("set recursive attributes of mount on \"{}\"", display));
  }
  return {};
}

Result<void> mount_bind(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                        const std::string& display) {
  std::filesystem::path src = bind_source(ctx, m);
  UniqueFd src_fd(::open(src.c_str(), O_PATH | O_CLOEXEC));
  if (!src_fd) return fail_errno(fmt::format("open bind mount source \"{}\"", src.native()));
  struct stat st {};
  if (::fstat(src_fd.get(), &st) != 0) return fail_errno(fmt::format("stat \"{}\"", src.native()));
  UniqueFd target = TRY(ensure_in_root(ctx.root_fd, m.destination, S_ISDIR(st.st_mode)));
  TRY_VOID(mount_at(fd_path(src_fd.get()).c_str(), target.get(), nullptr,
                    MS_BIND | (o.flags & MS_REC), {}, display));
  return apply_after_mount(ctx, m, o, display);
}

Result<void> mount_filesystem(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                              const std::string& display) {
  UniqueFd target = TRY(ensure_in_root(ctx.root_fd, m.destination, true));
  const char* source = m.source.empty() ? m.type.c_str() : m.source.c_str();
  TRY_VOID(mount_at(source, target.get(), m.type.c_str(), o.flags, o.data, display));
  return apply_after_mount(ctx, m, o, display);
}

}  // namespace

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& o : options) {
    if (apply_option(o, out)) continue;
    if (o == "tmpcopyup" || o == "idmap" || o == "ridmap") {
      out.extensions.push_back(o);
      continue;
    }
    if (!out.data.empty()) out.data += ',';
    out.data += o;
  }
  return out;
}

std::string describe_mount(const oci::Mount& m, const std::filesystem::path& rootfs) {
  bool slash = !m.destination.empty() && m.destination.front() == '/';
  return fmt::format("mount \"{}\" on \"{}{}{}\"", m.source.empty() ? m.type : m.source,
                     rootfs.native(), slash ? "" : "/", m.destination);
}

Result<void> mount_at(const char* source, int target_fd, const char* type, unsigned long flags,
                      const std::string& data, const std::string& display) {
  std::string target = fd_path(target_fd);
  if (::mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0)
    return fail_errno(fmt::format("mount \"{}\" on \"{}\"", source ? source : "", display));
  return {};
}

Result<void> remount_bind(int target_fd, unsigned long flags, const std::string& display) {
  struct statvfs sv {};
  if (::fstatvfs(target_fd, &sv) != 0) return fail_errno(fmt::format("statfs \"{}\"", display));
  unsigned long locked = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
  if ((flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) == 0)
    locked |= sv.f_flag & (ST_NOATIME | ST_RELATIME | ST_NODIRATIME);
  std::string target = fd_path(target_fd);
  if (::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags | locked, nullptr) != 0)
    return fail_errno(fmt::format("remount \"{}\"", display));
  return {};
}

Result<void> mount_entry(const MountContext& ctx, const oci::Mount& m) {
  MountOptions o = parse_mount_options(m.options);
  std::string display = target_display(ctx, m.destination);
  if (!o.extensions.empty())
    return fail(fmt::format("{}: mount option \"{}\" is not supported", describe_mount(m, ctx.rootfs),
                            o.extensions.front()));
  if (m.type == "cgroup" || m.type == "cgroup2") {
    if (!ctx.cgroups) return fail(fmt::format("{}: cgroup layout unknown", describe_mount(m, ctx.rootfs)));
    return mount_cgroup_tree(ctx, m, o, display);
  }
  if (o.bind()) return mount_bind(ctx, m, o, display);
  // Without its own network namespace a container may not mount sysfs: runc
  // gives it the host's /sys instead.
  if (m.type == "sysfs" && !ctx.new_network) {
    oci::Mount host = m;
    host.source = "/sys";
    o.flags |= MS_BIND | MS_REC;
    return mount_bind(ctx, host, o, display);
  }
  return mount_filesystem(ctx, m, o, display);
}

}  // namespace nucleus::init
