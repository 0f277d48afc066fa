#include "exec/setns_init.hpp"

#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "exec/lsm.hpp"
#include "exec/namespaces.hpp"
#include "init/fds.hpp"
#include "init/namespaces.hpp"
#include "init/terminal.hpp"
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
};

Result<void> reset_signals(SetnsInit& in) {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  if (::sigprocmask(SIG_SETMASK, &in.cfg.signal_mask, nullptr) != 0)
    return fail_errno("restore signal mask");
  // Until execve, /proc/<pid>/exe is the runtime's binary: keep the
  // container's processes from opening or tracing it (CVE-2019-5736).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail_errno("prctl(PR_SET_DUMPABLE)");
  return {};
}

Result<void> wait_for_cgroup(SetnsInit& in) {
  TRY_VOID(in.sync.expect(init::SyncType::proceed));
  return {};
}

Result<void> arm_labels(SetnsInit& in) { return set_exec_labels(in.process); }

Result<void> enter_namespaces(SetnsInit& in) {
  int mask = in.cfg.namespaces & ~CLONE_NEWPID;
  TRY_VOID(join_namespaces(in.cfg.init_pidfd, in.cfg.init_pid, mask));
  if (mask & CLONE_NEWUSER) TRY_VOID(init::become_root_in_user_namespace());
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
  unsigned first = 3 + in.cfg.preserve_fds;
  auto sync = static_cast<unsigned>(in.sync.fd());
  if (sync > first && ::close_range(first, sync - 1, 0) != 0) return fail_errno("close fds");
  if (::close_range(std::max(first, sync + 1), ~0U, 0) != 0) return fail_errno("close fds");
  return {};
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
  TRY_VOID(apply_oom_score_adj(in.process.oom_score_adj));
  TRY_VOID(apply_io_priority(in.process.io_priority));
  return apply_scheduler(in.process.scheduler);
}

// The container's filter, at the stage create uses for it.
Result<void> load_seccomp(SetnsInit& in, SeccompStage stage) {
  if (!in.cfg.seccomp) return {};
  return in.cfg.seccomp->load_at(stage, in.process.no_new_privileges);
}

Result<void> switch_identity(SetnsInit& in) {
  TRY_VOID(apply_no_new_privileges(in.process.no_new_privileges));
  return apply_identity_and_capabilities(in.process);
}

// Belt and braces after the chdir to process.cwd: it must be inside our root.
Result<void> check_cwd(SetnsInit&) {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) {
    if (errno != ENOENT) return fail_errno("getcwd");
    buf[0] = '\0';  // unreachable from our root
  }
  if (buf[0] != '/')
    return fail("current working directory is outside of container mount namespace root -- "
                "possible container breakout detected");
  return {};
}

Result<void> resolve_args0(SetnsInit& in) {
  if (in.process.args.empty()) return fail("args must not be empty");
  in.executable = TRY(resolve_executable(in.process.args.front(), in.env));
  return {};
}

Result<void> exec_process(SetnsInit& in) {
  TRY_VOID(init::prepare_inherited_fds(in.cfg.preserve_fds));
  std::vector<char*> argv, envp;
  for (const auto& a : in.process.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : in.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  TRY_VOID(in.sync.send(init::SyncType::ready));
  ::execve(in.executable.c_str(), argv.data(), envp.data());
  return fail_errno(fmt::format("exec {}", in.executable));
}

// The whole initer, one named step per concern, in order.
Result<void> setns_sequence(SetnsInit& in) {
  TRY_VOID(reset_signals(in));
  TRY_VOID(wait_for_cgroup(in));
  TRY_VOID(arm_labels(in));
  TRY_VOID(enter_namespaces(in));
  TRY_VOID(enter_root(in));
  TRY_VOID(close_host_fds(in));
  TRY_VOID(start_session(in));
  TRY_VOID(setup_terminal(in));
  TRY_VOID(apply_limits(in));
  TRY_VOID(load_seccomp(in, SeccompStage::before_identity_switch));
  TRY_VOID(switch_identity(in));
  TRY_VOID(check_cwd(in));
  TRY_VOID(resolve_args0(in));
  TRY_VOID(load_seccomp(in, SeccompStage::before_exec));
  return exec_process(in);
}

}  // namespace

void setns_init(const SetnsInitConfig& config, const init::SyncChannel& sync) {
  // Nothing may unwind into the runtime's frames copied into this child.
  try {
    SetnsInit in{config, sync, *config.process, {}, {}};
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
