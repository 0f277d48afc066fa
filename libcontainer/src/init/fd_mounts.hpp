// Mounts made after pivot_root, by fd through the new mount API: the
// container's /proc is not needed (it may have none) and cannot redirect them
// (a /proc/self/fd/N path resolved in the container's /proc is what the
// 2025 runc masked-path and procfs CVEs abused). Where the kernel lacks the
// call (ENOSYS) they fall back to mount(2) on /proc/self/fd paths.
#pragma once

#include <string>

#include "nucleus/error.hpp"

namespace nucleus::init {

// A bind of what `source` is on (a file or directory, with the mounts below
// it when `recursive`) onto `target`.
Result<void> bind_fd(int source, int target, bool recursive, const std::string& display);

// A fresh read-only tmpfs on `target`, with the SELinux `label` when not empty.
Result<void> mount_readonly_tmpfs_fd(int target, const std::string& label, const std::string& display);

// The mount whose root `fd` is made read-only (and those below it when
// `recursive`); other flags are left as they are.
Result<void> make_readonly_fd(int fd, bool recursive, const std::string& display);

}  // namespace nucleus::init
