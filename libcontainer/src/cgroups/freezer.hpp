// Freezing a cgroup: freezer.state in a v1 freezer hierarchy, cgroup.freeze
// in a cgroup2 dir. freeze returns once the kernel reports the cgroup frozen.
#pragma once

#include <chrono>
#include <filesystem>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

inline constexpr std::chrono::milliseconds freeze_timeout{2000};

Result<void> freeze_v1(const std::filesystem::path& dir,
                       std::chrono::milliseconds timeout = freeze_timeout);
Result<void> thaw_v1(const std::filesystem::path& dir);
// FROZEN only (FREEZING is not yet frozen); false when the dir is gone.
Result<bool> frozen_v1(const std::filesystem::path& dir);

Result<void> freeze_v2(const std::filesystem::path& dir,
                       std::chrono::milliseconds timeout = freeze_timeout);
Result<void> thaw_v2(const std::filesystem::path& dir);
Result<bool> frozen_v2(const std::filesystem::path& dir);

}  // namespace nucleus::cgroups
