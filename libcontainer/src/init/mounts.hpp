// The config's mounts, made inside the container's rootfs. Each destination
// is resolved in the rootfs (rootfs_paths.hpp) and the mount goes onto the
// resulting fd; flags that a first mount(2) cannot apply (ro on a bind,
// propagation, recursive attributes) follow on the re-opened mount.
// Idmapped binds arrive ready-made from the runtime (idmap.hpp) and are
// attached with move_mount; "tmpcopyup" fills a new tmpfs (tmpcopyup.hpp).
// crun's "src-nofollow", "dest-nofollow" and "copy-symlink" change how a
// bind treats a symlink as its source or as the destination's last component.
#pragma once

#include <filesystem>
#include <string>

#include <oci/config.hpp>

#include "init/cgroup_mount.hpp"
#include "init/mount_options.hpp"
#include "nucleus/error.hpp"

namespace nucleus::init {

class MountFds;

// What mounting needs to know about the container being set up.
struct MountContext {
  int root_fd = -1;               // O_PATH on the rootfs (after it was bound onto itself)
  std::filesystem::path rootfs;   // host path, for messages
  std::filesystem::path bundle;   // relative bind sources are relative to it
  bool in_user_namespace = false;
  bool cgroup_namespace = false;
  const CgroupHierarchies* cgroups = nullptr;
  const MountFds* idmapped = nullptr;  // trees the runtime prepared, if any
  const MountFds* sources = nullptr;   // bind sources the runtime opened, if any
  std::string mount_label;  // linux.mountLabel where the host has SELinux, else empty
};

Result<void> mount_entry(const MountContext& ctx, const oci::Mount& m);

// mount(2) onto an O_PATH fd. `display` names the target in errors.
Result<void> mount_at(const char* source, int target_fd, const char* type, unsigned long flags,
                      const std::string& data, const std::string& display);

// Remount a bind mount (the mount at target_fd) with `flags`. The flags it has
// now that `flags` does not mention (nosuid, nodev, noexec, the atime ones,
// which a user namespace locks) are kept unless listed in `cleared`.
Result<void> remount_bind(int target_fd, unsigned long flags, const std::string& display,
                          unsigned long cleared = 0);

// "mount \"proc\" on \"/x/rootfs/proc\"" for errors.
std::string describe_mount(const oci::Mount& m, const std::filesystem::path& rootfs);

}  // namespace nucleus::init
