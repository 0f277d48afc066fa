// What runc refuses of a config when the runtime is not root (its
// validate.rootlessEUID and setupUser checks), with its words, checked before
// anything is created: the container needs a user namespace with both maps,
// mount options may name only mapped ids, and no additional groups are set.
#pragma once

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "nucleus/rootless.hpp"

namespace nucleus {

// create/run: the whole config.
Result<void> check_rootless_config(const oci::Config& config);
// create and exec: process.user.
Result<void> check_rootless_process(const oci::Process& process);

}  // namespace nucleus
