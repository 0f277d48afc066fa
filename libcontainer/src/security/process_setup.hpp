// The process attributes the container's init applies just before exec:
// environment, cwd, user and groups, umask, rlimits, oom_score_adj,
// no_new_privs, the five capability sets, I/O priority and scheduler, and the
// resolution of args[0]. Each call changes only the calling process.
//
// Order the init is expected to use (the capability-sensitive steps last):
//   env = build_process_environment(...)   before the user changes (reads /etc/passwd)
//   apply_oom_score_adj                    before any user namespace (see below)
//   apply_rlimits                          needs CAP_SYS_RESOURCE for raising
//   apply_io_priority, apply_scheduler     need CAP_SYS_ADMIN / CAP_SYS_NICE
//   apply_no_new_privileges
//   seccomp here when noNewPrivileges is false (loading needs CAP_SYS_ADMIN)
//   apply_identity_and_capabilities(process)  (cwd, groups, uid/gid, caps, umask)
//   path = resolve_executable(args[0], env)   as the user, in the cwd (runc)
//   seccomp here when noNewPrivileges is true, then execve(path, args, env)
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

// setrlimit for each entry; "setrlimit RLIMIT_NOFILE: operation not permitted".
// Unknown types and duplicates are errors (the spec's MUSTs).
Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits);

// Writes /proc/self/oom_score_adj (/proc/<pid>/... when pid is given);
// nullopt leaves it alone (spec). Lowering it needs CAP_SYS_RESOURCE in the
// host's user namespace, so it is written before any user namespace is
// entered, as runc does.
Result<void> apply_oom_score_adj(std::optional<int> adj, pid_t pid = 0);

// ioprio_set(IOPRIO_WHO_PROCESS, 0, class|priority); nullopt leaves it alone.
Result<void> apply_io_priority(const std::optional<oci::IoPriority>& prio);

// sched_setattr(0, ...); nullopt leaves it alone. Whatever the kernel refuses
// (EPERM for a real-time policy without CAP_SYS_NICE, EINVAL for SCHED_ISO)
// is an error naming the policy.
Result<void> apply_scheduler(const std::optional<oci::Scheduler>& sched);

// One ordered operation, because setuid drops capabilities unless keep-caps
// is set and dropping the bounding set needs CAP_SETPCAP:
//   chdir(cwd) (if that fails with a permission error, retried as the user),
//   drop the bounding set, keep-caps on, setgroups(additionalGids) (skipped
//   when /proc/self/setgroups is "deny" and none are asked for), stdio
//   chowned to the user (not /dev/null; runc's fixStdioPermissions), setresgid,
//   setresuid, keep-caps off, capset(permitted, effective, inheritable),
//   ambient raise, umask (0022 when unset, as runc does).
// Capability names unknown to libcap-ng or to this kernel, and capabilities
// this process cannot grant (not in its bounding/permitted sets, or ambient
// without permitted+inheritable), are logged as warnings and ignored: the
// spec says runtimes SHOULD NOT fail on those, and runc warns likewise for
// unknown names. An absent capabilities object means no capabilities.
// rootless_runtime (runc's RootlessEUID): setgroups is not called, so the
// caller's own groups stay (mapped), as in runc; additional gids were refused.
Result<void> apply_identity_and_capabilities(const oci::Process& process, bool rootless_runtime = false);

// prctl(PR_SET_NO_NEW_PRIVS); false does nothing (the bit cannot be cleared).
Result<void> apply_no_new_privileges(bool enable);

// The environment the process gets: the config's entries, validated as runc
// validates them ("invalid environment variable: \"FOO\""), duplicates
// collapsed (the last value wins, at the first position), and HOME added when
// unset or empty: the home of `uid` in `passwd_path` (the container's
// /etc/passwd once the rootfs is the root), else "/".
Result<std::vector<std::string>> build_process_environment(
    const std::vector<std::string>& env, unsigned uid,
    const std::string& passwd_path = "/etc/passwd");

// Finds args[0] as runc 1.1 does (Go's exec.LookPath): a name with '/' is
// checked as is (relative to the cwd), otherwise PATH from `env` (not the
// runtime's environment; the last PATH= wins) is searched. Errors, exactly:
//   exec: "/x": stat /x: no such file or directory
//   exec: "x": executable file not found in $PATH
//   exec: "/etc": permission denied          (a directory, or not executable)
//   exec: "x": cannot run executable found relative to current directory
Result<std::string> resolve_executable(const std::string& arg0,
                                       const std::vector<std::string>& env);

// "CAP_CHOWN" -> 0, from libcap-ng's table limited to what this kernel knows.
// Exact spelling only (upper case, CAP_ prefix); anything else is
// `unknown capability "cap_chown"`.
Result<int> capability_from_name(std::string_view name);
// All capability names this build and kernel know, in number order (for
// `nucleus features`).
std::vector<std::string> known_capabilities();

}  // namespace nucleus
