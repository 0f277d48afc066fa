#include "init/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <climits>
#include <string_view>

#include <fmt/format.h>

#include "init/devices.hpp"
#include "init/idmap.hpp"
#include "init/proc_mounts.hpp"
#include "init/rootfs_paths.hpp"
#include "init/selinux_label.hpp"
#include "init/tmpcopyup.hpp"

namespace nucleus::init {

namespace {

// The flags a bind remount changes: per-mount ones, not the superblock's.
constexpr unsigned long kPerMountFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                         MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME |
                                         MS_NOSYMFOLLOW;
constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

std::string target_display(const MountContext& ctx, std::string_view dest) {
  bool slash = !dest.empty() && dest.front() == '/';
  return fmt::format("{}{}{}", ctx.rootfs.native(), slash ? "" : "/", dest);
}

// Bind sources are host paths, relative ones relative to the bundle.
std::filesystem::path bind_source(const MountContext& ctx, const oci::Mount& m) {
  std::filesystem::path src(m.source);
  return src.is_absolute() ? src : ctx.bundle / src;
}

// How a bind's destination is opened after the mount: with "dest-nofollow"
// the mount sits on the symlink itself, which following would miss.
int destination_flags(const MountOptions& o) {
  return O_PATH | (o.bind() && o.dest_nofollow ? O_NOFOLLOW : 0);
}

// Propagation and the recursive mount_setattr attributes, on the mount at fd.
Result<void> apply_propagation_and_attrs(int fd, const MountOptions& o, const std::string& display) {
  if (o.propagation != 0) TRY_VOID(mount_at(nullptr, fd, nullptr, o.propagation, {}, display));
  if (o.attr_set == 0 && o.attr_clr == 0) return {};
  mount_attr attr{};
  attr.attr_set = o.attr_set;
  attr.attr_clr = o.attr_clr;
  if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return fail_errno(fmt::format("set recursive attributes of mount on \"{}\"", display));
  return {};
}

Result<void> apply_after_mount(const MountContext& ctx, const oci::Mount& m,
                               const MountOptions& o, const std::string& display) {
  bool remount = o.bind() && ((o.flags | o.cleared) & kPerMountFlags) != 0;
  if (!remount && o.propagation == 0 && o.attr_set == 0 && o.attr_clr == 0) return {};
  // The fd we mounted onto is the directory below the new mount: open again.
  UniqueFd fd = TRY(open_in_root(ctx.root_fd, m.destination, destination_flags(o)));
  if (remount) TRY_VOID(remount_bind(fd.get(), o.flags & kPerMountFlags, display, o.cleared));
  return apply_propagation_and_attrs(fd.get(), o, display);
}

// The destination as resolved, checked against what /proc may receive.
Result<void> check_not_over_proc(const MountContext& ctx, const oci::Mount& m, int target, int bind_source) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(fd_path(target).c_str(), buf, sizeof buf);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf)
    return fail_errno(fmt::format("{}: resolve the destination", describe_mount(m, ctx.rootfs)));
  std::filesystem::path resolved(std::string(buf, static_cast<std::size_t>(n)));
  if (auto ok = check_proc_destination(ctx.rootfs, resolved, bind_source); !ok)
    return std::unexpected(ok.error().context(describe_mount(m, ctx.rootfs)));
  return {};
}

// A tree the runtime cloned (idmap.hpp, bind_sources.hpp), attached at the destination.
Result<void> attach_tree(const MountContext& ctx, const oci::Mount& m, int tree,
                         const std::string& display) {
  struct stat st {};
  if (::fstat(tree, &st) != 0) return fail_errno(fmt::format("stat the mount prepared for \"{}\"", display));
  UniqueFd target = TRY(ensure_in_root(ctx.root_fd, m.destination, S_ISDIR(st.st_mode)));
  TRY_VOID(check_not_over_proc(ctx, m, target.get(), tree));
  if (::move_mount(tree, "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return fail_errno(fmt::format("attach the mount of \"{}\" on \"{}\"", m.source, display));
  return {};
}

// The bind's mount point. With "dest-nofollow" a symlink as the last
// component is the mount point itself (the kernel mounts a non-directory on
// it); the components before it still resolve inside the rootfs.
Result<UniqueFd> bind_target(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                             bool directory) {
  if (o.dest_nofollow) {
    auto last = open_in_root(ctx.root_fd, m.destination, O_PATH | O_NOFOLLOW);
    if (last || last.error().err() != ENOENT) return last;
  }
  return ensure_in_root(ctx.root_fd, m.destination, directory);
}

