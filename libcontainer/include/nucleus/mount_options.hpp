// What the mount code accepts, for `nucleus features` (features.md
// "mountOptions", features-linux.md "mountExtensions"). Generated from the
// same tables the option parser uses, so the two cannot drift apart.
#pragma once

#include <string>
#include <vector>

namespace nucleus {

// Every option string config.json "mounts[].options" may hold that nucleus
// interprets itself (anything else is passed to mount(2) as data), sorted.
std::vector<std::string> supported_mount_options();

// Whether idmapped mounts (the "idmap"/"ridmap" options) can work here: the
// kernel has mount_setattr(2).
bool idmapped_mounts_supported();

}  // namespace nucleus
