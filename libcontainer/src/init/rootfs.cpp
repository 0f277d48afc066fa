#include "init/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "init/fd_mounts.hpp"
#include "init/mounts.hpp"
#include "init/rootfs_paths.hpp"
#include "init/selinux_label.hpp"
#include "mountinfo/mountinfo.hpp"

namespace nucleus::init {

namespace {

// The mount point of the mount holding `path` (longest matching mount point
// in mountinfo).
Result<std::vector<MountInfo>> own_mounts() {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return fail_errno("open /proc/self/mountinfo");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_mountinfo(text.str());
}

bool at_or_below(const std::string& path, const std::string& dir) {
  return path == dir || dir == "/" || (path.starts_with(dir) && path[dir.size()] == '/');
}

Result<std::string> mount_point_of(const std::filesystem::path& path) {
  std::string best = "/";
  for (const auto& m : TRY(own_mounts())) {
    if (at_or_below(path.native(), m.mount_point) && m.mount_point.size() >= best.size()) best = m.mount_point;
  }
  return best;
}

// runc's msMoveRoot: with chroot the host's procfs and sysfs stay reachable
// in the mount namespace, and while a full mount of them is there the kernel
// lets the container mount a fresh, unmasked one. Detach them (or cover them
// where that is not allowed) before moving the rootfs to /.
Result<void> hide_host_proc_and_sys(const std::filesystem::path& rootfs) {
  for (const auto& m : TRY(own_mounts())) {
    if (m.root != "/" || (m.fstype != "proc" && m.fstype != "sysfs")) continue;
    if (at_or_below(m.mount_point, rootfs.native())) continue;
    if (::mount(nullptr, m.mount_point.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;  // under a mount already detached
      return fail_errno(fmt::format("make \"{}\" rslave", m.mount_point));
    }
    if (::umount2(m.mount_point.c_str(), MNT_DETACH) == 0) continue;
    if ((errno != EINVAL && errno != EPERM) ||
        ::mount("tmpfs", m.mount_point.c_str(), "tmpfs", 0, nullptr) != 0)
      return fail_errno(fmt::format("hide the host's \"{}\"", m.mount_point));
  }
  return {};
}

Result<void> make_private(const std::string& mount_point) {
  if (::mount(nullptr, mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    return fail_errno(fmt::format("make \"{}\" private", mount_point));
  return {};
}

// Missing paths are skipped (runc: the spec's defaults name files that only
// some kernels have).
Result<std::optional<UniqueFd>> open_if_present(int root_fd, const std::string& path) {
  auto fd = open_in_root(root_fd, path, O_PATH);
  if (fd) return std::optional<UniqueFd>(std::move(*fd));
  if (fd.error().err() == ENOENT) return std::optional<UniqueFd>();
  return std::unexpected(fd.error());
}

// The container's /dev/null, checked to be the null device: a rootfs (or a
// racing container process) that made it a symlink or another file must not
// get that file bound over the masked paths (the 2025 runc masked-path CVE).
Result<UniqueFd> open_dev_null(int root_fd) {
  UniqueFd null = TRY(open_in_root(root_fd, "/dev/null", O_PATH | O_NOFOLLOW));
  struct stat st {};
  if (::fstat(null.get(), &st) != 0) return fail_errno("stat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    return fail("masked paths: /dev/null in the container is not the null device (1:3)");
  return null;
}

// As runc: a symlink is followed, inside the container (this runs after
// pivot_root, and the walk is RESOLVE_IN_ROOT), and its target is masked.
// `null` is opened on first use: a config masking only directories needs none.
Result<void> mask_path(int root_fd, UniqueFd& null, const std::string& path, const std::string& label) {
  auto fd = TRY(open_if_present(root_fd, path));
  if (!fd) return {};
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fail_errno(fmt::format("stat \"{}\"", path));
  if (S_ISDIR(st.st_mode)) return mount_readonly_tmpfs_fd(fd->get(), label, path);
  if (!null) null = TRY(open_dev_null(root_fd));
  return bind_fd(null.get(), fd->get(), false, path);
}

// Bind onto itself (with the mounts below), then read-only, all of it; the
// flags a user namespace locks are kept (only RDONLY is set).
Result<void> readonly_path(int root_fd, const std::string& path) {
  auto fd = TRY(open_if_present(root_fd, path));
  if (!fd) return {};
  TRY_VOID(bind_fd(fd->get(), fd->get(), true, path));
  UniqueFd mounted = TRY(open_in_root(root_fd, path, O_PATH));
  return make_readonly_fd(mounted.get(), true, path);
}

Result<UniqueFd> open_root() {
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno("open /");
  return root;
}

}  // namespace

Result<unsigned long> root_propagation_flags(const std::string& propagation) {
  if (propagation.empty()) return MS_SLAVE | MS_REC;
  static const std::pair<const char*, unsigned long> table[] = {
      {"private", MS_PRIVATE},  {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},    {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},      {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (auto [name, flags] : table)
    if (propagation == name) return flags;
  return fail(fmt::format("invalid rootfsPropagation \"{}\"", propagation));
}

Result<UniqueFd> prepare_root(const std::filesystem::path& rootfs, const std::string& propagation) {
  unsigned long flags = TRY(root_propagation_flags(propagation));
  // Nothing can be bound from an unbindable tree, the rootfs onto itself
  // first: private until the end of setup (apply_unbindable_root).
  if (flags & MS_UNBINDABLE) flags = MS_PRIVATE | (flags & MS_REC);
  if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0)
    return fail_errno("set propagation of \"/\"");
  // Our binds must not reach the host through a shared parent, and pivot_root
  // refuses a shared parent; the default rslave already rules both out.
  if (!propagation.empty()) {
    std::string parent = TRY(mount_point_of(rootfs));
    TRY_VOID(make_private(parent));
  }
  if (::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return fail_errno(fmt::format("bind rootfs \"{}\"", rootfs.native()));
  UniqueFd fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open rootfs \"{}\"", rootfs.native()));
  return fd;
}

Result<void> enter_root(int root_fd, const std::filesystem::path& rootfs, bool no_pivot) {
  if (no_pivot) {
    TRY_VOID(hide_host_proc_and_sys(rootfs));
    if (::fchdir(root_fd) != 0) return fail_errno(fmt::format("chdir \"{}\"", rootfs.native()));
    if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0)
      return fail_errno(fmt::format("move rootfs \"{}\" to /", rootfs.native()));
    return chroot_into(".");
  }
  UniqueFd old_root = TRY(open_root());
  if (::fchdir(root_fd) != 0) return fail_errno(fmt::format("chdir \"{}\"", rootfs.native()));
  if (::syscall(SYS_pivot_root, ".", ".") != 0)
    return fail_errno(fmt::format("pivot_root \"{}\"", rootfs.native()));
  // The old root now sits on top of the new one: detach it without the
  // unmount propagating anywhere.
  if (::fchdir(old_root.get()) != 0) return fail_errno("chdir to the old root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return fail_errno("make the old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) return fail_errno("unmount the old root");
  if (::chdir("/") != 0) return fail_errno("chdir /");
  return {};
}

Result<void> chroot_into(const std::filesystem::path& rootfs) {
  if (::chroot(rootfs.c_str()) != 0) return fail_errno(fmt::format("chroot \"{}\"", rootfs.native()));
  if (::chdir("/") != 0) return fail_errno("chdir /");
  return {};
}

Result<void> apply_root_propagation(const std::string& propagation) {
  if (propagation.empty()) return {};
  unsigned long flags = TRY(root_propagation_flags(propagation));
  if (flags & (MS_PRIVATE | MS_UNBINDABLE)) return {};
  if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0)
    return fail_errno("apply rootfsPropagation to \"/\"");
  return {};
}

Result<void> apply_unbindable_root(const std::string& propagation) {
  if (propagation.empty()) return {};
  unsigned long flags = TRY(root_propagation_flags(propagation));
  if (!(flags & MS_UNBINDABLE)) return {};
  if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0)
    return fail_errno("apply rootfsPropagation to \"/\"");
  return {};
}

Result<void> make_root_readonly() {
  UniqueFd root = TRY(open_root());
  return make_readonly_fd(root.get(), false, "/");
}

Result<void> apply_masked_paths(const std::vector<std::string>& paths, const std::string& mount_label) {
  if (paths.empty()) return {};
  UniqueFd root = TRY(open_root());
  UniqueFd null;
  for (const auto& p : paths) TRY_VOID(mask_path(root.get(), null, p, mount_label));
  return {};
}

Result<void> apply_readonly_paths(const std::vector<std::string>& paths) {
  if (paths.empty()) return {};
  UniqueFd root = TRY(open_root());
  for (const auto& p : paths) TRY_VOID(readonly_path(root.get(), p));
  return {};
}

}  // namespace nucleus::init
