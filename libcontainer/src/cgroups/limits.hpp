// What CgroupManager::check and ::set take: the limits to write and what the
// container has once they are written.
#pragma once

#include <oci/config.hpp>

namespace nucleus::cgroups {

struct Limits {
  // What to write: a config's linux.resources at create; at update, the
  // fields given (zero values mean "not set", as in runc).
  const oci::Resources& change;
  // The container's limits afterwards (change merged over the recorded ones):
  // cross-field rules (memory+swap, cpu.max) read it. At create, == change.
  const oci::Resources& result;
  // A running container (update): checkBeforeUpdate applies, and the files
  // already written are restored when a later write fails.
  bool live = false;
};

}  // namespace nucleus::cgroups
