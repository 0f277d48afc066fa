// The steps that both initers take — create's init (init/init.cpp) and exec's
// setns init (exec/setns_init.cpp) — in one place, so that a fix reaches both
// (a defence present in only one of them is how CVE-2024-21626 stayed open in
// create).
#pragma once

#include <signal.h>

#include <span>
#include <string>
#include <vector>

#include "nucleus/error.hpp"

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

// execve(executable, args, env); returns only on failure.
Result<void> exec_process(const std::string& executable, const std::vector<std::string>& args,
                          const std::vector<std::string>& env);

}  // namespace nucleus::init
