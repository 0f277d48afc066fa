// The "tmpcopyup" mount option: a tmpfs mounted over a directory of the
// rootfs starts with a copy of what the directory held, as runc and crun do.
#pragma once

#include <string>

#include "nucleus/error.hpp"

namespace nucleus::init {

// Copy everything below `from_dir` into `to_dir` (both directory fds opened
// for reading): directories, regular files, symlinks, device nodes, fifos and
// sockets, with owner, mode, timestamps and (where the target filesystem takes
// them) extended attributes; hard links stay linked. Symlinks are copied, never
// followed. `display` names the destination in errors.
Result<void> copy_directory_contents(int from_dir, int to_dir, const std::string& display);

}  // namespace nucleus::init
