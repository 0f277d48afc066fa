// Layout detection and hierarchy discovery from mountinfo and /proc/self/cgroup.
#include <sys/statfs.h>

#include <catch2/catch.hpp>

#include "cgroups/hierarchy.hpp"
#include "fake_host.hpp"

using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

// This host's real mountinfo (abridged), plus an escaped mount point.
constexpr std::string_view debian_hybrid_mountinfo =
    "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n"
    "37 31 0:34 /docker/abc /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer,release_agent=/x\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "42 31 0:39 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw\n";

}  // namespace

TEST_CASE("parse_cgroup_mounts reads controllers from the super options", "[cgroups][layout]") {
  auto mounts = parse_cgroup_mounts(debian_hybrid_mountinfo);
  REQUIRE(mounts.size() == 6);
  CHECK(mounts[0].mount_point == "/sys/fs/cgroup/cpu");
  CHECK(mounts[0].controllers == std::vector<std::string>{"cpu"});
  CHECK(mounts[1].controllers == std::vector<std::string>{"cpu", "cpuacct"});  // optional fields skipped
  CHECK(mounts[2].root == "/docker/abc");
  CHECK(mounts[2].controllers == std::vector<std::string>{"freezer"});
  CHECK(mounts[3].controllers == std::vector<std::string>{"name=systemd"});
  CHECK(mounts[4].cgroup2);
  CHECK(mounts[4].controllers.empty());
  CHECK(mounts[5].mount_point == "/mnt/my cgroups");
}

TEST_CASE("a v1 host: every hierarchy, co-mounts once, other named ones skipped", "[cgroups][layout]") {
  FakeHost host;
  host.add_v1("cpu,cpuacct", "rw,cpuacct,cpu");
  host.add_v1("memory", "rw,memory");
  host.add_v1("systemd", "rw,name=systemd");
  host.add_v1("elogind", "rw,name=elogind");
  host.write_mountinfo();
  auto found = discover_hierarchies(host.root(), host.mountinfo());
  REQUIRE(found);
  CHECK(found->layout == Layout::v1);
  REQUIRE(found->hierarchies.size() == 3);
  CHECK(found->hierarchies[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(found->hierarchies[0].mount_point == host.root() / "cpu,cpuacct");
  CHECK(found->hierarchies[2].controllers == std::vector<std::string>{"name=systemd"});
  CHECK(detect_layout(host.root(), host.mountinfo()) == Layout::v1);
}

TEST_CASE("a hybrid host: v1 hierarchies plus the cgroup2 mount, last", "[cgroups][layout]") {
  FakeHost host;
  host.add_cgroup2("unified");
  host.add_v1("pids", "rw,pids");
  host.write_mountinfo();
  auto found = discover_hierarchies(host.root(), host.mountinfo());
  REQUIRE(found);
  CHECK(found->layout == Layout::hybrid);
  REQUIRE(found->hierarchies.size() == 2);
  CHECK(found->hierarchies[1].unified());
  CHECK(found->hierarchies[1].mount_point == host.root() / "unified");
  CHECK(detect_layout(host.root(), host.mountinfo()) == Layout::hybrid);
}

TEST_CASE("a pure v2 host: cgroup2 at the root", "[cgroups][layout]") {
  FakeHost host;
  host.add_cgroup2("");
  host.write_mountinfo();
  auto found = discover_hierarchies(host.root(), host.mountinfo());
  REQUIRE(found);
  CHECK(found->layout == Layout::v2);
  REQUIRE(found->hierarchies.size() == 1);
  CHECK(found->hierarchies[0].mount_point == host.root());
  CHECK(detect_layout(host.root() / "", host.mountinfo()) == Layout::v2);  // trailing '/' too
}

TEST_CASE("cgroup mounts elsewhere do not count; none at all is an error", "[cgroups][layout]") {
  FakeHost host;
  host.write_mountinfo();
  auto found = discover_hierarchies(host.root(), host.mountinfo());
  REQUIRE_FALSE(found);
  CHECK_THAT(found.error().what(), Catch::Contains("no cgroup hierarchy is mounted at"));
  // The real mountinfo names /sys/fs/cgroup, not the fake root.
  CHECK_FALSE(discover_hierarchies(host.root(), "/proc/self/mountinfo"));
  CHECK_FALSE(detect_layout(host.root(), host.root() / "no-such-mountinfo"));
}

TEST_CASE("detect_layout on this machine agrees with statfs", "[cgroups][layout]") {
  struct statfs st {};
  REQUIRE(::statfs("/sys/fs/cgroup", &st) == 0);
  auto layout = detect_layout("/sys/fs/cgroup");
  REQUIRE(layout);
  CHECK((*layout == Layout::v2) == (st.f_type == 0x63677270));
}

TEST_CASE("parse_proc_cgroup and own_cgroup_in", "[cgroups][layout]") {
  auto own = parse_proc_cgroup("9:name=systemd:/\n4:memory:/process_api/abc\n2:cpuacct,cpu:/x\n0::/u:v\n");
  REQUIRE(own.size() == 4);
  CHECK(own[2].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(own[3].controllers.empty());
  CHECK(own[3].path == "/u:v");

  Hierarchy memory{{"memory"}, "/sys/fs/cgroup/memory", "/"};
  CHECK(own_cgroup_in(memory, own) == "/process_api/abc");
  Hierarchy cpu{{"cpu", "cpuacct"}, "/sys/fs/cgroup/cpu,cpuacct", "/"};
  CHECK(own_cgroup_in(cpu, own) == "/x");
  Hierarchy unified{{}, "/sys/fs/cgroup/unified", "/"};
  CHECK(own_cgroup_in(unified, own) == "/u:v");
  // Mounted sub-tree (a container without a cgroup namespace).
  Hierarchy sub{{"memory"}, "/sys/fs/cgroup/memory", "/process_api"};
  CHECK(own_cgroup_in(sub, own) == "/abc");
  Hierarchy exact{{"memory"}, "/sys/fs/cgroup/memory", "/process_api/abc"};
  CHECK(own_cgroup_in(exact, own) == "/");
  Hierarchy elsewhere{{"memory"}, "/sys/fs/cgroup/memory", "/process"};
  CHECK_FALSE(own_cgroup_in(elsewhere, own));
  Hierarchy pids{{"pids"}, "/sys/fs/cgroup/pids", "/"};
  auto missing = own_cgroup_in(pids, own);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().what(), Catch::Contains("pids hierarchy"));
}
