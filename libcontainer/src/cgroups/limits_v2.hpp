// Writing linux.resources to cgroup v2 files, as runc 1.1's fs2 driver does
// (cpu.weight from shares, memory.swap.max = swap - limit, io.max, ...),
// plus cpu.idle, cpu.max.burst and the hugetlb .rsvd limits. Used on pure v2
// hosts and, on hybrid hosts, for a controller that only cgroup2 has.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cgroups/limit_groups.hpp"
#include "cgroups/limit_writer.hpp"
#include "cgroups/limits.hpp"

namespace nucleus::cgroups {

// What cgroup v2 has no file for: an error naming the field. runc 1.1
// drops these silently (swappiness, disableOOMKiller, realtime, leafWeight,
// network); nucleus does not pretend to apply them.
Result<void> check_group_v2(Group g, const oci::Resources& change);

// unified keys: each names a controller `available` has (or "cgroup").
// On a hybrid host, `hybrid` words the refusal as runc does for v1.
Result<void> check_unified(const oci::StringMap& unified, const std::vector<std::string>& available, bool hybrid);

Result<void> write_group_v2(LimitWriter& w, Group g, const std::filesystem::path& dir, const Limits& l);

// Written as given, after everything else (it overrides the typed limits,
// as in runc); every file must exist before the first is written.
Result<void> write_unified(LimitWriter& w, const std::filesystem::path& dir, const oci::StringMap& unified);

}  // namespace nucleus::cgroups
