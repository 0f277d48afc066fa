#include "cgroups/devices.hpp"

#include <cstdio>

#include "cgroups/cgroup_file.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// The initial user namespace maps every uid to itself: "0 0 4294967295".
bool in_user_namespace(const fs::path& uid_map) {
  auto text = read_file(uid_map);
  if (!text) return false;  // no /proc/self/uid_map: a kernel without user namespaces
  unsigned long inside = 1, outside = 1, count = 0;
  int used = 0;
  bool identity = std::sscanf(text->c_str(), " %lu %lu %lu %n", &inside, &outside, &count, &used) == 3 &&
                  static_cast<std::size_t>(used) == text->size() && inside == 0 && outside == 0 &&
                  count == 4294967295UL;
  return !identity;
}

}  // namespace

Result<void> set_container_devices(const fs::path& dir, DevicesVia via,
                                   const std::vector<oci::DeviceRule>& config_rules, const fs::path& uid_map) {
  if (in_user_namespace(uid_map)) {
    log::debug("linux.resources.devices: not applied, the runtime runs in a user namespace");
    return {};
  }
  const auto rules = container_device_rules(config_rules);
  auto target = DeviceEmulator::from_rules(rules);
  if (!target) return std::unexpected(std::move(target).error().context("linux.resources.devices"));
  auto set = via == DevicesVia::v1 ? set_devices_v1(dir, *target) : set_devices_bpf(dir, *target);
  if (!set) return std::unexpected(std::move(set).error().context("apply linux.resources.devices"));
  return {};
}

}  // namespace nucleus::cgroups
