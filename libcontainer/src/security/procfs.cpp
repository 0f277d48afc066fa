#include "security/procfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

namespace nucleus {

namespace {

Result<UniqueFd> fresh_instance() {
  UniqueFd fs(::fsopen("proc", FSOPEN_CLOEXEC));
  if (!fs) return fail_errno("fsopen proc");
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fail_errno("create a procfs instance");
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  if (!mnt) return fail_errno("fsmount proc");
  return mnt;
}

Result<void> check_is_procfs(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return fail_errno("statfs procfs handle");
  if (fs.f_type != PROC_SUPER_MAGIC) return fail("procfs handle is not a procfs");
  return {};
}

}  // namespace

Result<ProcfsHandle> ProcfsHandle::open_private() {
  auto fresh = fresh_instance();
  if (!fresh) fresh = UniqueFd(::open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (!*fresh) return open_host();
  TRY_VOID(check_is_procfs(fresh->get()));
  return ProcfsHandle(std::move(*fresh));
}

Result<ProcfsHandle> ProcfsHandle::open_host() {
  UniqueFd fd(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno("open /proc");
  TRY_VOID(check_is_procfs(fd.get()));
  return ProcfsHandle(std::move(fd));
}

Result<UniqueFd> ProcfsHandle::open(std::string_view path, int flags, bool follow_symlinks) const {
  std::string file(path);
  open_how how{};
  how.flags = static_cast<unsigned>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
  if (!follow_symlinks) how.resolve |= RESOLVE_NO_SYMLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, fd_.get(), file.c_str(), &how, sizeof how)));
  if (!fd) return fail_errno(fmt::format("open /proc/{}", file));
  return fd;
}

Result<void> ProcfsHandle::write(std::string_view path, std::string_view text, bool follow_symlinks) const {
  UniqueFd fd = TRY(open(path, O_WRONLY | O_TRUNC, follow_symlinks));
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno(fmt::format("write /proc/{}", path));
  return {};
}

}  // namespace nucleus
