#include "cgroups/reuse_check.hpp"

#include "nucleus/log.hpp"

namespace nucleus::cgroups {

Result<void> check_reusable_cgroup(const CgroupManager& cgroup) {
  if (cgroup.paths().empty()) return {};  // --cgroup-manager disabled: no cgroup of its own
  // A cgroup that does not exist yet has no processes and is not frozen.
  auto pids = cgroup.pids();
  if (!pids && pids.error().err() != ENOENT && pids.error().err() != ENODEV)
    return std::unexpected(pids.error().context("unable to get cgroup PIDs"));
  if (pids && !pids->empty()) log::warn("container's cgroup is not empty: {} process(es) found", pids->size());
  auto frozen = cgroup.frozen();
  if (!frozen) return std::unexpected(frozen.error().context("unable to get cgroup freezer state"));
  if (*frozen) return fail("container's cgroup unexpectedly frozen");
  return {};
}

}  // namespace nucleus::cgroups
