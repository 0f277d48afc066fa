// The lifecycle verbs over an existing container: state, list, ps, start,
// kill, delete. create and run are in container_create.cpp.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/manager.hpp"
#include "container_internal.hpp"
#include "nucleus/container.hpp"
#include "nucleus/hooks.hpp"
#include "nucleus/log.hpp"
#include "state/exec_fifo.hpp"
#include "state/process.hpp"

namespace nucleus {

namespace {

constexpr const char* kDoesNotExist = "container does not exist";

Result<std::unique_ptr<cgroups::CgroupManager>> open_cgroup(const ContainerRecord& r) {
  return cgroups::open_cgroup_manager(r.cgroup_paths, detail::driver_from_name(r.cgroup_driver));
}

ContainerState to_container_state(const ContainerRecord& r, Status status) {
  ContainerState s;
  s.id = r.id;
  s.pid = status == Status::stopped ? 0 : r.init_pid;
  s.status = status;
  s.bundle = r.bundle;
  s.rootfs = r.rootfs;
  s.created = r.created;
  s.owner = r.owner;
  s.annotations = r.annotations;
  return s;
}

// The user name owning the state dir, as runc's list prints it.
std::string owner_name(uid_t uid) {
  std::ifstream in("/etc/passwd");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, pw, id;
    if (std::getline(f, name, ':') && std::getline(f, pw, ':') && std::getline(f, id, ':') &&
        id == std::to_string(uid))
      return name;
  }
  return fmt::format("#{}", uid);
}

// pidfd first, identity check second: the pidfd pins the process, so a
// recycled pid can never receive the signal.
Result<void> signal_init(const ContainerRecord& r, int signal) {
  auto pidfd = pidfd_open(r.init_pid);
  if (!pidfd || !process_alive(r.init_pid, r.init_start_time)) return fail("container not running");
  if (::syscall(SYS_pidfd_send_signal, pidfd->get(), signal, nullptr, 0) != 0)
    return fail_errno("unable to signal init");
  return {};
}

Result<void> wait_gone(const ContainerRecord& r, std::chrono::milliseconds timeout) {
  if (!process_alive(r.init_pid, r.init_start_time)) return {};
  auto pidfd = pidfd_open(r.init_pid);
  // Opened after the identity check: make sure it is still the init we hold.
  if (!pidfd || !process_alive(r.init_pid, r.init_start_time)) return {};
  pollfd p{pidfd->get(), POLLIN, 0};
  int rc;
  do rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  while (rc < 0 && errno == EINTR);
  if (rc == 0) return fail("container init still running");
  return {};
}

Result<void> run_poststart_hooks(const ContainerRecord& r) {
  if (r.poststart_hooks.empty()) return {};
  return hooks::run_hooks(hooks::Kind::poststart, r.poststart_hooks,
                          oci::to_json(detail::spec_state(r, "running")));
}

}  // namespace

std::string_view to_string(Status s) {
  switch (s) {
    case Status::creating: return "creating";
    case Status::created: return "created";
    case Status::running: return "running";
    case Status::paused: return "paused";
    case Status::stopped: return "stopped";
  }
  return "unknown";
}

