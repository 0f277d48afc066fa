// /proc/<pid>/mountinfo, parsed once for everyone who reads it (the cgroup
// hierarchies, the container's cgroup mounts, --no-pivot, the rootfs's
// parent mount).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nucleus {

struct MountInfo {
  std::string root;         // field 4: what of the filesystem is mounted
  std::string mount_point;  // field 5, unescaped
  std::string fstype;       // after the " - "
  std::string source;
  std::string super_options;
};

// Lines that do not parse are skipped. Octal escapes (\040 for a space, ...)
// are undone in root and mount point.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

std::string unescape_octal(std::string_view s);

}  // namespace nucleus