// "copy-symlink" (crun, e.g. for an /etc/resolv.conf that is a link): the
// symlink at `link_fd` is made again at the destination instead of mounted.
// One already there must point at the same place.
Result<void> copy_symlink(const MountContext& ctx, const oci::Mount& m, int link_fd,
                          const std::string& display) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(link_fd, "", buf, sizeof buf);
  if (n < 0) return fail_errno(fmt::format("read symlink \"{}\"", m.source));
  if (static_cast<std::size_t>(n) >= sizeof buf)
    return fail_errno(fmt::format("read symlink \"{}\"", m.source), ENAMETOOLONG);
  std::string target(buf, static_cast<std::size_t>(n));
  auto [parent, name] = split_parent(m.destination);
  UniqueFd dir = TRY(mkdir_all_in_root(ctx.root_fd, parent, 0755));
  if (::symlinkat(target.c_str(), dir.get(), name.c_str()) == 0) return {};
  if (errno != EEXIST) return fail_errno(fmt::format("symlink \"{}\" to \"{}\"", display, target));
  n = ::readlinkat(dir.get(), name.c_str(), buf, sizeof buf);
  if (n >= 0 && std::string_view(buf, static_cast<std::size_t>(n)) == target) return {};
  return fail(fmt::format("{}: copy-symlink: the destination exists and is not a symlink to \"{}\"",
                          describe_mount(m, ctx.rootfs), target));
}

// A tree the host cloned is not locked as a mount copied into a user
// namespace is: keep the source's nosuid, nodev, noexec, ro and atime flags
// as the kernel would (a bind made in the user namespace could not clear them).
MountOptions as_if_locked(MountOptions o) {
  constexpr unsigned long kLocked = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | kAtimeFlags;
  constexpr std::uint64_t kLockedAttrs =
      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME;
  o.cleared &= ~kLocked;
  o.attr_clr &= ~kLockedAttrs;
  return o;
}

Result<void> mount_bind(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                        const std::string& display) {
  if (int tree = ctx.idmapped ? ctx.idmapped->fd_for(m) : -1; tree >= 0) {
    TRY_VOID(attach_tree(ctx, m, tree, display));
    return apply_after_mount(ctx, m, ctx.in_user_namespace ? as_if_locked(o) : o, display);
  }
  if (int tree = ctx.sources ? ctx.sources->fd_for(m) : -1; tree >= 0) {
    TRY_VOID(attach_tree(ctx, m, tree, display));
    return apply_after_mount(ctx, m, as_if_locked(o), display);
  }
  if (o.idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty())
    return fail(fmt::format("{}: the idmapped mount was not prepared", describe_mount(m, ctx.rootfs)));
  std::filesystem::path src = bind_source(ctx, m);
  // "src-nofollow" binds a symlink source itself; "copy-symlink" copies it.
  int nofollow = o.src_nofollow || o.copy_symlink ? O_NOFOLLOW : 0;
  UniqueFd src_fd(::open(src.c_str(), O_PATH | O_CLOEXEC | nofollow));
  if (!src_fd) return fail_errno(fmt::format("open bind mount source \"{}\"", src.native()));
  struct stat st {};
  if (::fstat(src_fd.get(), &st) != 0) return fail_errno(fmt::format("stat \"{}\"", src.native()));
  if (o.copy_symlink && S_ISLNK(st.st_mode)) return copy_symlink(ctx, m, src_fd.get(), display);
  UniqueFd target = TRY(bind_target(ctx, m, o, S_ISDIR(st.st_mode)));
  TRY_VOID(check_not_over_proc(ctx, m, target.get(), src_fd.get()));
  TRY_VOID(mount_at(fd_path(src_fd.get()).c_str(), target.get(), nullptr,
                    MS_BIND | (o.flags & MS_REC), {}, display));
  return apply_after_mount(ctx, m, o, display);
}

// "remount": change the mount already at the destination (an earlier entry's,
// or the rootfs's), as mount -o remount does; nothing new is mounted.
Result<void> remount_existing(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                              const std::string& display) {
  UniqueFd fd = TRY(open_in_root(ctx.root_fd, m.destination, destination_flags(o)));
  if (o.bind()) {
    TRY_VOID(remount_bind(fd.get(), o.flags & kPerMountFlags, display, o.cleared));
  } else {
    unsigned long flags = o.flags & ~(MS_BIND | MS_REC);
    TRY_VOID(mount_at(m.source.empty() ? nullptr : m.source.c_str(), fd.get(),
                      m.type.empty() ? nullptr : m.type.c_str(), flags, o.data, display));
  }
  return apply_propagation_and_attrs(fd.get(), o, display);
}

// A tmpfs over a directory, then the directory's old contents copied into it
// (through a fd opened before the mount hid them); read-only only after that.
Result<void> mount_tmpfs_copyup(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                                const std::string& display) {
  UniqueFd target = TRY(ensure_in_root(ctx.root_fd, m.destination, true));
  TRY_VOID(check_not_over_proc(ctx, m, target.get(), -1));
  UniqueFd old = TRY(open_in_root(ctx.root_fd, m.destination, O_RDONLY | O_DIRECTORY));
  const char* source = m.source.empty() ? "tmpfs" : m.source.c_str();
  TRY_VOID(mount_at(source, target.get(), "tmpfs", o.flags & ~MS_RDONLY, o.data, display));
  UniqueFd fresh = TRY(open_in_root(ctx.root_fd, m.destination, O_RDONLY | O_DIRECTORY));
  TRY_VOID(copy_directory_contents(old.get(), fresh.get(), display));
  if (o.flags & MS_RDONLY)
    TRY_VOID(mount_at(nullptr, fresh.get(), "tmpfs", o.flags | MS_REMOUNT, o.data, display));
  return apply_after_mount(ctx, m, o, display);
}

