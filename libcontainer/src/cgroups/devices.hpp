// Putting a container's device rules into its cgroup: writes to a v1 devices
// cgroup, or a BPF device program attached to a cgroup2 dir.
#pragma once

#include <filesystem>
#include <vector>

#include <oci/config.hpp>

#include "cgroups/device_emulator.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

// Write the transition from the state devices.list shows to target (no
// writes when it is already there: an existing cgroup is fine), then read
// devices.list back: it must show target exactly (in allow-all mode, where
// the kernel lists no exceptions, the mode).
Result<void> set_devices_v1(const std::filesystem::path& dir, const DeviceEmulator& target);

// Load target's program and attach it to the cgroup2 dir in place of the
// device programs attached there, never leaving the dir without one:
// BPF_F_REPLACE when there is exactly one, otherwise attach, then detach the
// old ones (while both are attached, both must allow an access).
Result<void> set_devices_bpf(const std::filesystem::path& dir, const DeviceEmulator& target);

enum class DevicesVia { v1, bpf };

// linux.resources.devices and the default allows (device_rules.hpp),
// emulated, then set on dir. Errors name linux.resources.devices. Skipped,
// as runc does, when this process is in a user namespace (uid_map is not the
// identity over all uids): the kernel then refuses both ways.
Result<void> set_container_devices(const std::filesystem::path& dir, DevicesVia via,
                                   const std::vector<oci::DeviceRule>& config_rules,
                                   const std::filesystem::path& uid_map = "/proc/self/uid_map");

}  // namespace nucleus::cgroups
