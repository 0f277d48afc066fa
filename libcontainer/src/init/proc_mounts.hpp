// What may be mounted on or below the container's /proc (CVE-2019-16884,
// CVE-2019-19921): on /proc itself only procfs (a fresh one, or a bind of a
// procfs root), and below it only the files lxcfs emulates, as runc allows.
// Anything else could redirect the runtime's own procfs work or uncover what
// masking hides.
#pragma once

#include <filesystem>
#include <string_view>

#include "nucleus/error.hpp"

namespace nucleus::init {

// `resolved` is the destination as resolved inside `rootfs` (symlinks
// followed); `bind_source` an fd on the bind's source, or -1 for a new
// filesystem. proc and sysfs mounts are checked elsewhere (on an ordinary
// directory) and skip this.
Result<void> check_proc_destination(const std::filesystem::path& rootfs, const std::filesystem::path& resolved,
                                    int bind_source);

}  // namespace nucleus::init
