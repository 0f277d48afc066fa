#include "init/init.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "init/cgroup_mount.hpp"
#include "init/clone.hpp"
#include "init/devices.hpp"
#include "init/fd_mounts.hpp"
#include "init/fds.hpp"
#include "init/idmap.hpp"
#include "init/initer_steps.hpp"
#include "init/kernel_settings.hpp"
#include "init/mounts.hpp"
#include "init/personality.hpp"
#include "init/rootfs.hpp"
#include "init/rootfs_paths.hpp"
#include "init/selinux_label.hpp"
#include "init/step_log.hpp"
#include "init/terminal.hpp"
#include "nucleus/hooks.hpp"
#include "security/process_setup.hpp"
#include "security/lsm.hpp"
#include "security/procfs.hpp"
#include "security/seccomp.hpp"
#include "state/exec_fifo.hpp"

namespace nucleus::init {

namespace {

// The init's working state, filled in as the steps run.
struct Init {
  Init(const InitConfig& c, const NamespacePlan& p, const SyncChannel& s)
      : cfg(c), plan(p), sync(s), config(*c.config), linux(*c.config->linux),
        process(*c.config->process), steps("init", s) {}

  const InitConfig& cfg;
  const NamespacePlan& plan;
  const SyncChannel& sync;
  const oci::Config& config;
  const oci::Linux& linux;
  const oci::Process& process;
  std::optional<CgroupHierarchies> cgroups;
  UniqueFd root_fd;
  UniqueFd fifo;  // write end, held until exec so `start` sees EOF only then
  std::vector<std::string> env;
  std::string executable;
  PreparedExec exec;        // execve's arguments, made before the filter is loaded
  std::string mount_label;  // linux.mountLabel where the host has SELinux, else empty
  ProcfsHandle procfs;      // procfs writes after the mounts, the fifo reopen (security/procfs.hpp)
  bool runtime_listening = true;
  StepLog steps;
  bool exec_failed = false;
};

bool has_cgroup_mount(const oci::Config& c) {
  return std::any_of(c.mounts.begin(), c.mounts.end(), [](const oci::Mount& m) {
    return m.type == "cgroup" || m.type == "cgroup2";
  });
}

std::string state_json(const Init& in, const char* status) {
  oci::State s;
  s.oci_version = in.config.oci_version;
  s.id = in.cfg.id;
  s.status = status;
  s.pid = static_cast<int>(::getpid());  // as the container sees it
  s.bundle = in.cfg.bundle.native();
  s.annotations = in.config.annotations;
  return oci::to_json(s);
}

// ---- the steps -------------------------------------------------------------

// A user's runtime writes the id maps through procfs files of ours (or has
// newuidmap do it) that are its own only while we are dumpable: then we turn
// undumpable once the maps are written (runc's nsexec keeps the same window).
Result<void> reset_process_state(Init& in) {
  TRY_VOID(reset_signal_state(in.cfg.signal_mask));
  TRY_VOID(die_with_runtime());
  if (in.cfg.rootless_euid && in.plan.new_user()) return {};
  return make_undumpable();
}

unsigned inherited_fd_count(const Init& in) { return in.cfg.listen_fds + in.cfg.preserve_fds; }

// The clone holds every fd of the runtime (its --root, the state dir, the
// log, cgroup dirs): none may be open when a path of the container is
// resolved (CVE-2024-21626). Kept: what the setup still needs.
Result<void> close_runtime_fds(Init& in) {
  std::vector<int> keep{in.sync.fd(), in.cfg.fifo_fd};
  for (const auto& join : in.plan.joins) keep.push_back(join.fd.get());
  for (const MountFds* prepared : {in.cfg.idmapped_mounts, in.cfg.bind_sources}) {
    if (!prepared) continue;
    for (int fd : prepared->fds()) keep.push_back(fd);
  }
  return close_fds_except(3 + inherited_fd_count(in), std::move(keep));
}

// The namespaces are joined and the idmapped trees attached.
Result<void> close_setup_fds(Init& in) {
  return close_fds_except(3 + inherited_fd_count(in),
                          {in.sync.fd(), in.cfg.fifo_fd, in.root_fd.get(), in.procfs.fd()});
}

Result<void> wait_for_runtime(Init& in) {
  TRY_VOID(in.sync.expect(SyncType::proceed));
  return {};
}

Result<void> enter_namespaces(Init& in) {
  TRY_VOID(join_namespaces(in.plan));
  TRY_VOID(unshare_namespaces(in.plan.unshare_flags));
  if (in.plan.unshare_flags & CLONE_NEWUSER) {
    TRY_VOID(in.sync.send(SyncType::need_id_maps));
    TRY_VOID(in.sync.expect(SyncType::id_maps_written));
  }
  TRY_VOID(make_undumpable());  // if reset_process_state left it for the maps
  if (in.plan.in_user_namespace()) TRY_VOID(become_root_in_user_namespace());
  // Read before a cgroup namespace rewrites /proc/self/cgroup relative to it.
  if (has_cgroup_mount(in.config)) in.cgroups = TRY(read_cgroup_hierarchies());
  if (in.plan.new_cgroup) TRY_VOID(enter_cgroup_namespace());
  if (in.plan.new_time) {
    DumpableWindow owner_may_write_offsets;
    TRY_VOID(enter_time_namespace(in.linux));
  }
  return {};
}

// A pid namespace unshared after the joins holds only children: fork the
// init into it (as the runtime's child) and let this intermediate go.
Result<void> fork_into_pid_namespace(Init& in) {
  if (!in.plan.fork_init) return {};
  pid_t pid = TRY(clone_process({CLONE_PARENT, std::nullopt}));
  if (pid == 0) return die_with_runtime();
  auto sent = in.sync.send(SyncType::init_pid, pid);
  ::_exit(sent ? 0 : 1);
}

Result<void> start_session(Init&) {
  if (::setsid() < 0) return fail_errno("setsid");
  return {};
}

// Create refused the label where the host has no SELinux (security/lsm.hpp).
Result<void> resolve_mount_label(Init& in) {
  in.mount_label = in.linux.mount_label;
  return {};
}

bool writes_procfs_after_mounts(const Init& in) {
  return !in.linux.sysctl.empty() || !in.process.apparmor_profile.empty() ||
         !in.process.selinux_label.empty();
}

// In the container's pid namespace and before its mounts: a private procfs
// when procfs is written after the mounts, else the runtime's /proc (enough
// to reopen the exec fifo, whatever the container has at /proc, if anything).
Result<void> open_procfs(Init& in) {
  in.procfs = TRY(writes_procfs_after_mounts(in) ? ProcfsHandle::open_private() : ProcfsHandle::open_host());
  return {};
}

// The container's user namespace, or the runtime's own.
bool under_user_namespace(const Init& in) {
  return in.plan.in_user_namespace() || in.cfg.runtime_in_user_namespace;
}

Result<void> mount_rootfs(Init& in) {
  if (!in.plan.has_mount_namespace()) return {};
  in.root_fd = TRY(prepare_root(in.cfg.rootfs, in.linux.rootfs_propagation));
  MountContext ctx;
  ctx.root_fd = in.root_fd.get();
  ctx.rootfs = in.cfg.rootfs;
  ctx.bundle = in.cfg.bundle;
  ctx.in_user_namespace = under_user_namespace(in);
  ctx.cgroup_namespace = in.plan.new_cgroup;
  ctx.cgroups = in.cgroups ? &*in.cgroups : nullptr;
  ctx.idmapped = in.cfg.idmapped_mounts;
  ctx.sources = in.cfg.bind_sources;
  ctx.mount_label = in.mount_label;
  for (std::size_t i = 0; i < in.config.mounts.size(); ++i) {
    if (auto ok = mount_entry(ctx, in.config.mounts[i]); !ok)
      return std::unexpected(std::move(ok).error().context(fmt::format("mounts[{}]", i)));
  }
  return {};
}

Result<void> populate_dev(Init& in) {
  if (!in.plan.has_mount_namespace() || !needs_dev_setup(in.config)) return {};
  TRY_VOID(create_devices(in.root_fd.get(), &in.linux, under_user_namespace(in)));
  TRY_VOID(create_dev_symlinks(in.root_fd.get()));
  if (!dev_mount_is_readonly(in.config)) return {};
  UniqueFd dev = TRY(open_in_root(in.root_fd.get(), "/dev", O_PATH | O_DIRECTORY));
  return make_readonly_fd(dev.get(), false, "/dev");
}

// prestart + createRuntime in the runtime's namespaces, then createContainer here.
Result<void> run_create_hooks(Init& in) {
  if (has_runtime_create_hooks(in.config)) {
    TRY_VOID(in.sync.send(SyncType::run_create_hooks));
    TRY_VOID(in.sync.expect(SyncType::create_hooks_done));
  }
  if (in.config.hooks.create_container.empty()) return {};
  // As runc: in the container's rootfs (mounts made, before pivot_root).
  int moved = in.root_fd ? ::fchdir(in.root_fd.get()) : ::chdir(in.cfg.rootfs.c_str());
  if (moved != 0) return fail_errno("chdir to the rootfs for the createContainer hooks");
  return hooks::run_hooks(hooks::Kind::create_container, in.config.hooks.create_container,
                          state_json(in, "creating"));
}

Result<void> enter_rootfs(Init& in) {
  if (!in.plan.has_mount_namespace()) return chroot_into(in.cfg.rootfs);
  TRY_VOID(enter_root(in.root_fd.get(), in.cfg.rootfs, in.cfg.no_pivot));
  in.root_fd.reset();
  return apply_root_propagation(in.linux.rootfs_propagation);
}

Result<void> setup_console(Init& in) {
  if (!in.process.terminal) return {};
  Pty pty = TRY(open_pty(in.process.console_size));
  TRY_VOID(in.sync.send_fd(SyncType::console_fd, pty.master.get()));
  pty.master.reset();
  if (in.plan.has_mount_namespace() && needs_dev_setup(in.config))
    TRY_VOID(bind_console(pty.slave.get()));
  return attach_stdio_to_pty(std::move(pty.slave));
}

Result<void> finalize_rootfs(Init& in) {
  if (in.config.root->readonly) TRY_VOID(make_root_readonly());
  return {};
}

// After the sysctls, which write below /proc/sys (read-only from here on).
Result<void> protect_paths(Init& in) {
  if (!in.plan.has_mount_namespace()) return {};
  TRY_VOID(apply_readonly_paths(in.linux.readonly_paths));
  TRY_VOID(apply_masked_paths(in.linux.masked_paths, in.mount_label));
  return apply_unbindable_root(in.linux.rootfs_propagation);
}

Result<void> apply_kernel_settings(Init& in) {
  if (in.config.hostname && !in.config.hostname->empty()) TRY_VOID(set_hostname(*in.config.hostname));
  if (in.config.domainname && !in.config.domainname->empty())
    TRY_VOID(set_domainname(*in.config.domainname));
  if (in.plan.new_network()) TRY_VOID(bring_up_loopback());
  if (!in.linux.sysctl.empty()) TRY_VOID(apply_sysctls(in.linux.sysctl, in.procfs));
  if (!in.cfg.no_new_keyring) TRY_VOID(join_session_keyring(in.cfg.id));
  return {};
}

Result<void> apply_process_limits(Init& in) {
  std::vector<std::string> env = in.process.env;
  if (in.cfg.listen_fds > 0) {
    // As runc: the fds are 3.. in the container, and its pid 1 is their owner.
    env.push_back(fmt::format("LISTEN_FDS={}", in.cfg.listen_fds));
    env.push_back("LISTEN_PID=1");
  }
  in.env = TRY(build_process_environment(env, in.process.user.uid));
  if (auto ok = apply_rlimits(in.process.rlimits); !ok)
    return std::unexpected(std::move(ok).error().context("process.rlimits"));
  TRY_VOID(apply_io_priority(in.process.io_priority));
  return apply_scheduler(in.process.scheduler);
}

// Before no_new_privs, which forbids moving to a confining AppArmor profile.
// The startContainer hooks this init forks take the labels too (as in runc).
Result<void> arm_lsm_labels(Init& in) {
  return set_exec_labels(in.process, in.procfs);
}

// The filter the runtime built, at the one stage due for this process.
Result<void> load_seccomp(Init& in, SeccompStage stage) {
  return load_seccomp_at(in.cfg.seccomp, stage, in.process.no_new_privileges, in.sync);
}

// Without no_new_privs a filter needs CAP_SYS_ADMIN, which switch_identity
// may drop: load it now (runc's order). The init's remaining steps then run
// under it (the user switch, personality, the sync socket, the exec fifo,
// startContainer hooks, execve); a profile that forbids those fails the
// container, a risk runc takes too.
Result<void> load_seccomp_privileged(Init& in) {
  return load_seccomp(in, SeccompStage::before_identity_switch);
}

// Also the chdir to process.cwd, which must end inside our root.
Result<void> switch_identity(Init& in) {
  TRY_VOID(apply_no_new_privileges(in.process.no_new_privileges));
  TRY_VOID(apply_identity_and_capabilities(in.process, in.cfg.rootless_euid));
  return check_cwd_inside_root();
}

// Found now, as the user, so that a missing binary fails create, not start.
Result<void> resolve_args0(Init& in) {
  if (in.process.args.empty()) return fail("args must not be empty");
  in.executable = TRY(resolve_executable(in.process.args.front(), in.env));
  return {};
}

// Before ready, so a failure fails create (as runc). With noNewPrivileges
// false it runs under the filter (default profiles allow these personality values).
Result<void> set_personality(Init& in) { return apply_personality(in.linux.personality); }

// With no_new_privs and SCMP_ACT_NOTIFY rules the listener must reach the
// runtime before ready, after which it no longer listens: runc too loads such
// a filter before its last sync. The ready message, the exec fifo and the
// startContainer hooks then run under the filter.
Result<void> load_seccomp_before_ready(Init& in) { return load_seccomp(in, SeccompStage::before_ready); }

// From here the journal names our cgroup: a runtime killed now is undone by
// delete, and one that commits exits while we wait for `start`.
Result<void> notify_ready(Init& in) {
  outlive_runtime();
  in.steps.stop_reporting();
  TRY_VOID(in.sync.send(SyncType::ready));
  in.runtime_listening = false;
  return {};
}

// While blocked on the FIFO the init may be pid 1 of its namespace, which
// ignores signals it has no handler for: give the usual killers one, so a
// created container dies on `kill` as it does with runc. exec resets them.
void exit_on_signal(int sig) { ::_exit(128 + sig); }

Result<void> wait_for_start(Init& in) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) ::signal(sig, exit_on_signal);
  in.fifo = TRY(ExecFifo::open_for_write_blocking(in.procfs.fd(), in.cfg.fifo_fd));
  ::close(in.cfg.fifo_fd);
  return {};
}

