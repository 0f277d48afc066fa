// The config's mounts, made inside the container's rootfs. Each destination
// is resolved in the rootfs (rootfs_paths.hpp) and the mount goes onto the
// resulting fd; flags that a first mount(2) cannot apply (ro on a bind,
// propagation, recursive attributes) follow on the re-opened mount.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <oci/config.hpp>

#include "init/cgroup_mount.hpp"
#include "nucleus/error.hpp"

namespace nucleus::init {

// config.md "Linux mount options", turned into what the syscalls take.
struct MountOptions {
  unsigned long flags = 0;        // MS_* to set (MS_BIND, MS_REC, MS_RDONLY, ...)
  unsigned long cleared = 0;      // MS_* turned off explicitly (rw, suid, dev, ...)
  unsigned long propagation = 0;  // MS_PRIVATE/SHARED/SLAVE/UNBINDABLE, maybe | MS_REC
  std::uint64_t attr_set = 0;     // MOUNT_ATTR_* applied recursively (rro, rnosuid, ...)
  std::uint64_t attr_clr = 0;
  std::string data;                     // filesystem-specific options, comma-joined
  std::vector<std::string> extensions;  // tmpcopyup, idmap, ridmap: not handled here yet

  bool bind() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// What mounting needs to know about the container being set up.
struct MountContext {
  int root_fd = -1;               // O_PATH on the rootfs (after it was bound onto itself)
  std::filesystem::path rootfs;   // host path, for messages
  std::filesystem::path bundle;   // relative bind sources are relative to it
  bool in_user_namespace = false;
  bool new_network = false;
  bool cgroup_namespace = false;
  const CgroupHierarchies* cgroups = nullptr;
};

Result<void> mount_entry(const MountContext& ctx, const oci::Mount& m);

// mount(2) onto an O_PATH fd. `display` names the target in errors.
Result<void> mount_at(const char* source, int target_fd, const char* type, unsigned long flags,
                      const std::string& data, const std::string& display);

// Remount a bind mount (the mount at target_fd) with `flags`, keeping the
// flags a user namespace locks (nosuid, nodev, noexec, atime) as they are.
Result<void> remount_bind(int target_fd, unsigned long flags, const std::string& display);

// "mount \"proc\" on \"/x/rootfs/proc\"" for errors.
std::string describe_mount(const oci::Mount& m, const std::filesystem::path& rootfs);

}  // namespace nucleus::init
