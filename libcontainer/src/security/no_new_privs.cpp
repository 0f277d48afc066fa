// process.noNewPrivileges: after this, execve never grants privileges
// (setuid bits, file capabilities), and seccomp filters need no CAP_SYS_ADMIN.
#include <sys/prctl.h>

#include "security/process_setup.hpp"

namespace nucleus {

Result<void> apply_no_new_privileges(bool enable) {
  if (!enable) return {};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0)
    return fail_errno("prctl PR_SET_NO_NEW_PRIVS");
  return {};
}

}  // namespace nucleus
