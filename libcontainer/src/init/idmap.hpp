// Idmapped mounts (the "idmap"/"ridmap" options and a mount's uidMappings /
// gidMappings): a clone of the source tree with MOUNT_ATTR_IDMAP set, made by
// the RUNTIME before it clones the init, and attached by the init with
// move_mount onto the destination.
//
// Why the runtime side: the kernel lets only a holder of CAP_SYS_ADMIN over
// the source's superblock (the host's user namespace for host filesystems)
// idmap a mount, and the init usually runs in the container's user namespace
// by then. The detached trees are fds in the runtime; the clone copies its fd
// table (and memory, so the MountFds pointer stays valid in the init),
// and a detached mount may be attached from any mount namespace. Sources are
// therefore resolved in the runtime's mount namespace (also when the config
// joins another one).
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "init/mount_fds.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

// The mapping one mount gets, or nothing when it is not idmapped.
struct IdmapRequest {
  std::vector<oci::IdMapping> uid_mappings;
  std::vector<oci::IdMapping> gid_mappings;
  bool recursive = false;  // "ridmap"
};

// Pure; errors name the mount ("mounts[2]: ..."). As runc: mappings without
// "idmap"/"ridmap" still idmap the mount; "idmap" without mappings takes the
// container's user namespace mappings, and is an error without them; only
// bind mounts can be idmapped.
Result<std::optional<IdmapRequest>> idmap_request(const oci::Config& config, std::size_t index);

// Runtime side, single-threaded, before the clone. Relative sources are
// relative to `bundle`.
Result<MountFds> prepare_idmapped_mounts(const oci::Config& config,
                                               const std::filesystem::path& bundle);

// A user namespace fd with these maps: a short-lived child made with
// CLONE_NEWUSER, its maps written from here, its ns/user opened, the child
// killed and reaped before returning.
Result<UniqueFd> open_user_namespace(const std::vector<oci::IdMapping>& uid_mappings,
                                     const std::vector<oci::IdMapping>& gid_mappings);

}  // namespace nucleus::init
