// What the systemd driver asks systemd for, as runc 1.1 asks it: the unit's
// name and slice from cgroupsPath "slice:prefix:name", the unit's cgroup,
// and linux.resources as unit properties (systemd.resource-control(5)).
// Pure functions: no systemd is needed to test them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

inline constexpr std::string_view kDefaultSlice = "system.slice";
// The prefix of a unit whose cgroupsPath is empty (runc's is "runc").
inline constexpr std::string_view kDefaultUnitPrefix = "nucleus";

struct SystemdPath {
  std::string slice;   // "" = kDefaultSlice
  std::string prefix;  // unit name prefix: "<prefix>-<name>.scope"
  std::string name;
};

// cgroupsPath as "slice:prefix:name" (runc's format and error text); empty
// means kDefaultUnitPrefix and the container id in the default slice.
Result<SystemdPath> parse_systemd_path(std::string_view cgroups_path, std::string_view id);

// "<prefix>-<name>.scope", or the name itself when it names a slice.
std::string unit_name(const SystemdPath& p);
bool is_slice(std::string_view unit);
std::string slice_of(const SystemdPath& p);

// systemd nests slices by their dashes: "a-b.slice" is
// "/a.slice/a-b.slice", "-.slice" the root "/". Errors as runc's ExpandSlice.
Result<std::string> expand_slice(std::string_view slice);

// The unit's cgroup below systemd's root cgroup: "/system.slice/x-y.scope".
Result<std::string> unit_cgroup(const SystemdPath& p);

// DeviceAllow's entries are D-Bus "(ss)": a device path or group, and "rwm".
struct DeviceAllow {
  std::string path;
  std::string access;
  bool operator==(const DeviceAllow&) const = default;
};

// The D-Bus types of the properties used here: b, s, t, au, ay, a(ss).
using UnitValue = std::variant<bool, std::string, std::uint64_t, std::vector<std::uint32_t>,
                               std::vector<std::uint8_t>, std::vector<DeviceAllow>>;

struct UnitProperty {
  std::string name;
  UnitValue value;
  bool operator==(const UnitProperty&) const = default;
};
using UnitProperties = std::vector<UnitProperty>;

// systemd's version, asked only when a property depends on it.
using SystemdVersion = std::function<int()>;

// "252.38-1~deb12u1", "v245.4-1.fc32" -> 252, 245; -1 when there is no number.
int parse_systemd_version(std::string_view text);

// What every new unit gets, limits aside (runc's Apply): a description, its
// slice (Wants= for a slice), the init pid, Delegate=yes for a scope, the
// accounting of every controller, DefaultDependencies=no.
UnitProperties unit_start_properties(const SystemdPath& p, pid_t pid, bool cgroup2);

// linux.resources as runc 1.1 turns them into properties (genV1/
// genV2ResourcesProperties; cgroup2 also converts the unified keys it
// knows), plus IOWeight on cgroup2, which runc 1.1 leaves to the files.
// Everything is written to the cgroup files afterwards too: the properties
// make systemd keep the limits when it re-applies a unit's settings.
Result<UnitProperties> resource_properties(const oci::Resources& r, bool cgroup2, const SystemdVersion& version);

// linux.resources.devices with runc's default allows, as DevicePolicy and
// DeviceAllow (runc's systemd device properties): strict with the allowed
// devices; auto with none for an allow-all list; strict with none, and a
// warning, for a deny list systemd cannot express.
Result<UnitProperties> device_properties(const std::vector<oci::DeviceRule>& config_rules,
                                         const SystemdVersion& version);

// A cpuset list ("0-3,8") as the bit mask systemd takes for AllowedCPUs and
// AllowedMemoryNodes: byte i holds bits 8i..8i+7 (runc's RangeToBits).
Result<std::vector<std::uint8_t>> cpuset_bits(std::string_view list);

}  // namespace nucleus::cgroups
