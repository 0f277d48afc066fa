// linux.resources rules shared by the v1 and v2 writers: merging an update
// over the recorded limits, and the host checks made before anything is
// written (the value checks that need no host are oci::validate's).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "cgroups/limits.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

bool resources_empty(const oci::Resources& r);

// An error from writing a group's files, prefixed with the JSON path of what
// was being applied (unless it names one already).
Result<void> naming_field(Result<void> r, std::string_view json_path);

// enabled (a cgroup's controllers) has each of wanted, or an error naming the
// JSON path of the limit that needs the missing one.
Result<void> check_enabled(const std::vector<std::string>& enabled, const std::vector<std::string>& wanted,
                           const std::vector<std::string>& paths, const std::filesystem::path& dir);

// The container's limits after `change` (an update) is applied over `base`:
// fields change sets (non-zero, as runc reads them) replace those of base;
// per-device, per-page-size, per-interface and per-key entries are merged by
// key; devices are replaced when change has any. A memory limit of -1 with
// no swap makes swap unlimited too, as runc does.
oci::Resources merge_resources(const oci::Resources& base, const oci::Resources& change);

// memory.swap is memory+swap: not below the limit, and not without one
// (runc's words). Read from the result, so that an update may change either.
Result<void> check_memory_swap(const Limits& l);

// cpu.cpus / cpu.mems within what the cgroup can have: the effective list
// (cpuset.effective_cpus on v1, cpuset.cpus.effective on v2) of dir's
// parent, or of its nearest existing ancestor.
Result<void> check_cpuset_within(const Limits& l, const std::filesystem::path& dir, std::string_view cpus_file,
                                 std::string_view mems_file);

// The warning runc gives for memory.kernel and memory.kernelTCP (ignored
// since Linux 5.4 deprecated kmem limits), once per set.
void warn_kernel_memory(const oci::Resources& change);

// memory.checkBeforeUpdate on a live container: a new limit at or below the
// usage `usage_file` shows is refused (runc 1.2's words).
Result<void> check_usage_below_limit(const Limits& l, const std::filesystem::path& dir, std::string_view usage_file);

}  // namespace nucleus::cgroups
