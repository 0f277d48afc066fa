// exec, the runtime's side: find the container, fork the exec'd process
// into its pid namespace, put it in the cgroup, serve it over the sync
// channel until it has exec'd, then wait for it (or leave, with --detach).
#include "nucleus/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include <fmt/format.h>

#include "exec/foreground.hpp"
#include "exec/namespaces.hpp"
#include "exec/rootless_fork.hpp"
#include "exec/setns_init.hpp"
#include "exec/target.hpp"
#include "init/clone.hpp"
#include "init/fds.hpp"
#include "init/sync.hpp"
#include "nucleus/log.hpp"
#include "rootless_checks.hpp"
#include "security/lsm.hpp"
#include "security/seccomp_notify.hpp"
#include "state/console_socket.hpp"
#include "state/pid_file.hpp"
#include "state/process.hpp"

namespace nucleus {

namespace {

using exec::ExecTarget;
using init::SyncChannel;
using init::SyncType;

// runc's checks, in runc's words.
Result<void> check_console_flags(const oci::Process& p, const ExecRunOptions& o) {
  if (o.detach && p.terminal && !o.console_socket)
    return fail("cannot allocate tty if runc will detach without setting console socket");
  if ((!o.detach || !p.terminal) && o.console_socket)
    return fail("cannot use console socket if runc will not detach or allocate tty");
  return {};
}

// Fds 0-2 open (on /dev/null where the caller closed one), so that no fd of
// ours takes their place and ends up as the process's stdio.
void ensure_stdio() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) continue;
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0 && null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
  }
}

// The exec'd process until it is handed over: SIGKILLed and reaped on
// destruction unless released.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_t pid() const { return pid_; }
  void release() { pid_ = -1; }

 private:
  pid_t pid_;
};

// The child starts in the container's pid namespace (only children enter
// one), so it is our child and needs no intermediate process.
Result<pid_t> fork_exec_process(const ExecTarget& t, const exec::SetnsInitConfig& cfg,
                                const SyncChannel& child_end) {
  TRY_VOID(init::ensure_single_threaded());
  if (exec::needs_helper_process(t.namespaces)) return exec::fork_through_helper(cfg, child_end);
  std::optional<exec::PidNamespaceForChildren> pid_ns;
  if (t.namespaces & CLONE_NEWPID)
    pid_ns.emplace(TRY(exec::PidNamespaceForChildren::enter(t.init_pidfd.get(), t.init_pid)));
  pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) exec::setns_init(cfg, child_end);
  return pid;
}

// After `ready` the channel closes at execve; a message instead is the error
// of a failed execve.
Result<void> wait_for_execve(const SyncChannel& sync) {
  char byte;
  ssize_t n;
  do n = ::recv(sync.fd(), &byte, 1, MSG_PEEK);
  while (n < 0 && errno == EINTR);
  if (n == 0) return {};
  if (n < 0) return fail_errno("receive on sync channel");
  init::SyncMessage m = TRY(sync.receive());
  if (m.type == SyncType::error) return std::unexpected(init::to_error(m));
  return fail(fmt::format("sync channel: unexpected {} after ready", init::to_string(m.type)));
}

// Seccomp notify: the process's listener, on to the agent with the
// container's state; then the process may go on.
Result<void> pass_seccomp_listener(const ExecTarget& t, const SyncChannel& sync, pid_t pid,
                                   const init::SyncMessage& m) {
  if (!m.fd || !t.seccomp) return fail("sync channel: seccomp listener without a fd or a profile");
  TRY_VOID(send_to_seccomp_agent(*t.seccomp, pid, t.state, m.fd.get()));
  return sync.send(SyncType::seccomp_listener_passed);
}

