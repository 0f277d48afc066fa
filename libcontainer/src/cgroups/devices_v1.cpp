// The v1 devices controller: devices.allow, devices.deny, devices.list.
#include "cgroups/cgroup_file.hpp"
#include "cgroups/devices.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

Result<DeviceEmulator> read_state(const fs::path& dir) {
  const fs::path list = dir / "devices.list";
  auto state = DeviceEmulator::from_list(TRY(read_file(list)));
  if (!state) return std::unexpected(std::move(state).error().context(fmt::format("read \"{}\"", list.native())));
  return state;
}

bool reached(const DeviceEmulator& now, const DeviceEmulator& target) {
  return target.default_allow() ? now.default_allow() : now == target;
}

}  // namespace

Result<void> set_devices_v1(const fs::path& dir, const DeviceEmulator& target) {
  const DeviceEmulator current = TRY(read_state(dir));
  for (const auto& rule : current.transition_to(target))
    TRY_VOID(write_file(dir / (rule.allow ? "devices.allow" : "devices.deny"), to_cgroup_line(rule)));
  // The kernel takes some writes without doing them ("c 4294967295:1" is
  // "c *:1" to it): trust devices.list only.
  if (!reached(TRY(read_state(dir)), target))
    return fail(fmt::format("\"{}\" does not show the rules written to it", (dir / "devices.list").native()));
  return {};
}

}  // namespace nucleus::cgroups
