#include "exec/setns_init.hpp"

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "exec/namespaces.hpp"
#include "init/fds.hpp"
#include "init/initer_steps.hpp"
#include "init/namespaces.hpp"
#include "init/step_log.hpp"
#include "init/terminal.hpp"
#include "security/lsm.hpp"
#include "security/process_setup.hpp"

namespace nucleus::exec {

namespace {

// The child's working state, filled in as the steps run.
struct SetnsInit {
  const SetnsInitConfig& cfg;
  const init::SyncChannel& sync;
  const oci::Process& process;
  std::vector<std::string> env;
  std::string executable;
  init::PreparedExec exec;  // execve's arguments, made before the filter is loaded
  init::StepLog steps;
};

Result<void> reset_process_state(SetnsInit& in) {
  TRY_VOID(init::reset_signal_state(in.cfg.signal_mask));
  return init::make_undumpable();
}

Result<void> wait_for_cgroup(SetnsInit& in) {
  TRY_VOID(in.sync.expect(init::SyncType::proceed));
  return {};
}

// While /proc is still the host's.
Result<void> arm_labels(SetnsInit& in) {
  if (in.process.apparmor_profile.empty() && in.process.selinux_label.empty()) return {};
  return set_exec_labels(in.process, TRY(ProcfsHandle::open_host()));
}

// Before the user namespace: lowering it needs the host's CAP_SYS_RESOURCE.
Result<void> set_oom_score(SetnsInit& in) { return apply_oom_score_adj(in.process.oom_score_adj); }

Result<void> enter_namespaces(SetnsInit& in) {
  int mask = in.cfg.namespaces & ~CLONE_NEWPID;
  TRY_VOID(join_namespaces(in.cfg.init_pidfd, in.cfg.init_pid, mask));
  if ((mask & CLONE_NEWUSER) || in.cfg.user_namespace_joined) TRY_VOID(init::become_root_in_user_namespace());
  return {};
}

// Joining a mount namespace made the container's root our root and cwd; a
// container without one is entered by chroot. Either way the host cwd is gone.
Result<void> enter_root(SetnsInit& in) {
  if (in.cfg.root_fd >= 0) {
    if (::fchdir(in.cfg.root_fd) != 0) return fail_errno("enter the container's root");
    if (::chroot(".") != 0) return fail_errno("chroot into the container's root");
  }
  if (::chdir("/") != 0) return fail_errno("chdir /");
  return {};
}

// Nothing of the runtime's may stay open while paths are resolved inside the
// container (process.cwd = /proc/self/fd/N was CVE-2024-21626): close every
// fd but stdio, the preserved ones and the sync channel.
Result<void> close_host_fds(SetnsInit& in) {
  return init::close_fds_except(3 + in.cfg.preserve_fds, {in.sync.fd()});
}

Result<void> start_session(SetnsInit&) {
  if (::setsid() < 0) return fail_errno("setsid");
  return {};
}

// A pty of the container's own devpts; the runtime gets the master.
Result<void> setup_terminal(SetnsInit& in) {
  if (!in.process.terminal) return {};
  init::Pty pty = TRY(init::open_pty(in.process.console_size));
  TRY_VOID(in.sync.send_fd(init::SyncType::console_fd, pty.master.get()));
  pty.master.reset();
  return init::attach_stdio_to_pty(std::move(pty.slave));
}

Result<void> apply_limits(SetnsInit& in) {
  in.env = TRY(build_process_environment(in.process.env, in.process.user.uid));
  TRY_VOID(apply_rlimits(in.process.rlimits));
  TRY_VOID(apply_io_priority(in.process.io_priority));
  return apply_scheduler(in.process.scheduler);
}

// The container's filter, at the stage create uses for it.
Result<void> load_seccomp(SetnsInit& in, SeccompStage stage) {
  return init::load_seccomp_at(in.cfg.seccomp, stage, in.process.no_new_privileges, in.sync);
}

// Also the chdir to process.cwd, which must end inside our root.
Result<void> switch_identity(SetnsInit& in) {
  TRY_VOID(apply_no_new_privileges(in.process.no_new_privileges));
  TRY_VOID(apply_identity_and_capabilities(in.process, in.cfg.rootless_euid));
  return init::check_cwd_inside_root();
}

Result<void> resolve_args0(SetnsInit& in) {
  if (in.process.args.empty()) return fail("args must not be empty");
  in.executable = TRY(resolve_executable(in.process.args.front(), in.env));
  return {};
}

// Everything execve needs but the call, before a filter loaded with
// no_new_privs (fcntl, malloc).
Result<void> prepare_user_exec(SetnsInit& in) {
  TRY_VOID(init::prepare_inherited_fds(in.cfg.preserve_fds));
  in.exec = init::prepare_exec(in.executable, in.process.args, in.env);
  return {};
}

// From here the runtime takes the channel closing as the execve, and a
// message as the error of what failed before it.
Result<void> report_ready(SetnsInit& in) {
  in.steps.stop_reporting();
  return in.sync.send(init::SyncType::ready);
}

// Under a filter loaded with no_new_privs and no notify rules, execve is the
// only syscall left (a failure is reported on stderr): a profile that lets
// the program start cannot break this.
Result<void> exec_process(SetnsInit& in) { return init::exec_process(in.exec); }

// The whole initer, one named step per concern, in order.
// Each step named, and timed in --debug logs (init/step_log.hpp).
#define STEP(fn) TRY_VOID(in.steps.run(#fn, [&] { return fn(in); }))

Result<void> setns_sequence(SetnsInit& in) {
  STEP(reset_process_state);
  STEP(wait_for_cgroup);
  STEP(arm_labels);
  STEP(set_oom_score);
  STEP(enter_namespaces);
  STEP(enter_root);
  STEP(close_host_fds);
  STEP(start_session);
  STEP(setup_terminal);
  STEP(apply_limits);
  TRY_VOID(in.steps.run("load_seccomp before_identity_switch", [&] { return load_seccomp(in, SeccompStage::before_identity_switch); }));
  STEP(switch_identity);
  STEP(resolve_args0);
  STEP(prepare_user_exec);
  TRY_VOID(in.steps.run("load_seccomp before_ready", [&] { return load_seccomp(in, SeccompStage::before_ready); }));
  STEP(report_ready);
  TRY_VOID(in.steps.run("load_seccomp before_exec", [&] { return load_seccomp(in, SeccompStage::before_exec); }));
  return exec_process(in);
}

#undef STEP

}  // namespace

void setns_init(const SetnsInitConfig& config, const init::SyncChannel& sync) {
  // Nothing may unwind into the runtime's frames copied into this child.
  try {
    SetnsInit in{config, sync, *config.process, {}, {}, {}, init::StepLog("exec", sync)};
    auto result = setns_sequence(in);
    if (!sync.send_error(result.error()))
      std::fprintf(stderr, "nucleus exec: %s\n", result.error().what().c_str());
  } catch (const std::exception& e) {
    (void)sync.send_error(Error(fmt::format("exec: {}", e.what())));
  } catch (...) {
    (void)sync.send_error(Error("exec: unknown exception"));
  }
  ::_exit(1);
}

}  // namespace nucleus::exec
