// Asking for an LSM label the host cannot apply is an error, naming the
// field, before anything starts.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "security/lsm.hpp"
#include "security/procfs.hpp"

using namespace nucleus;

TEST_CASE("no labels asked for: nothing to check or set", "[lsm]") {
  oci::Process p;
  CHECK(check_lsm_labels(p));
  auto proc = ProcfsHandle::open_host();
  REQUIRE(proc);
  CHECK(set_exec_labels(p, *proc));
}

TEST_CASE("labels the host lacks are refused, naming the field", "[lsm]") {
  oci::Process p;
  p.selinux_label = "system_u:system_r:container_t:s0";
  if (!selinux_enabled()) {
    auto r = check_lsm_labels(p);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == "process.selinuxLabel: selinux label is specified in config, but selinux is "
                              "disabled or not supported");
    auto m = check_lsm_labels(oci::Process{}, "system_u:object_r:container_file_t:s0");
    REQUIRE_FALSE(m);
    CHECK(m.error().what().starts_with("linux.mountLabel: "));
  }
  oci::Process a;
  a.apparmor_profile = "unconfined";
  if (!apparmor_enabled()) {
    auto r = check_lsm_labels(a);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == "process.apparmorProfile: apparmor profile \"unconfined\" is specified, but "
                              "AppArmor is not enabled on this host");
  }
}

TEST_CASE("a private procfs handle resolves beneath itself only", "[procfs]") {
  auto proc = ProcfsHandle::open_private();
  REQUIRE(proc);
  auto status = proc->open("thread-self/status", O_RDONLY, true);
  CHECK(status);
  CHECK_FALSE(proc->open("thread-self/status", O_RDONLY, false));  // thread-self is a symlink
  CHECK_FALSE(proc->open("../etc/passwd", O_RDONLY, true));
  CHECK_FALSE(proc->open("self/root/etc/passwd", O_RDONLY, true));  // a magic link
  CHECK(proc->open("sys/kernel/ostype", O_RDONLY, false));
}
