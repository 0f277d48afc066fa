// The container's root: made private from the host, bound onto itself (so it
// is a mount point pivot_root accepts), entered with pivot_root (or, with
// --no-pivot, MS_MOVE + chroot), then finalised: read-only root, masked and
// read-only paths.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

// "" (runc's default: rslave), "private", "rshared", ... -> MS_* flags.
Result<unsigned long> root_propagation_flags(const std::string& propagation);

// Set "/" to the propagation (default MS_SLAVE|MS_REC), make the mount that
// holds the rootfs private when needed, bind the rootfs onto itself. Returns
// an O_PATH fd on the bound rootfs.
Result<UniqueFd> prepare_root(const std::filesystem::path& rootfs, const std::string& propagation);

// pivot_root into root_fd and detach the old root; or MS_MOVE + chroot.
Result<void> enter_root(int root_fd, const std::filesystem::path& rootfs, bool no_pivot);
// Without a mount namespace there is nothing to pivot: chroot only.
Result<void> chroot_into(const std::filesystem::path& rootfs);

// After the pivot: the config's propagation for "/" when it is not private
// or unbindable.
Result<void> apply_root_propagation(const std::string& propagation);

// (r)unbindable, last of all the mount work: the masked and read-only paths
// are binds, which an unbindable tree refuses.
Result<void> apply_unbindable_root(const std::string& propagation);

// root.readonly: remount "/" read-only.
Result<void> make_root_readonly();

// Paths in the (pivoted) container, resolved inside it (a symlink is followed
// and its target inside the container treated, as runc does): masked ones are
// covered by the container's /dev/null (files; it must be the real null
// device) or an empty read-only tmpfs (directories, labelled with
// `mount_label` unless it is empty: the caller passes it only where the host
// has SELinux); read-only ones are bound onto
// themselves and made read-only recursively. Missing paths are skipped.
Result<void> apply_masked_paths(const std::vector<std::string>& paths, const std::string& mount_label);
Result<void> apply_readonly_paths(const std::vector<std::string>& paths);

}  // namespace nucleus::init
