#include "spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace nucleus::hooks::detail {
namespace {

// Owns a posix_spawn attribute/file-action pair.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Our pipe ends must not sit on 0-2 (possible when the caller runs with closed
// stdio): a dup2 onto one stdio slot could then clobber another's source.
Result<UniqueFd> above_stdio(UniqueFd fd) {
  if (fd.get() > STDERR_FILENO) return fd;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return fail_errno("move hook pipe above stdio");
  return UniqueFd(moved);
}

// parent_end_is_write: which end the runtime keeps; that end is non-blocking.
Result<Pipe> make_pipe(bool parent_end_is_write) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return fail_errno("create hook pipe");
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  p.read = TRY(above_stdio(std::move(p.read)));
  p.write = TRY(above_stdio(std::move(p.write)));
  int parent = parent_end_is_write ? p.write.get() : p.read.get();
  if (::fcntl(parent, F_SETFL, O_NONBLOCK) < 0) return fail_errno("make hook pipe non-blocking");
  return p;
}

// execve wants mutable char* arrays; the strings live in `storage`.
std::vector<char*> c_array(std::vector<std::string>& storage) {
  std::vector<char*> out;
  out.reserve(storage.size() + 1);
  for (auto& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

UniqueFd open_pidfd(pid_t pid) {
  // No pidfd (old kernel, seccomp) is fine: the wait loop falls back to waitid.
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

Result<void> configure(SpawnSetup& s, const Pipe& in, const Pipe& out, const Pipe& err) {
  // A hook starts with default signal dispositions and an empty mask, whatever
  // the runtime blocked or ignored (SIGPIPE in particular).
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  // Its own process group, so a timeout kills the hook's children as well.
  posix_spawnattr_setpgroup(&s.attr, 0);
  auto flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP;
  if (int rc = posix_spawnattr_setflags(&s.attr, static_cast<short>(flags)); rc != 0)
    return fail_errno("set hook spawn flags", rc);
  int rc = posix_spawn_file_actions_adddup2(&s.actions, in.read.get(), STDIN_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, out.write.get(), STDOUT_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, err.write.get(), STDERR_FILENO);
  // Our fds are all O_CLOEXEC, but a library or the caller may hold one that
  // is not: the hook gets 0, 1 and 2 and nothing else.
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions, STDERR_FILENO + 1);
  if (rc != 0) return fail_errno("set hook spawn file actions", rc);
  return {};
}

ExitStatus to_exit_status(const siginfo_t& info) {
  ExitStatus st;
  st.signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
  st.core_dumped = info.si_code == CLD_DUMPED;
  st.code = info.si_status;
  return st;
}

}  // namespace

HookChild::~HookChild() {
  if (pid_ > 0) kill_and_reap();
}

Result<std::optional<ExitStatus>> HookChild::try_reap() {
  siginfo_t info{};
  for (;;) {
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG) == 0) break;
    if (errno == EINTR) continue;
    int err = errno;
    // ECHILD: someone else reaped it (SIGCHLD ignored, a waitpid(-1) in the
    // caller); the pid is no longer ours to signal.
    pid_t pid = std::exchange(pid_, -1);
    return fail_errno(fmt::format("wait for hook process {}", pid), err);
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>{};
  pid_ = -1;
  return std::optional<ExitStatus>{to_exit_status(info)};
}

void HookChild::kill_and_reap() {
  if (pid_ <= 0) return;
  // The group first (the hook's children), then the hook itself in case it
  // left the group. It is not reaped yet, so neither id can have been reused.
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<SpawnedHook> spawn_hook(const oci::Hook& hook) {
  if (hook.path.empty()) return fail("hook path is empty");
  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<std::string> env = hook.env;
  std::vector<char*> argv = c_array(args);
  std::vector<char*> envp = c_array(env);

  Pipe in = TRY(make_pipe(true));
  Pipe out = TRY(make_pipe(false));
  Pipe err = TRY(make_pipe(false));
  SpawnSetup setup;
  TRY_VOID(configure(setup, in, out, err));

  pid_t pid = -1;
  int rc =
      ::posix_spawn(&pid, hook.path.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  // Go's wording, as runc reports it: "fork/exec /x: no such file or directory".
  if (rc != 0) return fail_errno(fmt::format("fork/exec {}", hook.path), rc);
  HookChild child(pid, open_pidfd(pid));
  return SpawnedHook{std::move(child), std::move(in.write), std::move(out.read),
                     std::move(err.read)};
}

}  // namespace nucleus::hooks::detail
