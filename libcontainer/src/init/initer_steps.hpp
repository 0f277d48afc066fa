// The steps that both initers take — create's init (init/init.cpp) and exec's
// setns init (exec/setns_init.cpp) — in one place, so that a fix reaches both
// (a defence present in only one of them is how CVE-2024-21626 stayed open in
// create).
#pragma once

#include <signal.h>

#include <span>
#include <string>
#include <vector>

#include "init/sync.hpp"
#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"
#include "security/seccomp.hpp"

namespace nucleus::init {

// Default dispositions for every signal (the runtime's handlers mean nothing
// here) and `mask` restored (the runtime blocks signals around the clone).
Result<void> reset_signal_state(const sigset_t& mask);

// PR_SET_DUMPABLE 0: until execve the process runs the runtime's image and
// holds the runtime's state; no process of the container may open its
// /proc/<pid>/exe, fds or memory, or ptrace it (CVE-2019-5736 and the
// 2024-21626 class). execve makes the user's program dumpable again.
Result<void> make_undumpable();

// Until the runtime has recorded the container (its cgroups in the journal,
// then state.json), the init dies with it: SIGKILL on the runtime's death.
// (Had the runtime died before this call, the init's next read of the sync
// channel ends it.) Cleared by fork: a forked init calls it again.
Result<void> die_with_runtime();
// From `ready` on, the container outlives the runtime.
void outlive_runtime();

// The same with dumpable set, for the few writes the kernel lets only the
// process's owner make (its own procfs files inside a user namespace); the
// previous state is restored when the guard dies.
class DumpableWindow {
 public:
  DumpableWindow();
  ~DumpableWindow();
  DumpableWindow(const DumpableWindow&) = delete;
  DumpableWindow& operator=(const DumpableWindow&) = delete;

 private:
  int was_;
};

// After the chdir to process.cwd: the cwd must lie inside our root. A cwd
// reached through a leaked fd (/proc/self/fd/N) is outside of it, and getcwd
// then fails or answers "(unreachable)/..." (runc 1.1.12's check, same words).
Result<void> check_cwd_inside_root();

// `seccomp` (null: no linux.seccomp) loaded when `stage` is the one due for
// a process with `no_new_privileges` (security/seccomp.hpp), its notify
// listener handed over at once (below).
Result<void> load_seccomp_at(const SeccompFilter* seccomp, SeccompStage stage, bool no_new_privileges,
                             const SyncChannel& sync);

// Seccomp notify, the child's side: `listener` goes to the runtime, and the
// child waits until the runtime has passed it on to the agent (runc's
// procSeccomp / procSeccompDone), so that whatever the child does next,
// notified syscalls included, has an agent to answer it; then closes it. Runs
// under the filter: sendmsg (which the filter may not notify), recvmsg, close.
Result<void> hand_over_seccomp_listener(const SyncChannel& sync, UniqueFd listener);

// execve's arguments, built before the seccomp filter is loaded so that
// nothing but execve itself runs under it (no allocation: brk, mmap). Points
// into the strings it was made from, which must outlive it.
struct PreparedExec {
  std::string executable;
  std::vector<char*> argv;
  std::vector<char*> envp;
};
PreparedExec prepare_exec(std::string executable, const std::vector<std::string>& args,
                          const std::vector<std::string>& env);

// execve; returns only on failure.
Result<void> exec_process(const PreparedExec& exec);

}  // namespace nucleus::init
