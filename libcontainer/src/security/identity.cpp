// process.user (uid, gid, additionalGids, umask), process.cwd and the
// capability sets, applied as one ordered operation: dropping the bounding
// set needs CAP_SETPCAP, which a non-root uid no longer has in its effective
// set, and setuid away from root clears the permitted set unless keep-caps is
// on.
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>

#include "nucleus/log.hpp"
#include "security/capabilities.hpp"
#include "security/process_setup.hpp"

namespace nucleus {
namespace {

std::string gid_list(const std::vector<std::uint32_t>& gids) {
  std::string out = "[";
  for (auto g : gids) {
    if (out.size() > 1) out += ' ';
    out += std::to_string(g);
  }
  return out + "]";
}

// A user namespace whose gid map was written without setgroups permission
// (rootless) refuses setgroups for good.
bool setgroups_denied() {
  std::ifstream in("/proc/self/setgroups");
  std::string word;
  return in >> word && word == "deny";
}

Result<void> set_groups(const std::vector<std::uint32_t>& additional) {
  if (setgroups_denied()) {
    if (additional.empty()) return {};
    return fail(fmt::format("setgroups {}: not allowed in this user namespace "
                            "(/proc/self/setgroups is \"deny\")",
                            gid_list(additional)));
  }
  // An empty list still matters: it drops the runtime's own groups.
  std::vector<gid_t> gids(additional.begin(), additional.end());
  if (::setgroups(gids.size(), gids.data()) != 0)
    return fail_errno(fmt::format("setgroups {}", gid_list(additional)));
  return {};
}

Result<void> switch_user(const oci::User& user) {
  if (::setresgid(user.gid, user.gid, user.gid) != 0)
    return fail_errno(fmt::format("setgid {}", user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0)
    return fail_errno(fmt::format("setuid {}", user.uid));
  return {};
}

Error chdir_error(const std::string& cwd, int err) {
  return Error(fmt::format("chdir to cwd (\"{}\") set in config.json failed", cwd), err);
}

// runc tries the cwd before switching user (the runtime may reach what the
// user cannot) and, on a permission error, again after it (a volume owned by
// the container's user). True when the second attempt is still needed.
Result<bool> chdir_as_runtime(const std::string& cwd) {
  if (cwd.empty()) return false;
  if (::chdir(cwd.c_str()) == 0) return false;
  if (errno == EACCES || errno == EPERM) return true;
  return std::unexpected(chdir_error(cwd, errno));
}

// runc's fixStdioPermissions: the process's stdio (a pty slave, a file or a
// pipe of the caller) is handed to its user, so that a non-root process can
// use its console; /dev/null and what is already the user's are left alone,
// as are files the kernel will not let us chown (unmapped owner, read-only).
Result<void> give_stdio_to(std::uint32_t uid) {
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      if (errno == EBADF) continue;
      return fail_errno(fmt::format("stat fd {}", fd));
    }
    bool dev_null = S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
    if (st.st_uid == uid || dev_null) continue;
    if (::fchown(fd, uid, st.st_gid) != 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
      return fail_errno(fmt::format("chown fd {} to uid {}", fd, uid));
  }
  return {};
}

Result<void> set_keep_caps(bool on) {
  if (::prctl(PR_SET_KEEPCAPS, on ? 1UL : 0UL, 0UL, 0UL, 0UL) != 0)
    return fail_errno(fmt::format("prctl PR_SET_KEEPCAPS {}", on ? 1 : 0));
  return {};
}

}  // namespace

Result<void> apply_identity_and_capabilities(const oci::Process& process, bool rootless_runtime) {
  const oci::User& user = process.user;
  auto current = TRY(caps::read_capabilities());
  auto plan = caps::plan_capabilities(process.capabilities, current);
  for (const auto& warning : plan.warnings()) log::warn("{}", warning);
  TRY_VOID(plan.check_grantable());

  bool chdir_pending = TRY(chdir_as_runtime(process.cwd));
  TRY_VOID(caps::drop_bounding_set(plan.sets.bounding));
  TRY_VOID(set_keep_caps(true));
  if (!rootless_runtime) TRY_VOID(set_groups(user.additional_gids));
  TRY_VOID(give_stdio_to(user.uid));
  TRY_VOID(switch_user(user));
  if (chdir_pending && ::chdir(process.cwd.c_str()) != 0)
    return std::unexpected(chdir_error(process.cwd, errno));
  TRY_VOID(set_keep_caps(false));
  TRY_VOID(caps::set_capabilities(plan.sets));
  // The spec says "unchanged" when unset; runc (and so its callers) use 0022.
  ::umask(static_cast<mode_t>(user.umask.value_or(0022) & 0777));
  return {};
}

}  // namespace nucleus
