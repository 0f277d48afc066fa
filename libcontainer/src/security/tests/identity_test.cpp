// apply_identity_and_capabilities in a forked child, read back there.
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "security/process_setup.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

// The caller's uid/gid/groups/umask/cwd as the child sees them.
std::string identity_now() {
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  ::getresuid(&ru, &eu, &su);
  ::getresgid(&rg, &eg, &sg);
  gid_t groups[64];
  int n = ::getgroups(64, groups);
  std::string list;
  for (int i = 0; i < n; ++i) {
    if (i) list += ',';
    list += std::to_string(groups[i]);
  }
  mode_t mask = ::umask(0);
  char cwd[4096] = "";
  if (!::getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
  return fmt::format("uid={},{},{} gid={},{},{} groups=[{}] umask={:04o} cwd={}", ru, eu, su, rg,
                     eg, sg, list, mask, cwd);
}

oci::Process process_as(std::uint32_t uid, std::uint32_t gid) {
  oci::Process p;
  p.user.uid = uid;
  p.user.gid = gid;
  p.cwd = "/";
  return p;
}

}  // namespace

TEST_CASE("user, groups, umask and cwd are applied", "[security][identity]") {
  if (!is_root()) {
    WARN("needs root");
    return;
  }
  auto report = in_child([](int) {
    auto p = process_as(1000, 1001);
    p.user.additional_gids = {5, 6};
    p.user.umask = 077;
    p.cwd = "/tmp";
    auto r = apply_identity_and_capabilities(p);
    return fmt::format("{} {}", outcome(r), identity_now());
  });
  CHECK(report == "ok uid=1000,1000,1000 gid=1001,1001,1001 groups=[5,6] umask=0077 cwd=/tmp");

  // Root with no additional gids: the runtime's groups are dropped, umask is
  // runc's 0022.
  report = in_child([](int) {
    gid_t extra[] = {4, 27};
    ::setgroups(2, extra);
    ::umask(0);
    auto r = apply_identity_and_capabilities(process_as(0, 0));
    return fmt::format("{} {}", outcome(r), identity_now());
  });
  CHECK(report == "ok uid=0,0,0 gid=0,0,0 groups=[] umask=0022 cwd=/");
}

TEST_CASE("a missing cwd is an error in runc's words", "[security][identity]") {
  if (!is_root()) return;
  auto report = in_child([](int) {
    auto p = process_as(0, 0);
    p.cwd = "/nonexistent-cwd";
    return outcome(apply_identity_and_capabilities(p));
  });
  CHECK(report == "chdir to cwd (\"/nonexistent-cwd\") set in config.json failed: "
                  "no such file or directory");
}

TEST_CASE("a cwd only the container user can enter is entered after the switch",
          "[security][identity]") {
  if (!is_root()) return;
  TempDir tmp;
  std::string dir = tmp.path() + "/private";
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  REQUIRE(::chown(dir.c_str(), 1000, 1000) == 0);
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  auto report = in_child([&](int) {
    // Make root as powerless as an unprivileged runtime on this directory.
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    ::syscall(SYS_capget, &h, d);
    d[0].effective &= ~((1U << CAP_DAC_OVERRIDE) | (1U << CAP_DAC_READ_SEARCH));
    if (::syscall(SYS_capset, &h, d) != 0) return std::string("capset");
    if (::chdir(dir.c_str()) == 0) return std::string("root could enter");
    auto p = process_as(1000, 1000);
    p.cwd = dir;
    auto r = apply_identity_and_capabilities(p);
    char cwd[4096] = "";
    return fmt::format("{} {}", outcome(r), ::getcwd(cwd, sizeof cwd) ? cwd : "?");
  });
  CHECK(report == "ok " + dir);
}

TEST_CASE("setgroups denied in a user namespace: skipped unless gids are asked for",
          "[security][identity]") {
  if (!is_root()) return;
  auto in_userns = [](std::vector<std::uint32_t> gids) {
    return in_child([gids](int) {
      if (::unshare(CLONE_NEWUSER) != 0) return std::string("unshare");
      std::ofstream("/proc/self/setgroups") << "deny";
      std::ofstream("/proc/self/uid_map") << "0 0 1";
      std::ofstream("/proc/self/gid_map") << "0 0 1";
      auto p = process_as(0, 0);
      p.user.additional_gids = gids;
      return fmt::format("{} {}", outcome(apply_identity_and_capabilities(p)),
                         read_file("/proc/self/setgroups"));
    });
  };
  CHECK(in_userns({}) == "ok deny\n");
  CHECK(in_userns({5, 6}) ==
        "setgroups [5 6]: not allowed in this user namespace (/proc/self/setgroups is \"deny\") "
        "deny\n");
}

TEST_CASE("no_new_privs is read back with prctl", "[security][nnp]") {
  auto report = in_child([](int) {
    auto off = apply_no_new_privileges(false);
    int before = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    auto on = apply_no_new_privileges(true);
    int after = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    return fmt::format("{} {} {} {}", outcome(off), before, outcome(on), after);
  });
  CHECK(report == "ok 0 ok 1");
}