Result<void> run_start_hooks(Init& in) {
  if (in.config.hooks.start_container.empty()) return {};
  return hooks::run_hooks(hooks::Kind::start_container, in.config.hooks.start_container,
                          state_json(in, "created"));
}

// Everything execve needs but the call, so that none of it runs under a
// filter loaded after: the fds the process inherits lose close-on-exec
// (fcntl), argv and envp are built (malloc).
Result<void> prepare_user_exec(Init& in) {
  TRY_VOID(prepare_inherited_fds(inherited_fd_count(in)));
  in.exec = prepare_exec(in.executable, in.process.args, in.env);
  return {};
}

// With no_new_privs the filter needs no privilege: load it last. What the
// init itself does after it is execve, nothing else (the exec fifo's write
// end is close-on-exec; fds were closed long before, no close_range here);
// the startContainer hooks, if any, run under it as in runc. A failed execve
// is reported with write(2) on stderr and exit_group. So a profile that lets
// the container's program start cannot break the init's last steps.
Result<void> load_seccomp_before_exec(Init& in) { return load_seccomp(in, SeccompStage::before_exec); }

Result<void> exec_user_process(Init& in) {
  auto failed = exec_process(in.exec);
  in.exec_failed = true;
  return failed;
}

// nsjail's containProc: the whole init, one named step per concern, in order.
// Each step named, and timed in --debug logs (step_log.hpp).
#define STEP(fn) TRY_VOID(in.steps.run(#fn, [&] { return fn(in); }))

