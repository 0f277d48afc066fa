#include "cgroups/v2.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/kill_all.hpp"
#include "cgroups/subtree_control.hpp"

namespace nucleus::cgroups {

// Every controller the parent can give, as runc and crun do: callers read
// memory.stat, io.stat, pids.current of containers without limits too.
Result<void> V2Manager::create() {
  TRY_VOID(make_dirs(dir_));
  return enable_controllers(dir_, {});
}

Result<void> V2Manager::apply(pid_t pid) { return write_file(dir_ / "cgroup.procs", std::to_string(pid)); }

Result<void> V2Manager::set_devices(const std::vector<oci::DeviceRule>& rules) {
  return set_container_devices(dir_, DevicesVia::bpf, rules);
}

Result<void> V2Manager::freeze() { return freeze_v2(dir_); }
Result<void> V2Manager::thaw() { return thaw_v2(dir_); }
Result<bool> V2Manager::frozen() const { return frozen_v2(dir_); }

Result<std::vector<pid_t>> V2Manager::pids() const { return read_procs_recursive(dir_); }

Result<void> V2Manager::kill_all(int signal) {
  if (signal == SIGKILL && ::access((dir_ / "cgroup.kill").c_str(), F_OK) == 0) {
    auto killed = write_file(dir_ / "cgroup.kill", "1");
    // Gone meanwhile, and its processes with it: systemd removes a scope's
    // cgroup as soon as its last process exits.
    if (!killed && killed.error().err() == ENOENT) return {};
    return killed;
  }
  return signal_all(*this, signal, true);
}

Result<void> V2Manager::destroy() {
  dir_fd_.reset();
  return remove_cgroup_tree(dir_);
}

std::map<std::string, std::string> V2Manager::paths() const { return {{"", dir_.native()}}; }

std::optional<int> V2Manager::clone_into_fd() const {
  // O_PATH would not do: CLONE_INTO_CGROUP wants a real open of the dir.
  if (!dir_fd_) dir_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd_) return std::nullopt;
  return dir_fd_.get();
}

}  // namespace nucleus::cgroups
