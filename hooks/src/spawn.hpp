// Starting a hook process: posix_spawn (a vfork-style clone, so nothing is
// allocated in the child and exec failures come back as an errno) with pipes
// for stdin, stdout and stderr and no other inherited fd.
#pragma once

#include <sys/types.h>

#include <optional>
#include <utility>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::hooks::detail {

// How a reaped hook ended.
struct ExitStatus {
  bool signaled = false;
  int code = 0;  // exit code, or the signal number when signaled
  bool core_dumped = false;
};

// A spawned, not yet reaped hook: the leader of its own process group. If it
// is dropped before being reaped (an error path), the group is killed and the
// hook reaped, so no zombie and no runaway hook is left behind.
class HookChild {
 public:
  HookChild(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  HookChild(HookChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}
  HookChild& operator=(HookChild&&) = delete;
  HookChild(const HookChild&) = delete;
  HookChild& operator=(const HookChild&) = delete;
  ~HookChild();

  // -1 when the kernel offers no pidfd: the caller then polls with waitid.
  int pidfd() const { return pidfd_.get(); }
  // The exit status once the hook has ended, nullopt while it runs.
  Result<std::optional<ExitStatus>> try_reap();
  // SIGKILL the hook's process group (its children too) and reap the hook.
  void kill_and_reap();

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

struct SpawnedHook {
  HookChild child;
  UniqueFd stdin_w;   // non-blocking
  UniqueFd stdout_r;  // non-blocking
  UniqueFd stderr_r;  // non-blocking
};

Result<SpawnedHook> spawn_hook(const oci::Hook& hook);

}  // namespace nucleus::hooks::detail