Result<void> init_sequence(Init& in) {
  STEP(reset_process_state);
  STEP(close_runtime_fds);
  STEP(wait_for_runtime);
  STEP(enter_namespaces);
  STEP(fork_into_pid_namespace);
  STEP(start_session);
  STEP(resolve_mount_label);
  STEP(open_procfs);
  STEP(mount_rootfs);
  STEP(close_setup_fds);
  STEP(populate_dev);
  STEP(run_create_hooks);
  STEP(enter_rootfs);
  STEP(setup_console);
  STEP(finalize_rootfs);
  STEP(apply_kernel_settings);
  STEP(protect_paths);
  STEP(apply_process_limits);
  STEP(arm_lsm_labels);
  STEP(load_seccomp_privileged);
  STEP(switch_identity);
  STEP(resolve_args0);
  STEP(set_personality);
  STEP(load_seccomp_before_ready);
  STEP(notify_ready);
  STEP(wait_for_start);
  STEP(prepare_user_exec);
  STEP(load_seccomp_before_exec);
  STEP(run_start_hooks);
  return exec_user_process(in);
}

#undef STEP

[[noreturn]] void report_and_exit(const Init& in, const Error& error) {
  bool sent = in.runtime_listening && in.sync.send_error(error).has_value();
  if (!sent) std::fprintf(stderr, "nucleus init: %s\n", error.what().c_str());
  int code = 1;
  if (in.exec_failed) code = error.err() == ENOENT ? 127 : 126;  // as a shell reports it
  ::_exit(code);
}

}  // namespace

bool has_runtime_create_hooks(const oci::Config& config) {
  return !config.hooks.prestart.empty() || !config.hooks.create_runtime.empty();
}

void container_init(const InitConfig& cfg, const NamespacePlan& plan, const SyncChannel& sync) {
  // Nothing may unwind into the runtime's frames copied into this child:
  // their destructors would undo the runtime's work (remove the state dir).
  try {
    Init in(cfg, plan, sync);
    auto result = init_sequence(in);
    report_and_exit(in, result.error());
  } catch (const std::exception& e) {
    (void)sync.send_error(Error(fmt::format("container init: {}", e.what())));
  } catch (...) {
    (void)sync.send_error(Error("container init: unknown exception"));
  }
  ::_exit(1);
}

}  // namespace nucleus::init
