// What the limits tests share: a manager for a fake host, resources written
// as JSON, and create's check-then-set.
#pragma once

#include <catch2/catch.hpp>
#include <oci/parse.hpp>

#include "cgroups/manager.hpp"

namespace nucleus::cgroups::testing {

inline std::unique_ptr<CgroupManager> make_manager(const CgroupConfig& c) {
  auto m = make_cgroup_manager(c);
  if (!m) FAIL(m.error().what());
  return std::move(*m);
}

inline oci::Resources parse(const char* json) {
  auto r = oci::parse_resources(json);
  if (!r) FAIL(r.error().what());
  return *r;
}

inline Result<void> apply(CgroupManager& m, const oci::Resources& r) {
  TRY_VOID(m.check({r, r}));
  return m.set({r, r});
}

}  // namespace nucleus::cgroups::testing
