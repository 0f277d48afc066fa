// Freezing a cgroup: freezer.state in a v1 freezer hierarchy, cgroup.freeze
// in a cgroup2 dir. freeze returns once the kernel reports the cgroup frozen;
// thaw takes effect within its write in both versions, so it does not wait
// (nor does runc).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

// v1: FREEZING can stick while tasks keep appearing (fork, cgroup.procs
// writes) or sit in uninterruptible sleep; like runc 1.1 we ask again up to
// this many times, thawing now and then, before giving up.
inline constexpr unsigned freeze_v1_attempts = 1000;
// v2: how long the kernel may take to report "frozen 1" (runc's 10 s).
inline constexpr std::chrono::milliseconds freeze_v2_timeout{10000};

// What freeze_v1 reads and writes: a v1 cgroup's freezer.state, or in tests a
// stand-in that answers as a kernel would.
class FreezerStateFile {
 public:
  virtual ~FreezerStateFile() = default;
  virtual Result<void> write(std::string_view state) = 0;
  virtual Result<std::string> read() = 0;  // trimmed
  virtual std::string name() const = 0;    // for errors
};

// runc 1.1's loop: write FROZEN, read back; FREEZING asks again, every 25th
// attempt after a short pause, every 50th after a thaw and 10 ms; after
// freeze_v1_attempts, or on an error, the cgroup is thawed back.
Result<void> freeze_v1(FreezerStateFile& file);
Result<void> freeze_v1(const std::filesystem::path& dir);
Result<void> thaw_v1(const std::filesystem::path& dir);
// Frozen (or freezing) by its own freezer.state, not only through an
// ancestor's (freezer.self_freezing, as runc reads it); false when gone.
Result<bool> frozen_v1(const std::filesystem::path& dir);

Result<void> freeze_v2(const std::filesystem::path& dir,
                       std::chrono::milliseconds timeout = freeze_v2_timeout);
Result<void> thaw_v2(const std::filesystem::path& dir);
// cgroup.freeze is 1: frozen, or on the way (not only through an ancestor).
Result<bool> frozen_v2(const std::filesystem::path& dir);

}  // namespace nucleus::cgroups
