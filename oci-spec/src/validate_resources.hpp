// Semantic validation of linux.resources: what the spec and the kernel's
// fixed ranges allow, independent of the host (the cgroup layer checks what
// this host has: controllers, CPUs, page sizes).
#pragma once

#include "codec.hpp"

namespace oci::detail {

Status validate_device_rules(const std::vector<DeviceRule>& rules, const Path& p);
Status validate_resources(const Resources& r, const Path& p);

// "0-3,7": comma-separated numbers and ranges (cpuset list syntax).
bool valid_cpu_list(std::string_view list);

}  // namespace oci::detail
