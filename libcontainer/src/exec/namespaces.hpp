// Which namespaces of the container's init an exec'd process joins, and
// joining them: all at once through the init's pidfd where the kernel allows
// it (setns with a CLONE_NEW* mask, Linux 5.8+), else one /proc/<pid>/ns file
// at a time, the user namespace first so that the others (which it owns) can
// be entered with its capabilities.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

struct NamespaceKind {
  int flag;               // CLONE_NEW*
  std::string_view name;  // the file under /proc/<pid>/ns
};

// In the order the fallback joins them: user first, mount last (a process
// may still need host paths while it joins the others).
inline constexpr NamespaceKind kNamespaceKinds[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"},       {CLONE_NEWUTS, "uts"},
    {CLONE_NEWNET, "net"},   {CLONE_NEWPID, "pid"},       {CLONE_NEWCGROUP, "cgroup"},
    {CLONE_NEWTIME, "time"}, {CLONE_NEWNS, "mnt"},
};

// The CLONE_NEW* flags of the namespaces whose files in `theirs` (a
// /proc/<pid>/ns dir) are other namespaces than those in `ours`. A kind the
// kernel does not have (no file on either side) is skipped.
Result<int> differing_namespaces(const std::filesystem::path& theirs,
                                 const std::filesystem::path& ours = "/proc/self/ns");

// Child side: join the namespaces in `mask` of process `pid`, through
// `pidfd` when the kernel supports it. CLONE_NEWPID only changes the pid
// namespace of later children.
Result<void> join_namespaces(int pidfd, pid_t pid, int mask);

// Parent side: the next fork lands in pid's pid namespace; the destructor
// puts this process's own pid namespace back for later children.
class PidNamespaceForChildren {
 public:
  static Result<PidNamespaceForChildren> enter(int pidfd, pid_t pid);
  PidNamespaceForChildren(PidNamespaceForChildren&& o) noexcept : own_(std::move(o.own_)) {}
  PidNamespaceForChildren& operator=(PidNamespaceForChildren&&) = delete;
  ~PidNamespaceForChildren();

 private:
  explicit PidNamespaceForChildren(UniqueFd own) : own_(std::move(own)) {}
  UniqueFd own_;
};

}  // namespace nucleus::exec
