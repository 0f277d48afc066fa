// Device rules into a v1 devices cgroup on a temp dir (the kernel's files are
// plain files here), and the managers' choice of where the rules go.
#include <catch2/catch.hpp>

#include "cgroups/devices.hpp"
#include "cgroups/manager.hpp"
#include "devices_support.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

const std::vector<oci::DeviceRule> kDenyAll = {{false, "", {}, {}, "rwm"}};

// A devices cgroup dir with the kernel's three files.
fs::path devices_dir(const fs::path& dir, const std::string& list) {
  put(dir / "devices.list", list);
  put(dir / "devices.allow", "");
  put(dir / "devices.deny", "");
  return dir;
}

}  // namespace

TEST_CASE("devices v1: a cgroup already in the target state gets no writes", "[cgroups][devices]") {
  TempDir tmp;
  auto dir = devices_dir(tmp.path(), runc_default_list);
  REQUIRE(set_devices_v1(dir, emulate({deny_all()})));
  CHECK(get(dir / "devices.allow") == "");
  CHECK(get(dir / "devices.deny") == "");
}

TEST_CASE("devices v1: writes that devices.list does not show are an error", "[cgroups][devices]") {
  TempDir tmp;
  auto dir = devices_dir(tmp.path(), "a *:* rwm\n");  // a plain file: it never changes
  auto r = set_devices_v1(dir, emulate({deny_all()}));
  REQUIRE_FALSE(r);
  CHECK(r.error().what() ==
        fmt::format("\"{}\" does not show the rules written to it", (dir / "devices.list").native()));
  // The last write to each file: deny-all, then the allows in order.
  CHECK(get(dir / "devices.deny") == "a *:* rwm");
  CHECK(get(dir / "devices.allow") == "c 136:* rwm");
}

TEST_CASE("devices v1: a missing or unreadable devices.list is named", "[cgroups][devices]") {
  TempDir tmp;
  auto missing = set_devices_v1(tmp.path(), emulate({}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().what() ==
        fmt::format("open \"{}\": no such file or directory", (tmp.path() / "devices.list").native()));
  auto dir = devices_dir(tmp.path(), "c 1:3 rwm\nzzz\n");
  auto bad = set_devices_v1(dir, emulate({}));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() ==
        fmt::format("read \"{}\": unexpected devices.list line \"zzz\"", (dir / "devices.list").native()));
  CHECK(get(dir / "devices.deny") == "");
}

TEST_CASE("devices: a rule list the cgroup cannot express is refused before any write", "[cgroups][devices]") {
  TempDir tmp;
  auto dir = devices_dir(tmp.path(), "a *:* rwm\n");
  std::vector<oci::DeviceRule> rules = {{false, "", {}, {}, "rwm"}, {true, "c", 1, {}, "rw"},
                                        {false, "c", 1, 11, "r"}};
  auto r = set_container_devices(dir, DevicesVia::v1, rules);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() ==
        "linux.resources.devices: rule \"c 1:11 r\" would punch a hole in the wider exception \"c 1:* rw\", "
        "which the devices cgroup cannot do");
  CHECK(get(dir / "devices.deny") == "");
}

TEST_CASE("devices: a runtime in a user namespace leaves the rules alone, as runc", "[cgroups][devices]") {
  TempDir tmp;
  put(tmp.path() / "uid_map", "         0     100000      65536\n");
  CHECK(set_container_devices(tmp.path() / "no-cgroup", DevicesVia::v1, kDenyAll, tmp.path() / "uid_map"));
  // The initial namespace's map: applied (and here it fails, there is no cgroup).
  put(tmp.path() / "uid_map", "         0          0 4294967295\n");
  auto r = set_container_devices(tmp.path() / "no-cgroup", DevicesVia::v1, kDenyAll, tmp.path() / "uid_map");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::StartsWith("apply linux.resources.devices: open \""));
}

TEST_CASE("devices: the v1 manager writes to the devices hierarchy", "[cgroups][devices]") {
  FakeHost host;
  host.add_v1("devices", "rw,devices");
  host.add_v1("pids", "rw,pids");
  host.add_cgroup2("unified");
  auto m = make_cgroup_manager(host.config("c1", "/c1"));
  REQUIRE(m);
  REQUIRE((*m)->create());
  auto dir = devices_dir(host.root() / "devices/c1", "a *:* rwm\n");
  auto r = (*m)->set_devices(kDenyAll);
  REQUIRE_FALSE(r);  // the fake devices.list never changes: the writes happened, and were checked
  CHECK_THAT(r.error().what(), Catch::Contains((dir / "devices.list").native()));
  CHECK(get(dir / "devices.deny") == "a *:* rwm");
  put(dir / "devices.list", runc_default_list);
  CHECK((*m)->set_devices(kDenyAll));
}

TEST_CASE("devices: without a devices hierarchy or cgroup2 the rules are an error", "[cgroups][devices]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  auto m = make_cgroup_manager(host.config("c1", "/c1"));
  REQUIRE(m);
  REQUIRE((*m)->create());
  auto r = (*m)->set_devices({});
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "linux.resources.devices: no devices cgroup hierarchy and no cgroup2 is mounted "
                            "to apply the device rules in");
}
