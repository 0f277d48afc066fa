#include "init/rootfs_paths.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "init/rootfs_walk.hpp"

namespace nucleus::init {

std::string fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

std::pair<std::string, std::string> split_parent(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"/", std::string(path)};
  std::string_view parent = slash == 0 ? std::string_view("/") : path.substr(0, slash);
  return {std::string(parent), std::string(path.substr(slash + 1))};
}

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags) {
  std::string p(path.empty() ? std::string_view("/") : path);
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd;
  do fd = ::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd < 0 && errno == ENOSYS) return open_in_root_by_walk(root_fd, p, flags);
  if (fd < 0) return fail_errno(fmt::format("open \"{}\" in the container rootfs", p));
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> mkdir_all_in_root(int root_fd, std::string_view path, mode_t mode) {
  auto existing = open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
  if (existing || existing.error().err() != ENOENT) return existing;
  auto [parent, name] = split_parent(path);
  UniqueFd parent_fd = TRY(mkdir_all_in_root(root_fd, parent, 0755));
  if (name.empty() || name == "." || name == "..") return parent_fd;
  if (::mkdirat(parent_fd.get(), name.c_str(), mode) != 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir \"{}\" in the container rootfs", path));
  return open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
}

Result<UniqueFd> ensure_in_root(int root_fd, std::string_view path, bool directory) {
  if (directory) return mkdir_all_in_root(root_fd, path, 0755);
  auto existing = open_in_root(root_fd, path, O_PATH);
  if (existing || existing.error().err() != ENOENT) return existing;
  auto [parent, name] = split_parent(path);
  UniqueFd parent_fd = TRY(mkdir_all_in_root(root_fd, parent, 0755));
  UniqueFd file(::openat(parent_fd.get(), name.c_str(),
                         O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file && errno != EEXIST)
    return fail_errno(fmt::format("create \"{}\" in the container rootfs", path));
  return open_in_root(root_fd, path, O_PATH);
}

}  // namespace nucleus::init