// As runc: proc and sysfs only on a real directory. A rootfs whose /proc is a
// symlink would have them land elsewhere (even if still inside the rootfs),
// where masked paths and the /proc checks do not look.
Result<void> refuse_symlink(const MountContext& ctx, const oci::Mount& m, const std::string& display) {
  auto last = open_in_root(ctx.root_fd, m.destination, O_PATH | O_NOFOLLOW);
  if (!last) {
    if (last.error().err() == ENOENT) return {};
    return std::unexpected(last.error());
  }
  struct stat st {};
  if (::fstat(last->get(), &st) != 0) return fail_errno(fmt::format("stat \"{}\"", display));
  if (S_ISLNK(st.st_mode))
    return fail(fmt::format("{}: filesystem \"{}\" must be mounted on ordinary directory (it is a symlink)",
                            describe_mount(m, ctx.rootfs), m.type));
  return {};
}

Result<void> mount_filesystem(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                              const std::string& display);

// A fresh sysfs shows the interfaces of the network namespace we are in
// (made or joined), and nothing mounted on it reaches the host. The kernel
// refuses one only to a user namespace that does not own that network
// namespace (EPERM; EBUSY on some kernels): then, as crun, the host's /sys,
// bound and made rslave so that the container's mounts below it (the cgroup
// tmpfs) never propagate back.
Result<void> mount_sysfs(const MountContext& ctx, const oci::Mount& m, MountOptions o, const std::string& display) {
  auto fresh = mount_filesystem(ctx, m, o, display);
  if (fresh || (fresh.error().err() != EPERM && fresh.error().err() != EBUSY)) return fresh;
  oci::Mount host = m;
  host.source = "/sys";
  o.flags |= MS_BIND | MS_REC;
  o.propagation = MS_SLAVE | MS_REC;
  return mount_bind(ctx, host, o, display);
}

Result<void> mount_filesystem(const MountContext& ctx, const oci::Mount& m, const MountOptions& o,
                              const std::string& display) {
  // As runc, tmpcopyup means something on a tmpfs only; elsewhere it is ignored.
  if (o.tmpcopyup && m.type == "tmpfs") return mount_tmpfs_copyup(ctx, m, o, display);
  // /dev is filled after the mounts: read-only only then (dev_mount_is_readonly).
  unsigned long flags = is_dev_destination(m.destination) ? o.flags & ~MS_RDONLY : o.flags;
  UniqueFd target = TRY(ensure_in_root(ctx.root_fd, m.destination, true));
  if (m.type != "proc") TRY_VOID(check_not_over_proc(ctx, m, target.get(), -1));
  const char* source = m.source.empty() ? m.type.c_str() : m.source.c_str();
  TRY_VOID(mount_at(source, target.get(), m.type.c_str(), flags, o.data, display));
  return apply_after_mount(ctx, m, o, display);
}

}  // namespace

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

Result<void> remount_bind(int target_fd, unsigned long flags, const std::string& display,
                          unsigned long cleared) {
  struct statvfs sv {};
  if (::fstatvfs(target_fd, &sv) != 0) return fail_errno(fmt::format("statfs \"{}\"", display));
  // ST_* and MS_* share values for these flags.
  unsigned long current = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
  if ((flags & kAtimeFlags) == 0) current |= sv.f_flag & (ST_NOATIME | ST_RELATIME | ST_NODIRATIME);
  std::string target = fd_path(target_fd);
  unsigned long base = MS_BIND | MS_REMOUNT | flags;
  if (::mount(nullptr, target.c_str(), nullptr, base | (current & ~cleared), nullptr) == 0) return {};
  // Clearing a flag a user namespace locks is refused: keep it, as runc does.
  if (errno == EPERM && (current & cleared) != 0 &&
      ::mount(nullptr, target.c_str(), nullptr, base | current, nullptr) == 0)
    return {};
  return fail_errno(fmt::format("remount \"{}\"", display));
}

Result<void> mount_entry(const MountContext& ctx, const oci::Mount& m) {
  MountOptions o = parse_mount_options(m.options);
  std::string display = target_display(ctx, m.destination);
  if (o.remount()) return remount_existing(ctx, m, o, display);
  if (m.type == "cgroup" || m.type == "cgroup2") {
    if (!ctx.cgroups) return fail(fmt::format("{}: cgroup layout unknown", describe_mount(m, ctx.rootfs)));
    return mount_cgroup_tree(ctx, m, o, display);
  }
  if (o.bind()) return mount_bind(ctx, m, o, display);
  if (m.type == "proc" || m.type == "sysfs") TRY_VOID(refuse_symlink(ctx, m, display));
  o.data = mount_data(m.type, false, o.data, ctx.mount_label, !ctx.mount_label.empty());
  if (m.type == "sysfs") return mount_sysfs(ctx, m, o, display);
  return mount_filesystem(ctx, m, o, display);
}

}  // namespace nucleus::init
