// Resolving a path inside the rootfs without openat2: one component at a
// time from a fd on the root, every symlink read and re-rooted by hand, ".."
// never above the root. The fallback for kernels before 5.6 and for seccomp
// profiles (or valgrind) that answer openat2 with ENOSYS.
#pragma once

#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

// The same contract as openat2(root_fd, path, flags, RESOLVE_IN_ROOT): the
// result is always below root_fd. Each step opens the next component from
// the fd of the one before with O_NOFOLLOW, so a component swapped for a
// symlink mid-walk fails instead of leading out. The last component is not
// followed when `flags` has O_NOFOLLOW. Errors keep the errno.
Result<UniqueFd> open_in_root_by_walk(int root_fd, std::string_view path, int flags);

}  // namespace nucleus::init
