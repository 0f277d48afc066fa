// Running OCI hooks: each hook is spawned with the container's state JSON on
// stdin, exactly its own argv and environment, and an optional timeout.
// Where a hook runs (runtime or container namespaces) is the caller's choice;
// this library only runs it and applies the failure semantics of its kind.
#pragma once

#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::hooks {

enum class Kind {
  prestart,
  create_runtime,
  create_container,
  start_container,
  poststart,
  poststop
};

// The spec's name for the kind: "prestart", "createRuntime", ...
std::string_view to_string(Kind kind);

// Whether a failing hook of this kind fails the operation. Per runtime.md
// (Lifecycle) only poststop failures are warnings; poststart failures are
// errors after which the caller must stop the container (as runc does).
bool failure_is_fatal(Kind kind);

// Run one hook and wait for it. The hook inherits the caller's cwd and
// namespaces, starts with default signal dispositions and an empty mask, and
// runs in its own process group (killed as a whole on timeout). The caller
// must not auto-reap children (SIGCHLD ignored, waitpid(-1)) meanwhile.
// Its stdout and stderr are captured (as runc does, so hook output never
// mixes into the container's stdio) and quoted in the error when it fails.
// Errors read like runc's:
//   /usr/bin/x: exit status 1, stdout: ..., stderr: ...
//   /usr/bin/x: signal: killed, stdout: ..., stderr: ...
//   /usr/bin/x: hook ran past specified timeout of 2.0s
//   fork/exec /usr/bin/x: no such file or directory
Result<void> run_hook(const oci::Hook& hook, std::string_view state_json);

// Run the hooks of one kind in order. Fatal kinds stop at the first failure
// and return it as "error running <kind> hook #<i>: ..."; non-fatal kinds log
// a warning for each failure, run the rest and return success.
Result<void> run_hooks(Kind kind, const std::vector<oci::Hook>& hooks, std::string_view state_json);

}  // namespace nucleus::hooks
