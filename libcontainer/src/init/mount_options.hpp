// config.md "Linux mount options", turned into what the syscalls take:
// mount(2) flags, propagation, mount_setattr(2) attributes, the extensions
// nucleus handles itself (tmpcopyup, idmap, ridmap) and the rest as data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

  bool bind() const;
  bool remount() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace nucleus::init