// The child's messages until it is about to execve: the pty master (relayed,
// or returned when we keep it) and the seccomp listener.
Result<UniqueFd> serve_exec_process(const ExecTarget& t, pid_t pid, const SyncChannel& sync,
                                    const ExecRunOptions& o) {
  UniqueFd master;
  for (;;) {
    auto m = sync.receive();
    if (!m) return fail("exec process exited before completing its setup");
    switch (m->type) {
      case SyncType::ready:
        return master;
      case SyncType::error:
        return std::unexpected(init::to_error(*m));
      case SyncType::seccomp_listener:
        TRY_VOID(pass_seccomp_listener(t, sync, pid, *m));
        break;
      case SyncType::debug_line:
        log::debug("{}", m->text);
        break;
      case SyncType::console_fd:
        if (!m->fd) return fail("sync channel: console message without a fd");
        if (o.console_socket) TRY_VOID(send_console_fd(*o.console_socket, m->fd.get()));
        else master = std::move(m->fd);
        break;
      default:
        return fail(fmt::format("sync channel: unexpected {}", init::to_string(m->type)));
    }
  }
}

// Cgroup first (before the process can exec anything), then the child's
// setup. Returns the pty master when we keep it.
Result<UniqueFd> start_process(const ExecTarget& t, pid_t pid, const SyncChannel& sync,
                               const ExecRunOptions& o) {
  auto joined = exec::join_cgroups(t.cgroups, pid, t.init_pid);
  // As runc: a rootless container's cgroups may not be the user's to join
  // (cgroup v2 moves need write access up to the common ancestor).
  if (!joined && !t.rootless_cgroups) return std::unexpected(joined.error());
  if (!joined) log::debug("exec: not joining the container's cgroups: {}", joined.error().what());
  TRY_VOID(sync.send(SyncType::proceed));
  UniqueFd master = TRY(serve_exec_process(t, pid, sync, o));
  TRY_VOID(wait_for_execve(sync));
  return master;
}

// After the console fd went out, as callers expect; the pid file last, so a
// failed pidfd send leaves none behind.
Result<void> announce(pid_t pid, const ExecRunOptions& o) {
  if (o.pidfd_socket) TRY_VOID(send_pidfd(*o.pidfd_socket, pid));
  if (o.pid_file) TRY_VOID(write_pid_file(*o.pid_file, pid));
  return {};
}

}  // namespace

Result<int> exec_in_container(const RuntimeOptions& rt, const std::string& id,
                              const oci::Process& process, const ExecRunOptions& o) {
  ExecTarget target = TRY(exec::open_exec_target(rt, id, o));
  TRY_VOID(check_console_flags(process, o));
  TRY_VOID(check_lsm_labels(process));
  if (rootless_euid()) TRY_VOID(check_rootless_process(process));
  TRY_VOID(init::check_preserved_fds(0, o.preserve_fds));
  // The foreground keeps the pty (CRI-O's kubectl exec -t): it needs a terminal to proxy.
  std::optional<exec::CallerTerminal> terminal;
  if (process.terminal && !o.console_socket) terminal.emplace(TRY(exec::CallerTerminal::find()));
  ensure_stdio();

  exec::SignalBlock signals;
  auto [parent_end, child_end] = TRY(SyncChannel::make_pair());
  // Built here, so a profile libseccomp refuses is reported as ours; the child loads it.
  SeccompFilter seccomp;
  if (target.seccomp) seccomp = TRY(build_seccomp_filter(*target.seccomp));
  exec::SetnsInitConfig cfg{&process,         target.init_pid, target.init_pidfd.get(),
                            target.namespaces, target.root.get(), o.preserve_fds,
                            signals.saved(),   seccomp.empty() ? nullptr : &seccomp, rootless_euid()};
  ChildProcess child(TRY(fork_exec_process(target, cfg, child_end)));
  child_end.close();
  auto master = start_process(target, child.pid(), parent_end, o);
  if (!master) return std::unexpected(master.error().context("unable to start container process"));
  TRY_VOID(announce(child.pid(), o));
  if (o.detach) {
    child.release();  // re-parented to the caller's subreaper when we exit
    return 0;
  }
  int code = TRY(exec::wait_for_process(child.pid(), signals.blocked(), master->get(),
                                        terminal ? &*terminal : nullptr));
  child.release();  // reaped
  return code;
}

}  // namespace nucleus
