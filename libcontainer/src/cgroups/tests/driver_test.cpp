// Driver choice: systemd, disabled, and errors from make/open.
#include <catch2/catch.hpp>

#include "cgroups/manager.hpp"
#include "cgroups/systemd.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

TEST_CASE("make_cgroup_manager(systemd) on this host", "[cgroups][driver]") {
  if (systemd_running()) {
    WARN("systemd runs here; skipping the no-systemd check");
    return;
  }
  CgroupConfig c;
  c.id = "c1";
  c.driver = CgroupDriver::systemd;
  auto m = make_cgroup_manager(c);
  REQUIRE_FALSE(m);
  CHECK(m.error().what() == "systemd not running on this host, cannot use systemd cgroups manager");
  auto o = open_cgroup_manager({{"", "/sys/fs/cgroup/x"}}, CgroupDriver::systemd);
  REQUIRE_FALSE(o);
  CHECK(o.error().what() == "systemd not running on this host, cannot use systemd cgroups manager");
}

TEST_CASE("disabled driver: membership is a no-op, queries say cgroups disabled", "[cgroups][driver]") {
  FakeHost host;  // not even read
  CgroupConfig c = host.config("c1", "/../bad-but-unused");
  c.driver = CgroupDriver::disabled;
  auto m = make_cgroup_manager(c);
  REQUIRE(m);
  CHECK((*m)->create());
  CHECK((*m)->apply(1));
  const oci::Resources none;
  CHECK((*m)->set({none, none}));
  CHECK((*m)->paths().empty());
  CHECK((*m)->frozen() == false);
  CHECK((*m)->destroy());
  CHECK_FALSE((*m)->clone_into_fd());
  auto pids = (*m)->pids();
  REQUIRE_FALSE(pids);
  CHECK(pids.error().what() == "cgroups disabled");
  CHECK((*m)->kill_all(9).error().what() == "cgroups disabled");
  CHECK((*m)->freeze().error().what() == "cgroups disabled");
  // Nothing stored: a rootless container that could make no cgroup.
  auto o = open_cgroup_manager({}, CgroupDriver::cgroupfs);
  REQUIRE(o);
  CHECK((*o)->pids().error().what() ==
        "the container has no cgroup of its own (rootless, and the user may not create one here)");
  oci::Resources limit;
  limit.pids.emplace();
  limit.pids->limit = 5;
  auto refused = (*o)->check({limit, limit});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what() ==
        "linux.resources: the container has no cgroup of its own (rootless, and the user may not create one here)");
  CHECK((*m)->check({limit, limit}));  // disabled: set() only warns
}

TEST_CASE("make_cgroup_manager reports bad paths and hosts", "[cgroups][driver]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  auto bad = make_cgroup_manager(host.config("c1", "/x/../../y"));
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().what(), Catch::Contains("leaves the cgroup root"));
  CgroupConfig c = host.config("c1");
  c.mount_root = host.root() / "elsewhere";
  CHECK_FALSE(make_cgroup_manager(c));
  CHECK_FALSE(open_cgroup_manager({{"pids", "relative/dir"}}, CgroupDriver::cgroupfs));
}
