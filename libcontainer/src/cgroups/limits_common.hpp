// Limit files with the same format on cgroup v1 and v2.
#pragma once

#include <filesystem>
#include <string_view>

#include <oci/config.hpp>

#include "cgroups/limit_writer.hpp"

namespace nucleus::cgroups {

// pids.max: the limit, or "max" when negative (0 is not written).
Result<void> write_pids(LimitWriter& w, const std::filesystem::path& dir, const oci::PidsResources& pids);

// rdma.max: "<device> hca_handle=N hca_object=N" per device.
Result<void> write_rdma(LimitWriter& w, const std::filesystem::path& dir,
                        const std::map<std::string, oci::RdmaLimit>& rdma);

// hugetlb.<size><suffix> per page size, and its .rsvd twin where the kernel
// has one (runc 1.2 sets both; a page size the host lacks is an error naming
// the entry). suffix: ".limit_in_bytes" (v1) or ".max" (v2).
Result<void> write_hugetlb(LimitWriter& w, const std::filesystem::path& dir,
                           const std::vector<oci::HugepageLimit>& limits, std::string_view suffix);

bool file_exists(const std::filesystem::path& path);

}  // namespace nucleus::cgroups
