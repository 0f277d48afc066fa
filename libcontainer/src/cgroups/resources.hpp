// linux.resources before it reaches the cgroup files.
//
// Status: limits are parsed (oci-spec) and checked here, but not yet written;
// the controller writers (v1 files per controller, v2 files plus
// cgroup.subtree_control) come in a later issue and plug in behind set().
#pragma once

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

bool resources_empty(const oci::Resources& r);

// What can be refused before writing anything: unified keys must be plain
// file names of the container's own cgroup2 dir, and need a cgroup2 hierarchy.
Result<void> check_resources(const oci::Resources& r, bool have_cgroup2);

// check_resources, then a warning that the limits are not applied yet.
Result<void> accept_resources_unapplied(const oci::Resources& r, bool have_cgroup2);

}  // namespace nucleus::cgroups
