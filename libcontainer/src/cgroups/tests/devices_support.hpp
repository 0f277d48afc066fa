// What the devices tests share: short rule constructors, runc's devices.list,
// rules as text, and a set of probes (char and block devices, numbers in and
// out of the rules' patterns, every non-empty access) to compare two
// decisions over.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cgroups/device_emulator.hpp"

namespace nucleus::cgroups::testing {

inline DeviceRule deny_all() { return {false, DeviceType::all, any_number, any_number, access_all}; }
inline DeviceRule allow_all() { return {true, DeviceType::all, any_number, any_number, access_all}; }
inline DeviceRule allow(char type, std::int64_t major, std::int64_t minor, std::string_view access) {
  return {true, static_cast<DeviceType>(type), major, minor, parse_access(access)};
}
inline DeviceRule deny(char type, std::int64_t major, std::int64_t minor, std::string_view access) {
  return {false, static_cast<DeviceType>(type), major, minor, parse_access(access)};
}

// devices.list of a runc 1.1.5 container with the default config, as read on
// this kind of host.
inline constexpr const char* runc_default_list =
    "b *:* m\nc *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:2 rwm\n"
    "c 10:200 rwm\nc 136:* rwm\n";

// "allow c 1:3 rwm", one per rule.
inline std::vector<std::string> described(const std::vector<DeviceRule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back((r.allow ? "allow " : "deny ") + to_cgroup_line(r));
  return out;
}

// The state after rules and then the container defaults, as create applies them.
inline DeviceEmulator emulate(std::vector<DeviceRule> rules) {
  for (const auto& d : default_device_rules()) rules.push_back(d);
  auto e = DeviceEmulator::from_rules(rules);
  if (!e) FAIL(e.error().what());
  return *e;
}

struct Probe {
  DeviceType type;
  std::uint32_t major;
  std::uint32_t minor;
  DeviceAccess access;
};

inline const std::vector<Probe>& probes() {
  static const std::vector<Probe> all = [] {
    std::vector<Probe> out;
    for (auto type : {DeviceType::character, DeviceType::block})
      for (std::uint32_t major : {1u, 4u, 5u, 7u, 8u, 10u, 136u, 4095u})
        for (std::uint32_t minor : {0u, 1u, 2u, 3u, 5u, 11u, 200u, 201u, 1048575u})
          for (DeviceAccess access = 1; access <= access_all; ++access) out.push_back({type, major, minor, access});
    return out;
  }();
  return all;
}

inline bool allows(const DeviceEmulator& e, const Probe& p) { return e.allows(p.type, p.major, p.minor, p.access); }

template <typename Pred>
std::size_t count_probes(Pred pred) {
  std::size_t n = 0;
  for (const auto& p : probes()) n += pred(p) ? 1 : 0;
  return n;
}

}  // namespace nucleus::cgroups::testing
