#include "cgroups/resources.hpp"

#include "nucleus/log.hpp"

namespace nucleus::cgroups {

bool resources_empty(const oci::Resources& r) { return r == oci::Resources{}; }

Result<void> check_resources(const oci::Resources& r, bool have_cgroup2) {
  for (const auto& [key, value] : r.unified) {
    // A '/' or ".." would write outside the container's cgroup.
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
      return fail(fmt::format("linux.resources.unified: invalid key \"{}\"", key));
  }
  if (!r.unified.empty() && !have_cgroup2)
    return fail(fmt::format("linux.resources.unified: \"{}\" needs cgroup v2, which this host does not mount",
                            r.unified.begin()->first));
  return {};
}

Result<void> accept_resources_unapplied(const oci::Resources& r, bool have_cgroup2) {
  TRY_VOID(check_resources(r, have_cgroup2));
  if (!resources_empty(r)) log::debug("linux.resources: cgroup limits are not applied yet by nucleus");
  return {};
}

}  // namespace nucleus::cgroups
