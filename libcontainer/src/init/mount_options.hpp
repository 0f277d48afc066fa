// config.md "Linux mount options", turned into what the syscalls take:
// mount(2) flags, propagation, mount_setattr(2) attributes, the extensions
// nucleus handles itself (tmpcopyup, idmap, ridmap, and crun's src-nofollow,
// dest-nofollow, copy-symlink) and the rest as data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

struct MountOptions {
  unsigned long flags = 0;        // MS_* to set (MS_BIND, MS_REC, MS_RDONLY, ...)
  unsigned long cleared = 0;      // MS_* turned off explicitly (rw, suid, dev, ...)
  unsigned long propagation = 0;  // MS_PRIVATE/SHARED/SLAVE/UNBINDABLE, maybe | MS_REC
  std::uint64_t attr_set = 0;     // MOUNT_ATTR_* applied recursively (rro, rnosuid, ...)
  std::uint64_t attr_clr = 0;
  std::string data;               // filesystem-specific options, comma-joined
  bool tmpcopyup = false;         // copy the destination's old contents into the new tmpfs
  bool idmap = false;             // idmapped mount ("idmap" or "ridmap")
  bool idmap_recursive = false;   // "ridmap": the idmapping covers submounts too
  std::string idmap_spec;         // crun's "idmap=<spec>" / "ridmap=<spec>": what follows "="
  // crun's bind options (crun(1) "MOUNT OPTIONS"):
  bool src_nofollow = false;   // a symlink source is bound itself, not what it names
  bool dest_nofollow = false;  // a symlink destination is the mount point, not followed
  bool copy_symlink = false;   // a symlink source is recreated at the destination, not mounted

  bool bind() const;
  bool remount() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// The mapping in crun's inline idmap option, "uids=<containerID>-<hostID>-<size>
// [#<range>...];gids=<range>[#...]" (crun(1) "MOUNT OPTIONS"). Both lists are
// required; crun's "@" (relative to the container's user namespace) is not
// supported and is an error.
struct InlineIdmap {
  std::vector<oci::IdMapping> uid_mappings;
  std::vector<oci::IdMapping> gid_mappings;
};
Result<InlineIdmap> parse_inline_idmap(std::string_view spec);

}  // namespace nucleus::init
