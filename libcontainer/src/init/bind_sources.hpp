// Bind-mount sources cloned by the runtime, with the host's credentials,
// before the clone (runc passes mount fds in for the same reason): in a user
// namespace the init's root is an unprivileged host uid, and could not reach
// a source under a root-only directory. Each source becomes a detached mount
// tree (open_tree OPEN_TREE_CLONE), which the init attaches with move_mount
// as it does the idmapped trees: a mount of the runtime's namespace could not
// be bound from the init's.
#pragma once

#include <filesystem>

#include <oci/config.hpp>

#include "init/mount_fds.hpp"
#include "nucleus/error.hpp"

namespace nucleus::init {

// A tree for every bind mount of `config` that `idmapped` has none for,
// recursive for rbind, relative sources from `bundle`. Binds of a symlink
// itself (src-nofollow, copy-symlink) are left to the init. Runtime side,
// before the clone. A runtime that may not clone mounts (open_tree needs
// CAP_SYS_ADMIN over its mount namespace: a rootless one) gets no trees and
// leaves every bind to the init, which then has the same host uid as the
// runtime and so the same access.
Result<MountFds> clone_bind_sources(const oci::Config& config, const std::filesystem::path& bundle,
                                    const MountFds& idmapped);

}  // namespace nucleus::init
