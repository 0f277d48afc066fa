// The device cgroup rules a container gets, built as runc 1.1 builds them:
// linux.resources.devices in order, then runc's default allows (mknod of any
// node, the default /dev devices, ptys, /dev/net/tun). Checked against runc
// 1.1.5 on a v1 host by reading devices.list of its containers:
//  - no linux.resources (or no devices in it) still gets the defaults after
//    deny-all: with no rules at all, everything but the defaults is denied;
//  - linux.devices entries get NO allow rule: a node runc makes for the
//    config cannot be opened unless linux.resources.devices allows it (the
//    engines send an allow rule for each device they add).
// One deviation: runc drops the default allow of a default device whose path
// linux.devices redefines (its /dev/null then cannot be opened, and runc 1.1.5
// fails to start the container); nucleus keeps all the defaults.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <oci/config.hpp>

namespace nucleus::cgroups {

enum class DeviceType : char { all = 'a', character = 'c', block = 'b' };

// Access bits, the values of the kernel's BPF_DEVCG_ACC_* (checked in device_filter.cpp).
using DeviceAccess = unsigned;
inline constexpr DeviceAccess access_mknod = 1;
inline constexpr DeviceAccess access_read = 2;
inline constexpr DeviceAccess access_write = 4;
inline constexpr DeviceAccess access_all = access_read | access_write | access_mknod;

// A major or minor of "*".
inline constexpr std::int64_t any_number = -1;

struct DeviceRule {
  bool allow = false;
  DeviceType type = DeviceType::all;  // all: the major, minor and access are ignored
  std::int64_t major = any_number;
  std::int64_t minor = any_number;
  DeviceAccess access = access_all;
  bool operator==(const DeviceRule&) const = default;
};

// The letters of access in the kernel's order: "rwm", "rm", "".
std::string access_letters(DeviceAccess access);

// Letters other than r, w and m add nothing (validation refuses them).
DeviceAccess parse_access(std::string_view letters);

// The devices.allow / devices.list form: "c 1:3 rwm", "b *:* m", "a *:* rwm".
std::string to_cgroup_line(const DeviceRule& rule);

// runc's AllowedDevices, in its order.
std::span<const DeviceRule> default_device_rules();

// One rule of linux.resources.devices (validated): type "" is "a", a missing
// major or minor (or runc's -1) is "*".
DeviceRule from_config(const oci::DeviceRule& rule);

// linux.resources.devices in order, then default_device_rules().
std::vector<DeviceRule> container_device_rules(const std::vector<oci::DeviceRule>& config_rules);

}  // namespace nucleus::cgroups
