// The runtime's side of create: clone the init, then serve it over the sync
// channel (cgroup, id maps, runtime hooks, the console fd, the seccomp notify
// listener for the agent) until it is ready and blocked on the exec FIFO. Any
// failure kills and reaps it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "cgroups/manager.hpp"
#include "init/init.hpp"
#include "init/namespaces.hpp"
#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

// The container's init while create is in progress: SIGKILLed and reaped on
// destruction unless released (an intermediate child is reaped as well).
class InitProcess {
 public:
  explicit InitProcess(pid_t pid) : pid_(pid), child_(pid) {}
  InitProcess(InitProcess&& o) noexcept;
  InitProcess& operator=(InitProcess&&) = delete;
  InitProcess(const InitProcess&) = delete;
  InitProcess& operator=(const InitProcess&) = delete;
  ~InitProcess();

  pid_t pid() const { return pid_; }
  // The intermediate child forked the real init: reap the former, track the latter.
  Result<void> adopt(pid_t init);
  // The init stays (create succeeded).
  pid_t release();

 private:
  pid_t pid_ = -1;
  pid_t child_ = -1;  // our direct child while it is not the init
};

struct LaunchOptions {
  InitConfig init;
  cgroups::CgroupManager* cgroup = nullptr;
  std::optional<std::filesystem::path> console_socket;
};

struct LaunchedInit {
  InitProcess process;
  UniqueFd console_master;  // when there is a terminal but no console socket (run)
};

Result<LaunchedInit> launch_init(const LaunchOptions& options, const NamespacePlan& plan);

}  // namespace nucleus::init
