#include "init/launch.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "init/bind_sources.hpp"
#include "init/clone.hpp"
#include "init/id_maps.hpp"
#include "init/idmap.hpp"
#include "init/sync.hpp"
#include "nucleus/hooks.hpp"
#include "nucleus/log.hpp"
#include "security/process_setup.hpp"
#include "security/seccomp_notify.hpp"
#include "state/console_socket.hpp"

namespace nucleus::init {

namespace {

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

oci::State creating_state(const LaunchOptions& o, pid_t pid) {
  oci::State s;
  s.oci_version = o.init.config->oci_version;
  s.id = o.init.id;
  s.status = "creating";
  s.pid = static_cast<int>(pid);
  s.bundle = o.init.bundle.native();
  s.annotations = o.init.config->annotations;
  return s;
}

Result<void> run_runtime_hooks(const LaunchOptions& o, pid_t pid) {
  const oci::Hooks& h = o.init.config->hooks;
  std::string state = oci::to_json(creating_state(o, pid));
  TRY_VOID(hooks::run_hooks(hooks::Kind::prestart, h.prestart, state));
  return hooks::run_hooks(hooks::Kind::create_runtime, h.create_runtime, state);
}

// In a user namespace the init may not reach the sources; in a mount
// namespace it joins, they are resolved there, as before.
bool opens_bind_sources_for_the_init(const NamespacePlan& plan) {
  bool joins_mounts = std::any_of(plan.joins.begin(), plan.joins.end(),
                                  [](const NamespaceJoin& j) { return j.type == oci::NamespaceType::mount; });
  return plan.in_user_namespace() && !joins_mounts;
}

// Everything the runtime does before the init may start its setup. The
// oom_score_adj is written from here, with the host's capabilities: the init
// may already be in the container's user namespace.
Result<void> admit(const LaunchOptions& o, const NamespacePlan& plan, pid_t pid, bool in_cgroup) {
  if (!in_cgroup) TRY_VOID(o.cgroup->apply(pid));
  TRY_VOID(apply_oom_score_adj(o.init.config->process->oom_score_adj, pid));
  if (plan.clone_flags & CLONE_NEWUSER) TRY_VOID(write_id_maps(pid, *o.init.config->linux));
  return {};
}

// Seccomp notify: the init's listener, on to the agent with the state the
// createRuntime hooks get; then the init may go on.
Result<void> pass_seccomp_listener(const LaunchOptions& o, const SyncChannel& sync, pid_t pid,
                                   const SyncMessage& m) {
  const auto& profile = o.init.config->linux->seccomp;
  if (!m.fd || !profile) return fail("sync channel: seccomp listener without a fd or a profile");
  TRY_VOID(send_to_seccomp_agent(*profile, pid, creating_state(o, pid), m.fd.get()));
  return sync.send(SyncType::seccomp_listener_passed);
}

Result<void> serve_init(const LaunchOptions& o, const SyncChannel& sync, LaunchedInit& out) {
  for (;;) {
    SyncMessage m = TRY(sync.receive());
    switch (m.type) {
      case SyncType::need_id_maps:
        TRY_VOID(write_id_maps(out.process.pid(), *o.init.config->linux));
        TRY_VOID(sync.send(SyncType::id_maps_written));
        break;
      case SyncType::init_pid:
        TRY_VOID(out.process.adopt(static_cast<pid_t>(m.value)));
        break;
      case SyncType::run_create_hooks:
        TRY_VOID(run_runtime_hooks(o, out.process.pid()));
        TRY_VOID(sync.send(SyncType::create_hooks_done));
        break;
      case SyncType::console_fd:
        if (!m.fd) return fail("sync channel: console message without a fd");
        if (o.console_socket) TRY_VOID(send_console_fd(*o.console_socket, m.fd.get()));
        else out.console_master = std::move(m.fd);
        break;
      case SyncType::seccomp_listener:
        TRY_VOID(pass_seccomp_listener(o, sync, out.process.pid(), m));
        break;
      case SyncType::debug_line:
        log::debug("{}", m.text);
        break;
      case SyncType::ready:
        return {};
      case SyncType::error:
        return std::unexpected(to_error(m));
      default:
        return fail(fmt::format("sync channel: unexpected {}", to_string(m.type)));
    }
  }
}

}  // namespace

InitProcess::InitProcess(InitProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), child_(std::exchange(o.child_, -1)) {}

InitProcess::~InitProcess() {
  kill_and_reap(pid_);
  if (child_ != pid_) kill_and_reap(child_);
}

Result<void> InitProcess::adopt(pid_t init) {
  if (init <= 0) return fail(fmt::format("sync channel: bad init pid {}", init));
  pid_ = init;
  int status = 0;
  while (::waitpid(child_, &status, 0) < 0) {
    if (errno != EINTR) return fail_errno("wait for the intermediate child");
  }
  child_ = init;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("the intermediate child failed to start the container init");
  return {};
}

pid_t InitProcess::release() {
  child_ = -1;
  return std::exchange(pid_, -1);
}

Result<LaunchedInit> launch_init(const LaunchOptions& o, const NamespacePlan& plan) {
  // Made here, with the host's credentials; the init inherits them (idmap.hpp).
  MountFds idmapped = TRY(prepare_idmapped_mounts(*o.init.config, o.init.bundle));
  MountFds sources;
  if (opens_bind_sources_for_the_init(plan))
    sources = TRY(clone_bind_sources(*o.init.config, o.init.bundle, idmapped));
  InitConfig init = o.init;
  init.idmapped_mounts = &idmapped;
  init.bind_sources = &sources;
  auto [runtime_end, init_end] = TRY(SyncChannel::make_pair());
  std::optional<PidForChildren> pid_ns;
  if (plan.pid_join) pid_ns.emplace(TRY(PidForChildren::enter(plan.pid_join.get())));
  std::optional<int> cgroup_fd = o.cgroup->clone_into_fd();
  pid_t pid = TRY(clone_process({plan.clone_flags, cgroup_fd}));
  if (pid == 0) {
    runtime_end.close();
    container_init(init, plan, init_end);
  }
  LaunchedInit out{InitProcess(pid), {}};
  pid_ns.reset();
  init_end.close();
  TRY_VOID(admit(o, plan, pid, cgroup_fd.has_value()));
  TRY_VOID(runtime_end.send(SyncType::proceed));
  TRY_VOID(serve_init(o, runtime_end, out));
  return out;
}

}  // namespace nucleus::init
