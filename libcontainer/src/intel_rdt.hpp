// Intel RDT (resctrl) as update's --l3-cache-schema and --mem-bw-schema see it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "nucleus/error.hpp"

namespace nucleus {

// runc's refusals when the host has no resctrl with CAT (info/L3) or MBA
// (info/MB); where it has them, nucleus does not drive resctrl yet and says so.
Result<void> check_intel_rdt_flags(const std::optional<std::string>& l3_cache_schema,
                                   const std::optional<std::string>& mem_bw_schema,
                                   const std::filesystem::path& mountinfo = "/proc/self/mountinfo");

}  // namespace nucleus
