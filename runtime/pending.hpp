// The libcontainer calls the CLI makes that are not implemented yet. Each one
// returns `"<verb>" is not implemented yet`.
//
// Wiring a verb: in cmd_<verb>.cpp, on the line marked `WIRE`, replace the
// `pending::` call with the libcontainer function of the same shape, then
// delete it here.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/container.hpp"
#include "nucleus/error.hpp"
#include "verb_options.hpp"

namespace nucleus::cli::pending {

// Not declared by libcontainer yet; the shapes the CLI proposes.
Result<void> checkpoint_container(const RuntimeOptions& rt, const CheckpointOptions& opts);
// restore: like run (the exit status, or 0 with --detach).
Result<int> restore_container(const RuntimeOptions& rt, const oci::Config& config,
                              const CreateOptions& create, const RestoreOptions& opts);

}  // namespace nucleus::cli::pending
