// The five capability sets as bit masks, and the steps that read and set
// them. apply_identity_and_capabilities (identity.cpp) orders these steps
// around the uid switch; plan_capabilities is pure so its rules are testable
// without privileges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::caps {

using CapMask = std::uint64_t;  // bit n = capability n; the kernel has < 64

constexpr CapMask bit(int cap) { return CapMask{1} << cap; }

struct CapabilitySets {
  CapMask bounding = 0;
  CapMask permitted = 0;
  CapMask effective = 0;
  CapMask inheritable = 0;
  CapMask ambient = 0;
  bool operator==(const CapabilitySets&) const = default;
};

struct CapabilityPlan {
  CapabilitySets sets;                 // what will be applied
  std::vector<std::string> unknown;    // names unknown to libcap-ng or this kernel
  std::vector<std::string> ungranted;  // "ambient [CAP_X]": asked for, cannot be granted
  // The warning to log for unknown names (runc's), if any.
  std::vector<std::string> warnings() const;
  // A capability this process cannot grant fails the container, as in runc
  // ("unable to apply caps: operation not permitted") and crun: the user
  // asked for it and would otherwise run without it unawares.
  Result<void> check_grantable() const;
};

// The highest capability number this kernel knows (probed with
// PR_CAPBSET_READ, which works without /proc).
int last_capability();

// "[CAP_CHOWN CAP_KILL]", the way runc prints a list.
std::string format_mask(CapMask mask);

// What `requested` asks for, limited to what a process holding `current` can
// grant itself across a keep-caps uid switch (the rest is in `ungranted`): bounding within the current
// bounding set, permitted and effective within the current permitted set,
// inheritable within current inheritable plus (permitted and new bounding),
// ambient within the new permitted and inheritable sets. An absent object or
// set means none.
CapabilityPlan plan_capabilities(const std::optional<oci::Capabilities>& requested,
                                 const CapabilitySets& current);

// The calling thread's five sets (capget and prctl; no /proc needed).
Result<CapabilitySets> read_capabilities();

// PR_CAPBSET_DROP every capability not in `keep` (needs CAP_SETPCAP).
Result<void> drop_bounding_set(CapMask keep);

// capset(permitted, effective, inheritable) through libcap-ng, then the
// ambient set cleared and raised to exactly `sets.ambient`. The bounding set
// is left alone (see drop_bounding_set).
Result<void> set_capabilities(const CapabilitySets& sets);

}  // namespace nucleus::caps
