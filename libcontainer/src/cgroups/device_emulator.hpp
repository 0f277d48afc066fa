// The state of a devices cgroup, as runc's devices "emulator" models it: a
// default (allow or deny everything) plus exceptions, each a device pattern
// with the access that is the exception. Rules apply in order, as the kernel
// applies writes to devices.allow / devices.deny:
//  - a type-a rule resets: default allow or deny, no exceptions;
//  - a rule against the default adds its access to the exception of exactly
//    its pattern; a rule with the default takes its access away from it.
// Taking access away from a pattern that a wider exception also covers
// ("deny c 1:3 r" under "allow c 1:* rwm") is refused, as runc refuses it:
// v1 would silently keep the wider exception, and the container would keep
// access the config took away.
//
// Both cgroup versions use the state: v1 writes the transition from the
// cgroup's current state (devices_v1.cpp), v2 compiles it to a BPF program
// (device_filter.cpp), so both grant the same access for the same rules.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "cgroups/device_rules.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

class DeviceEmulator {
 public:
  // Deny everything (runc starts every list from this).
  DeviceEmulator() = default;

  // The state after rules, starting from deny-all.
  static Result<DeviceEmulator> from_rules(std::span<const DeviceRule> rules);
  // The state a v1 devices.list shows. In allow-all mode the kernel lists
  // only "a *:* rwm", so the deny exceptions are unknown (and read as none).
  static Result<DeviceEmulator> from_list(std::string_view devices_list);

  Result<void> apply(const DeviceRule& rule);

  bool default_allow() const { return default_allow_; }
  // The kernel's decision for one access to a char or block device: in
  // deny-all mode one exception must grant all of access; in allow-all mode
  // an exception that names any of access denies it (as v1 checks).
  bool allows(DeviceType type, std::uint32_t major, std::uint32_t minor, DeviceAccess access) const;
  // The exceptions as rules (allow ones in deny-all mode, deny ones in
  // allow-all mode), in a fixed order.
  std::vector<DeviceRule> exceptions() const;

  // The rules to write to take a v1 cgroup from this state to target (runc's
  // Transition): a reset first when the default changes, then the access to
  // take away, then the access to grant. So between two deny-all states no
  // step allows more than either, and a cgroup going to deny-all is denied
  // everything before anything is granted. An allow-all state is always reset
  // first (devices.list does not show its deny exceptions), and a deny
  // exception can only be written after the reset to allow-all: both
  // briefly allow what will be denied, as in runc.
  std::vector<DeviceRule> transition_to(const DeviceEmulator& target) const;

  bool operator==(const DeviceEmulator&) const = default;

 private:
  struct Pattern {
    DeviceType type;
    std::int64_t major;
    std::int64_t minor;
    auto operator<=>(const Pattern&) const = default;
  };
  static Pattern pattern_of(const DeviceRule& r) { return {r.type, r.major, r.minor}; }
  static DeviceRule rule_of(const Pattern& p, DeviceAccess access, bool allow) {
    return {allow, p.type, p.major, p.minor, access};
  }
  DeviceAccess access_of(const Pattern& p) const;
  void add(const DeviceRule& rule);
  Result<void> remove(const DeviceRule& rule);

  bool default_allow_ = false;
  std::map<Pattern, DeviceAccess> exceptions_;
};

}  // namespace nucleus::cgroups
