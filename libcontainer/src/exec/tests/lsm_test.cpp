// Asking for an LSM label the host cannot apply is an error before anything starts.
#include <catch2/catch.hpp>

#include "exec/lsm.hpp"

using namespace nucleus::exec;

TEST_CASE("no labels asked for: nothing to check or set", "[exec][lsm]") {
  oci::Process p;
  CHECK(check_exec_labels(p));
  CHECK(set_exec_labels(p));
}

TEST_CASE("labels the host lacks are refused with runc's words", "[exec][lsm]") {
  oci::Process p;
  p.selinux_label = "system_u:system_r:container_t:s0";
  if (!selinux_enabled()) {
    auto r = check_exec_labels(p);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == "selinux label is specified in config, but selinux is disabled or not supported");
  }
  oci::Process a;
  a.apparmor_profile = "unconfined";
  if (!apparmor_enabled()) {
    auto r = check_exec_labels(a);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() ==
          "apparmor profile \"unconfined\" is specified, but AppArmor is not enabled on this host");
  }
}
