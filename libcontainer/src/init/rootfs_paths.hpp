// Paths inside the container's rootfs, resolved with openat2(RESOLVE_IN_ROOT)
// from a fd on the rootfs so that no symlink or ".." in the (untrusted) rootfs
// can lead outside it. Mounts then go onto /proc/self/fd/N of the result.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

// openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).
// Errors keep the errno (callers test for ENOENT).
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags);

// The directory `path` (and its parents), made with `mode` where missing;
// returns an O_PATH fd on it.
Result<UniqueFd> mkdir_all_in_root(int root_fd, std::string_view path, mode_t mode);

// An O_PATH fd on `path`; when missing it is made (parents 0755; the last
// component a directory, or an empty file when `directory` is false).
Result<UniqueFd> ensure_in_root(int root_fd, std::string_view path, bool directory);

// Split "/a/b/c" into {"/a/b", "c"} (a leading "/" is implied).
std::pair<std::string, std::string> split_parent(std::string_view path);

// "/proc/self/fd/N": how a mount(2) or an open addresses an O_PATH fd.
std::string fd_path(int fd);

}  // namespace nucleus::init
