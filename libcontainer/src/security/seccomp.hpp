// linux.seccomp: the OCI profile turned into a libseccomp filter, and loaded.
//
// Built early (so a bad profile fails `create`), loaded late: as runc, while
// the process still has CAP_SYS_ADMIN when noNewPrivileges is false (a
// filter needs either that or no_new_privs), else just before execve.
#pragma once

#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

// Where a filter is loaded, as runc: without no_new_privs loading needs
// CAP_SYS_ADMIN, so before the identity switch drops it; with no_new_privs as
// late as possible, just before execve.
enum class SeccompStage { before_identity_switch, before_exec };

// A built filter (a libseccomp context), released on destruction.
class SeccompFilter {
 public:
  SeccompFilter() = default;
  explicit SeccompFilter(void* ctx) : ctx_(ctx) {}
  SeccompFilter(SeccompFilter&& o) noexcept : ctx_(o.ctx_) { o.ctx_ = nullptr; }
  SeccompFilter& operator=(SeccompFilter&& o) noexcept;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;
  ~SeccompFilter();

  bool empty() const { return ctx_ == nullptr; }
  void* get() const { return ctx_; }
  // seccomp_load on the calling thread (all threads with the TSYNC flag).
  // The filter never sets no_new_privs itself: that is process.noNewPrivileges'.
  Result<void> load() const;
  // load() when `stage` is the one for a process with `no_new_privileges`.
  Result<void> load_at(SeccompStage stage, bool no_new_privileges) const;

 private:
  void* ctx_ = nullptr;
};

// The filter for `profile`:
//   actions    SCMP_ACT_{KILL,KILL_PROCESS,KILL_THREAD,TRAP,ERRNO,TRACE,ALLOW,LOG};
//              ERRNO and TRACE return errnoRet / defaultErrnoRet, EPERM if unset
//   archs      each of `architectures` is added (the native one always is)
//   args       several on one rule are ANDed; several on the SAME index make
//              one rule per condition (ORed), as runc does
//   flags      TSYNC, LOG, SPEC_ALLOW (libseccomp attributes)
// Syscall names unknown to libseccomp are skipped (debug log), as are rules
// whose action is the default one. Errors name what is wrong:
//   `unknown seccomp action "SCMP_ACT_X"`, `seccomp flag "..." is not
//   supported by libseccomp 2.5.4`, and SCMP_ACT_NOTIFY / listenerPath are
//   refused (`linux.seccomp.listenerPath: seccomp notify is not supported`).
Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& profile);

}  // namespace nucleus
