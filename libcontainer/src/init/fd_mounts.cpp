#include "init/fd_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <fmt/format.h>

#include "init/mounts.hpp"
#include "init/rootfs_paths.hpp"
#include "init/selinux_label.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

namespace {

Result<void> attach(int tree, int target, const std::string& display) {
  if (::move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return fail_errno(fmt::format("attach mount on \"{}\"", display));
  return {};
}

}  // namespace

Result<void> bind_fd(int source, int target, bool recursive, const std::string& display) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  UniqueFd tree(::open_tree(source, "", flags));
  if (!tree && errno == ENOSYS)
    return mount_at(fd_path(source).c_str(), target, nullptr, MS_BIND | (recursive ? MS_REC : 0), {}, display);
  if (!tree) return fail_errno(fmt::format("clone the mount to bind on \"{}\"", display));
  return attach(tree.get(), target, display);
}

Result<void> mount_readonly_tmpfs_fd(int target, const std::string& label, const std::string& display) {
  UniqueFd fs(::fsopen("tmpfs", FSOPEN_CLOEXEC));
  if (!fs && errno == ENOSYS)
    return mount_at("tmpfs", target, "tmpfs", MS_RDONLY, with_mount_label("", label), display);
  if (!fs) return fail_errno(fmt::format("fsopen tmpfs for \"{}\"", display));
  if (!label.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "context", label.c_str(), 0) != 0)
    return fail_errno(fmt::format("set context \"{}\" of the tmpfs for \"{}\"", label, display));
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fail_errno(fmt::format("create the tmpfs for \"{}\"", display));
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
  if (!mnt) return fail_errno(fmt::format("fsmount the tmpfs for \"{}\"", display));
  return attach(mnt.get(), target, display);
}

Result<void> make_readonly_fd(int fd, bool recursive, const std::string& display) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  unsigned at = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", at, &attr, sizeof attr) == 0) return {};
  if (errno == ENOSYS) return remount_bind(fd, MS_RDONLY, display);
  return fail_errno(fmt::format("make \"{}\" read-only", display));
}

}  // namespace nucleus::init
