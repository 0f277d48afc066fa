// update: new limits for a live container, merged over those recorded.
#include <fmt/format.h>
#include <oci/parse.hpp>

#include "cgroups/manager.hpp"
#include "cgroups/resources.hpp"
#include "container_internal.hpp"
#include "intel_rdt.hpp"
#include "nucleus/container.hpp"
#include "nucleus/log.hpp"

namespace nucleus {

namespace {

// Device rules first, so that a refusal there changes nothing; put back if
// the limits then fail.
Result<void> set_limits(cgroups::CgroupManager& cg, const UpdateOptions& o, const oci::Resources& before,
                        const oci::Resources& after) {
  const bool devices = !o.resources.devices.empty() && o.resources.devices != before.devices;
  if (devices) TRY_VOID(cg.set_devices(o.resources.devices));
  auto set = cg.set({o.resources, after, true});
  if (!set && devices) {
    if (auto back = cg.set_devices(before.devices); !back)
      log::warn("restoring the device rules: {}", back.error().what());
  }
  return set;
}

}  // namespace

Result<void> update_container(const RuntimeOptions& rt, const UpdateOptions& o) {
  TRY_VOID(check_intel_rdt_flags(o.l3_cache_schema, o.mem_bw_schema));
  if (auto valid = oci::validate(o.resources); !valid) return fail(valid.error().what());
  ContainerDir dir = TRY(ContainerDir::open(rt.root, o.id));
  ContainerRecord r = TRY(dir.read_record());
  if (detail::derive_status(r, dir.fd()) == Status::stopped) return fail("container not running");
  auto cg = TRY(cgroups::open_cgroup_manager(r.cgroup_paths, detail::driver_from_name(r.cgroup_driver)));
  const oci::Resources before = r.resources.value_or(oci::Resources{});
  oci::Resources after = cgroups::merge_resources(before, o.resources);
  TRY_VOID(cg->check({o.resources, after, true}));
  TRY_VOID(set_limits(*cg, o, before, after));
  r.resources = std::move(after);
  return dir.write_record(r);
}

}  // namespace nucleus
