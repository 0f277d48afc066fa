// What the runtime needs to know about being run without root (runc's
// RootlessEUID, RunningInUserNS and its XDG state root).
#pragma once

#include <filesystem>
#include <string_view>

#include "nucleus/error.hpp"

namespace nucleus {

// Whether the runtime runs as a user (euid != 0): runc's RootlessEUID.
bool rootless_euid();

// runc's userns.RunningInUserNS: this process is in a user namespace other
// than the initial one, whose uid_map alone is "0 0 4294967295".
bool running_in_user_namespace();
// The test on the text of /proc/self/uid_map (none at all: no user namespaces).
bool is_initial_uid_map(std::string_view uid_map);

// The default state root of an unprivileged user ($XDG_RUNTIME_DIR/nucleus):
// made if needed (0700, with parents) and set sticky, as the XDG spec asks so
// that tmpfiles cleaners leave it, before any verb uses it (as runc does).
Result<void> prepare_user_state_root(const std::filesystem::path& root);

}  // namespace nucleus
