// Writing linux.resources to cgroup v1 controller files, as runc 1.1's fs
// driver does (file names, formats, orderings), plus what runc 1.1 leaves
// out: cpu.idle, cpu.cfs_burst_us and the hugetlb .rsvd limits.
#pragma once

#include <filesystem>

#include "cgroups/limit_groups.hpp"
#include "cgroups/limit_writer.hpp"
#include "cgroups/limits.hpp"

namespace nucleus::cgroups {

// The group's files in dir, its v1 controller's cgroup.
Result<void> write_group_v1(LimitWriter& w, Group g, const std::filesystem::path& dir, const Limits& l);

}  // namespace nucleus::cgroups
