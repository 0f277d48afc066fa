// linux.seccomp: the OCI profile turned into a cBPF program, and loaded.
//
// Built by the runtime before it forks (so a bad profile fails create or
// exec before anything exists), loaded by the child: as runc, while it still
// has CAP_SYS_ADMIN when noNewPrivileges is false (a filter needs either that
// or no_new_privs), else late. Nothing of libseccomp runs in the child.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus {

// Where a filter is loaded, as runc 1.1 does:
//   before_identity_switch  without no_new_privs loading needs CAP_SYS_ADMIN,
//                           which the identity switch may drop
//   before_ready            with no_new_privs and SCMP_ACT_NOTIFY rules: the
//                           listener fd must reach the runtime while it still
//                           listens, i.e. before the init reports ready (runc
//                           loads before closing its sync pipe)
//   before_exec             with no_new_privs otherwise: as late as possible,
//                           so that few of the runtime's own syscalls run
//                           under the filter
enum class SeccompStage { before_identity_switch, before_ready, before_exec };

// A built filter: the program and the seccomp(2) flags it is loaded with.
class SeccompFilter {
 public:
  SeccompFilter() = default;
  SeccompFilter(std::vector<sock_filter> program, unsigned flags)
      : program_(std::move(program)), flags_(flags) {}

  bool empty() const { return program_.empty(); }
  const std::vector<sock_filter>& program() const { return program_; }
  unsigned flags() const { return flags_; }  // SECCOMP_FILTER_FLAG_*
  // Whether loading makes a listener fd (the profile has SCMP_ACT_NOTIFY rules).
  bool notifies() const;

  // seccomp(SECCOMP_SET_MODE_FILTER) on the calling thread (all threads with
  // TSYNC); the listener fd when notifies(), else an invalid one. The filter
  // never sets no_new_privs itself: that is process.noNewPrivileges'.
  Result<UniqueFd> load() const;
  // The stage a process with `no_new_privileges` loads this filter at.
  SeccompStage stage(bool no_new_privileges) const;
  // load() when `stage` is that one; else nothing (an invalid fd).
  Result<UniqueFd> load_at(SeccompStage stage, bool no_new_privileges) const;

 private:
  std::vector<sock_filter> program_;
  unsigned flags_ = 0;
};

// The filter for `profile`:
//   actions    SCMP_ACT_{KILL,KILL_PROCESS,KILL_THREAD,TRAP,ERRNO,TRACE,ALLOW,LOG,NOTIFY};
//              ERRNO and TRACE return errnoRet / defaultErrnoRet, EPERM if unset
//   archs      each of `architectures` is added (the native one always is)
//   args       several on one rule are ANDed; several on the SAME index make
//              one rule per condition (ORed), as runc does
//   flags      TSYNC, LOG, SPEC_ALLOW; NEW_LISTENER when a rule notifies
//   -ENOSYS    syscalls newer than the profile get ENOSYS, as in runc
//              (security/seccomp_enosys.hpp)
// Syscall names unknown to libseccomp are skipped (debug log), as are rules
// whose action is the default one. Errors name what is wrong:
//   `unknown seccomp action "SCMP_ACT_X"`, `seccomp flag "..." is not
//   supported by libseccomp 2.5.4`; and runc's refusals of notify profiles:
//   SCMP_ACT_NOTIFY as the default action or for write (and, in nucleus, for
//   sendmsg: see check_notify_rules), or without linux.seccomp.listenerPath.
Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& profile);

}  // namespace nucleus
