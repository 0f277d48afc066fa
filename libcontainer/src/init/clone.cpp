#include "init/clone.hpp"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

namespace nucleus::init {

Result<pid_t> clone_process(const CloneRequest& request) {
  TRY_VOID(ensure_single_threaded());
  clone_args args{};
  args.flags = request.flags;
  args.exit_signal = (request.flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (request.cgroup_fd) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(*request.cgroup_fd);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  // Kernels before 5.3, and seccomp profiles that answer clone3 with ENOSYS
  // (Docker's default, so nucleus nested in a container; valgrind), still
  // have clone(2), which takes every flag but CLONE_INTO_CGROUP.
  if (pid < 0 && errno == ENOSYS && !request.cgroup_fd)
    pid = ::syscall(SYS_clone, args.flags | args.exit_signal, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return fail_errno(fmt::format("clone3 (flags {:#x})", args.flags));
  return static_cast<pid_t>(pid);
}

Result<void> ensure_single_threaded() {
  // procfs gives /proc/self/task one link per thread plus "." and "..": one
  // stat instead of reading and parsing /proc/self/status.
  struct stat st {};
  if (::stat("/proc/self/task", &st) != 0) return fail_errno("stat /proc/self/task");
  if (st.st_nlink > 3)
    return fail(fmt::format("refusing to clone: the runtime has {} threads", st.st_nlink - 2));
  return {};
}

}  // namespace nucleus::init
