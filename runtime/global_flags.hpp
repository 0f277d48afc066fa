// The global flags (before the verb), turned into what the verbs and the
// logger need.
#pragma once

#include "args.hpp"
#include "logging.hpp"
#include "nucleus/container.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cli {

// --log, --log-format text|json, --debug.
Result<LogSettings> log_settings(const ParsedArgs& globals);
// --root (absolute; default /run/nucleus, or $XDG_RUNTIME_DIR/nucleus made
// sticky for a user, as runc), --rootless true|false|auto (auto: not root, or
// in a user namespace), --systemd-cgroup, --cgroup-manager, --debug. --criu is
// accepted and ignored.
Result<RuntimeOptions> runtime_options(const ParsedArgs& globals);

}  // namespace nucleus::cli
