// The public lifecycle API of libcontainer. The CLI (runtime/) parses argv and
// config.json, then calls exactly one of these per verb. Nothing here sees
// JSON or argv.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>
#include <oci/state.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

enum class CgroupDriver { cgroupfs, systemd, disabled };

// Global flags that shape every verb.
struct RuntimeOptions {
  std::filesystem::path root;  // --root: state lives in <root>/<id>/
  CgroupDriver cgroup_driver = CgroupDriver::cgroupfs;
  bool rootless = false;
  bool debug = false;
};

struct CreateOptions {
  std::string id;
  std::filesystem::path bundle;  // absolute
  std::optional<std::filesystem::path> pid_file;
  std::optional<std::filesystem::path> console_socket;
  std::optional<std::filesystem::path> pidfd_socket;  // receives a pidfd of the init
  bool no_pivot = false;
  bool no_new_keyring = false;
  unsigned preserve_fds = 0;
};

struct RunOptions {
  bool detach = false;
  bool keep = false;
  bool no_subreaper = false;
};

struct UpdateOptions {
  std::string id;
  // From -r/--resources (a LinuxResources document) or the individual flags;
  // absent (and zero, as runc reads them) fields are left alone.
  oci::Resources resources;
  std::optional<std::string> l3_cache_schema;  // Intel RDT
  std::optional<std::string> mem_bw_schema;
};

enum class Status { creating, created, running, paused, stopped };
std::string_view to_string(Status s);

// One container as `state` and `list` report it.
struct ContainerState {
  std::string id;
  pid_t pid = 0;  // 0 once stopped
  Status status = Status::stopped;
  std::filesystem::path bundle;
  std::filesystem::path rootfs;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;
  std::vector<std::pair<std::string, std::string>> annotations;
};

// create: validate, make <root>/<id>, start the init, leave it blocked on the
// exec FIFO. Returns the init's pid.
Result<pid_t> create_container(const RuntimeOptions& rt, const oci::Config& config,
                               const CreateOptions& opts);
// start: release a created container's init to exec the user process.
Result<void> start_container(const RuntimeOptions& rt, const std::string& id);
// run: create + start, then (unless detached) wait and return the exit code
// (128+signal when killed).
Result<int> run_container(const RuntimeOptions& rt, const oci::Config& config,
                          const CreateOptions& opts, const RunOptions& run);
Result<ContainerState> container_state(const RuntimeOptions& rt, const std::string& id);
Result<void> kill_container(const RuntimeOptions& rt, const std::string& id, int signal, bool all);
Result<void> delete_container(const RuntimeOptions& rt, const std::string& id, bool force);
Result<std::vector<ContainerState>> list_containers(const RuntimeOptions& rt);
Result<std::vector<pid_t>> container_processes(const RuntimeOptions& rt, const std::string& id);
// update: write the given limits to a created, running or paused container's
// cgroup, in runc's order, and record them; on failure the container keeps
// running with its old limits (as far as the kernel lets them be restored).
Result<void> update_container(const RuntimeOptions& rt, const UpdateOptions& opts);

// pause: freeze every process of a created or running container (cgroup
// freezer); resume: thaw a paused one. runc's errors: "container not
// running", "container not paused".
Result<void> pause_container(const RuntimeOptions& rt, const std::string& id);
Result<void> resume_container(const RuntimeOptions& rt, const std::string& id);

}  // namespace nucleus
