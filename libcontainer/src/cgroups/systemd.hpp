// The systemd cgroup driver (--systemd-cgroup / --cgroup-manager systemd).
// The cgroup would be a transient scope created over D-Bus; until that is
// written, and always on hosts without systemd, asking for it is an error.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "cgroups/manager.hpp"

namespace nucleus::cgroups {

inline constexpr const char* systemd_marker = "/run/systemd/system";

struct SystemdPath {
  std::string slice;   // "" = the default (system.slice)
  std::string prefix;  // unit name prefix: "<prefix>-<name>.scope"
  std::string name;
};

// cgroupsPath as "slice:prefix:name" (runc's format and error text); empty
// means prefix "nucleus" and name id in the default slice.
Result<SystemdPath> parse_systemd_path(std::string_view cgroups_path, std::string_view id);

// systemd's own test (sd_booted): the marker dir exists.
bool systemd_running(const std::filesystem::path& marker = systemd_marker);

Result<std::unique_ptr<CgroupManager>> make_systemd_manager(
    const CgroupConfig& config, const std::filesystem::path& marker = systemd_marker);

}  // namespace nucleus::cgroups