namespace detail {

oci::State spec_state(const ContainerRecord& r, std::string_view status) {
  oci::State s;
  s.oci_version = std::string(oci::kSpecVersion);
  s.id = r.id;
  s.status = std::string(status);
  if (status != "stopped") s.pid = r.init_pid;
  s.bundle = r.bundle.native();
  for (const auto& [k, v] : r.annotations) s.annotations[k] = v;
  return s;
}

std::string_view driver_name(CgroupDriver driver) {
  switch (driver) {
    case CgroupDriver::cgroupfs: return "cgroupfs";
    case CgroupDriver::systemd: return "systemd";
    case CgroupDriver::disabled: return "disabled";
  }
  return "cgroupfs";
}

CgroupDriver driver_from_name(std::string_view name) {
  if (name == "systemd") return CgroupDriver::systemd;
  if (name == "disabled") return CgroupDriver::disabled;
  return CgroupDriver::cgroupfs;
}

Result<RecordView> read_record_unlocked(const std::filesystem::path& root, const std::string& id) {
  if (!ContainerDir::valid_id(id)) return fail("invalid container id format");
  std::filesystem::path path = root / id;
  UniqueFd dir(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir && (errno == ENOENT || errno == ENOTDIR)) return fail(kDoesNotExist);
  if (!dir) return fail_errno(fmt::format("open {}", path.native()));
  UniqueFd file(::openat(dir.get(), ContainerDir::kStateFile, O_RDONLY | O_CLOEXEC));
  if (!file && errno == ENOENT) return fail(kDoesNotExist);
  if (!file) return fail_errno(fmt::format("open {}/{}", path.native(), ContainerDir::kStateFile));
  std::string text;
  char buf[8192];
  for (ssize_t n; (n = ::read(file.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}/{}", path.native(), ContainerDir::kStateFile));
    text.append(buf, static_cast<std::size_t>(n));
  }
  auto record = decode_record(text);
  if (!record) return std::unexpected(std::move(record).error().context(path.native() + "/state.json"));
  return RecordView{std::move(*record), std::move(dir)};
}

Status derive_status(const ContainerRecord& r, int dir_fd) {
  if (!process_alive(r.init_pid, r.init_start_time)) return Status::stopped;
  if (auto cg = open_cgroup(r)) {
    auto frozen = (*cg)->frozen();
    if (frozen && *frozen) return Status::paused;
  }
  if (ExecFifo::exists(dir_fd)) return Status::created;
  return Status::running;
}

Result<void> kill_and_wait(const ContainerRecord& r) {
  auto cg = open_cgroup(r);
  (void)signal_init(r, SIGKILL);
  if (cg) {
    // Frozen (v1) processes act on SIGKILL only once thawed.
    if (auto frozen = (*cg)->frozen(); frozen && *frozen) (void)(*cg)->thaw();
    auto pids = (*cg)->pids();
    if (pids && !pids->empty()) TRY_VOID((*cg)->kill_all(SIGKILL));
  }
  return wait_gone(r, std::chrono::seconds(10));
}

void kill_everything_in(const ContainerRecord& r) {
  // Each hierarchy on its own: a create killed while it moved the init
  // (one cgroup.procs after another) leaves it in only some of them.
  for (int round = 0; round < 100; ++round) {
    bool any = false;
    for (const auto& [controller, dir] : r.cgroup_paths) {
      auto pids = cgroups::read_procs_recursive(dir);
      if (!pids) continue;
      for (pid_t pid : *pids) any = ::kill(pid, SIGKILL) == 0 || any;
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<void> destroy_container(ContainerDir& dir, const ContainerRecord& r) {
  Result<void> result;
  if (auto cg = open_cgroup(r)) {
    // Without its own pid namespace a container can leave processes behind.
    auto pids = (*cg)->pids();
    if (pids && !pids->empty()) {
      if (auto killed = (*cg)->kill_all(SIGKILL); !killed) log::warn("{}", killed.error().what());
      for (int i = 0; i < 100; ++i) {
        auto left = (*cg)->pids();
        if (!left || left->empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    result = (*cg)->destroy();
  } else {
    result = std::unexpected(cg.error());
  }
  auto removed = dir.remove();
  if (result && !removed) result = removed;
  (void)hooks::run_hooks(hooks::Kind::poststop, r.poststop_hooks,
                         oci::to_json(detail::spec_state(r, "stopped")));
  return result;
}

}  // namespace detail

Result<ContainerState> container_state(const RuntimeOptions& rt, const std::string& id) {
  detail::RecordView view = TRY(detail::read_record_unlocked(rt.root, id));
  return to_container_state(view.record, detail::derive_status(view.record, view.dir.get()));
}

Result<std::vector<ContainerState>> list_containers(const RuntimeOptions& rt) {
  std::vector<ContainerState> out;
  for (const auto& id : TRY(ContainerDir::list_ids(rt.root))) {
    auto view = detail::read_record_unlocked(rt.root, id);
    if (!view) continue;  // being created, or deleted meanwhile
    ContainerState s = to_container_state(view->record, detail::derive_status(view->record, view->dir.get()));
    struct stat st {};
    if (::fstat(view->dir.get(), &st) == 0) s.owner = owner_name(st.st_uid);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<pid_t>> container_processes(const RuntimeOptions& rt, const std::string& id) {
  detail::RecordView view = TRY(detail::read_record_unlocked(rt.root, id));
  auto cg = TRY(open_cgroup(view.record));
  return cg->pids();
}

Result<void> start_container(const RuntimeOptions& rt, const std::string& id) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord r = TRY(dir.read_record());
  switch (detail::derive_status(r, dir.fd())) {
    case Status::created: break;
    case Status::stopped: return fail("cannot start a container that has stopped");
    case Status::running: return fail("cannot start an already running container");
    default: return fail("cannot start a container in the paused state");
  }
  TRY_VOID(ExecFifo::release(dir.path() / ExecFifo::kName, r.init_pid, r.init_start_time));
  if (auto hooks = run_poststart_hooks(r); !hooks) {
    // runtime.md step 9: stop the container and destroy it (steps 12-13), as runc does.
    if (auto stopped = detail::kill_and_wait(r); !stopped) log::warn("{}", stopped.error().what());
    if (auto destroyed = detail::destroy_container(dir, r); !destroyed) log::warn("{}", destroyed.error().what());
    return std::unexpected(hooks.error());
  }
  return {};
}

Result<void> kill_container(const RuntimeOptions& rt, const std::string& id, int signal, bool all) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord r = TRY(dir.read_record());
  Status status = detail::derive_status(r, dir.fd());
  if (all) {
    auto cg = TRY(open_cgroup(r));
    return cg->kill_all(signal);
  }
  if (status == Status::stopped) return fail("container not running");
  TRY_VOID(signal_init(r, signal));
  if (status == Status::paused && signal == SIGKILL) {
    if (auto cg = open_cgroup(r)) (void)(*cg)->thaw();
  }
  return {};
}

Result<void> delete_container(const RuntimeOptions& rt, const std::string& id, bool force) {
  ContainerDir::remove_abandoned(rt.root);  // what creates killed before naming their dir left
  auto dir = ContainerDir::open(rt.root, id);
  if (!dir) {
    if (force && dir.error().message() == kDoesNotExist) return {};
    return std::unexpected(dir.error());
  }
  auto r = dir->read_record();
  if (!r) {
    // A state dir without a record is what an aborted create leaves: undo
    // what its journal says it made (the init, if any, dies with its cgroup).
    if (r.error().message() == kDoesNotExist) {
      if (auto journal = dir->read_journal()) {
        detail::kill_everything_in(*journal);
        if (auto undone = detail::destroy_container(*dir, *journal); !undone) log::warn("{}", undone.error().what());
      }
      (void)dir->remove();
      if (force) return {};
    }
    return std::unexpected(r.error());
  }
  Status status = detail::derive_status(*r, dir->fd());
  if (force || status == Status::created) {
    TRY_VOID(detail::kill_and_wait(*r));
  } else if (status != Status::stopped) {
    return fail(fmt::format("cannot delete container {} that is not stopped: {}", id, to_string(status)));
  }
  return detail::destroy_container(*dir, *r);
}

}  // namespace nucleus
