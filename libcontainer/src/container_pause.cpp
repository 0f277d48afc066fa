// pause and resume: freeze and thaw the container's cgroup. Nothing is
// recorded: `state` reads paused from the freezer, so it cannot go stale.
#include "cgroups/manager.hpp"
#include "container_internal.hpp"
#include "nucleus/container.hpp"

namespace nucleus {

namespace {

Result<std::unique_ptr<cgroups::CgroupManager>> open_cgroup(const ContainerRecord& r) {
  return cgroups::open_cgroup_manager(r.cgroup_paths, detail::driver_from_name(r.cgroup_driver));
}

}  // namespace

// runc pauses a created container too; `state` then says paused, and created
// again after resume.
Result<void> pause_container(const RuntimeOptions& rt, const std::string& id) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord r = TRY(dir.read_record());
  Status status = detail::derive_status(r, dir.fd());
  if (status != Status::running && status != Status::created) return fail("container not running");
  auto cg = TRY(open_cgroup(r));
  return cg->freeze();
}

Result<void> resume_container(const RuntimeOptions& rt, const std::string& id) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord r = TRY(dir.read_record());
  if (detail::derive_status(r, dir.fd()) != Status::paused) return fail("container not paused");
  auto cg = TRY(open_cgroup(r));
  return cg->thaw();
}

}  // namespace nucleus
