#include "init/rootfs_paths.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <optional>

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

namespace {

// Symlinks a dangling path may pass through before the walk gives up (as ELOOP).
constexpr int kMaxSymlinks = 40;

// Where the symlink `name` in `parent` (the directory at `parent_path`)
// points, as a path in the rootfs; nullopt when `name` is no symlink.
std::optional<std::string> symlink_target(int parent_fd, const std::string& parent_path,
                                          const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(parent_fd, name.c_str(), buf, sizeof buf);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) return std::nullopt;
  std::string target(buf, static_cast<std::size_t>(n));
  if (target.starts_with('/')) return target;
  return parent_path == "/" ? "/" + target : parent_path + "/" + target;
}

Result<UniqueFd> mkdir_all(int root_fd, std::string_view path, mode_t mode, int links) {
  auto existing = open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
  if (existing || existing.error().err() != ENOENT) return existing;
  auto [parent, name] = split_parent(path);
  UniqueFd parent_fd = TRY(mkdir_all(root_fd, parent, 0755, links));
  if (name.empty() || name == ".") return parent_fd;
  if (name == "..") return open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
  if (::mkdirat(parent_fd.get(), name.c_str(), mode) != 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir \"{}\" in the container rootfs", path));
  // A dangling symlink is in the way: make what it points to, in the rootfs.
  if (auto target = symlink_target(parent_fd.get(), parent, name)) {
    if (links >= kMaxSymlinks)
      return fail_errno(fmt::format("mkdir \"{}\" in the container rootfs", path), ELOOP);
    return mkdir_all(root_fd, *target, mode, links + 1);
  }
  return open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
}

}  // namespace

Result<UniqueFd> mkdir_all_in_root(int root_fd, std::string_view path, mode_t mode) {
  return mkdir_all(root_fd, path, mode, 0);
}

Result<UniqueFd> ensure_in_root(int root_fd, std::string_view path, bool directory) {
  if (directory) return mkdir_all_in_root(root_fd, path, 0755);
  std::string current(path);
  for (int links = 0;; ++links) {
    auto existing = open_in_root(root_fd, current, O_PATH);
    if (existing || existing.error().err() != ENOENT) return existing;
    auto [parent, name] = split_parent(current);
    UniqueFd parent_fd = TRY(mkdir_all_in_root(root_fd, parent, 0755));
    UniqueFd file(::openat(parent_fd.get(), name.c_str(),
                           O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!file && errno != EEXIST)
      return fail_errno(fmt::format("create \"{}\" in the container rootfs", path));
    auto target = file ? std::nullopt : symlink_target(parent_fd.get(), parent, name);
    if (!target) return open_in_root(root_fd, current, O_PATH);
    if (links >= kMaxSymlinks)
      return fail_errno(fmt::format("create \"{}\" in the container rootfs", path), ELOOP);
    current = *target;  // a dangling symlink: create the file it names, in the rootfs
  }
}

}  // namespace nucleus::init
