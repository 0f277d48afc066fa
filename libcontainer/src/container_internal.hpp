// What the lifecycle verbs (container*.cpp) share: reading a container's
// record, deriving its status, starting and destroying it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include <oci/state.hpp>

#include "nucleus/container.hpp"
#include "nucleus/unique_fd.hpp"
#include "state/container_dir.hpp"
#include "state/container_record.hpp"

namespace nucleus::detail {

std::string_view driver_name(CgroupDriver driver);
CgroupDriver driver_from_name(std::string_view name);

// A record read without the lock (state, list, ps never wait on a verb that
// holds it): state.json is replaced atomically, so it is whole or absent.
struct RecordView {
  ContainerRecord record;
  UniqueFd dir;  // O_PATH on <root>/<id>
};
Result<RecordView> read_record_unlocked(const std::filesystem::path& root, const std::string& id);

// The container's state as the spec words it (runtime.md#state), what hooks
// and a seccomp agent get: the init's pid unless `status` is "stopped".
oci::State spec_state(const ContainerRecord& record, std::string_view status);

// Live status: the init's pid checked against its start time, the freezer,
// the exec FIFO.
Status derive_status(const ContainerRecord& record, int dir_fd);

// create, shared by `create` and `run`: leaves the init blocked on the FIFO,
// as a child of this process. `child_mask` is the signal mask the init starts
// with (run blocks signals in the runtime before the clone). With
// `keep_console_master` (run in the foreground without --console-socket) the
// pty master is returned instead of being sent anywhere.
struct CreatedContainer {
  pid_t pid = -1;
  UniqueFd console_master;
};
Result<CreatedContainer> create_container_impl(const RuntimeOptions& rt, const oci::Config& config,
                                               const CreateOptions& opts, bool detached,
                                               const sigset_t& child_mask);

// Kill what is left in the cgroup, remove the cgroup and the state dir, then
// run the poststop hooks (failures are warnings).
Result<void> destroy_container(ContainerDir& dir, const ContainerRecord& record);

// SIGKILL the init (and, without its own pid namespace, the rest of the
// cgroup) and wait until it is gone.
Result<void> kill_and_wait(const ContainerRecord& record);
// SIGKILL whatever runs in any of the record's cgroups, until none is left
// (bounded): for undoing a create that was killed half-way.
void kill_everything_in(const ContainerRecord& record);

}  // namespace nucleus::detail
