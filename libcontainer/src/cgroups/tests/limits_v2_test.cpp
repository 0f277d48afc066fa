// linux.resources -> cgroup v2 files, on a fake pure-v2 tree; conversions,
// update merging and subtree_control.
#include <catch2/catch.hpp>

#include "cgroups/cpu_weight.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/subtree_control.hpp"
#include "fake_host.hpp"
#include "limits_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

constexpr const char* kControllers = "cpuset cpu io memory hugetlb pids rdma";

// A pure v2 host whose root already gives children every controller, and a
// container dir c1 with the files the kernel makes in it.
struct V2Host : FakeHost {
  V2Host() {
    add_cgroup2("");
    put(root() / "cgroup.controllers", kControllers);
    put(root() / "cgroup.subtree_control", kControllers);
    put(root() / "cpuset.cpus.effective", "0-1");
    put(root() / "cpuset.mems.effective", "0");
    manager = make_manager(config("c1", "/c1"));
    REQUIRE(manager->create());
    for (auto [file, text] : std::initializer_list<std::pair<const char*, const char*>>{
             {"cgroup.controllers", kControllers}, {"memory.max", "max"}, {"memory.swap.max", "max"},
             {"memory.low", "0"}, {"memory.current", "8388608"}, {"cpu.weight", "100"}, {"cpu.max", "max 100000"},
             {"cpu.max.burst", "0"}, {"cpu.idle", "0"}, {"cpuset.cpus", ""}, {"cpuset.mems", ""},
             {"pids.max", "max"}, {"io.weight", "default 100"}, {"io.max", ""}, {"hugetlb.2MB.max", "max"},
             {"hugetlb.2MB.rsvd.max", "max"}, {"rdma.max", ""}, {"memory.high", "max"}})
      put(dir() / file, text);
  }
  fs::path dir() const { return root() / "c1"; }
  std::unique_ptr<CgroupManager> manager;
};

}  // namespace

TEST_CASE("shares and blkio weights convert as runc 1.1 and crun do", "[cgroups][limits]") {
  CHECK(cpu_shares_to_weight(0) == 0);
  CHECK(cpu_shares_to_weight(2) == 1);
  CHECK(cpu_shares_to_weight(512) == 20);
  CHECK(cpu_shares_to_weight(1024) == 39);
  CHECK(cpu_shares_to_weight(262144) == 10000);
  CHECK(blkio_weight_to_io_weight(10) == 1);
  CHECK(blkio_weight_to_io_weight(300) == 2930);
  CHECK(blkio_weight_to_io_weight(1000) == 10000);
}

TEST_CASE("v2: every resource lands in its file", "[cgroups][limits][v2]") {
  V2Host host;
  REQUIRE(apply(*host.manager, parse(R"({
      "memory": {"limit": 33554432, "reservation": 16777216, "swap": 67108864},
      "cpu": {"shares": 512, "quota": 50000, "burst": 1000, "cpus": "1", "mems": "0", "idle": 0},
      "pids": {"limit": 50},
      "blockIO": {"weight": 300, "throttleReadBpsDevice": [{"major": 7, "minor": 0, "rate": 1048576}],
                  "throttleWriteIOPSDevice": [{"major": 7, "minor": 0, "rate": 0}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
      "rdma": {"mlx5_1": {"hcaObjects": 100}},
      "unified": {"memory.high": "30000000"}})")));
  const auto d = host.dir();
  CHECK(get(d / "memory.max") == "33554432");
  CHECK(get(d / "memory.swap.max") == "33554432");  // swap - limit
  CHECK(get(d / "memory.low") == "16777216");
  CHECK(get(d / "cpu.weight") == "20");
  CHECK(get(d / "cpu.max") == "50000 100000");  // runc's default period
  CHECK(get(d / "cpu.max.burst") == "1000");
  CHECK(get(d / "cpu.idle") == "0");
  CHECK(get(d / "cpuset.cpus") == "1");
  CHECK(get(d / "cpuset.mems") == "0");
  CHECK(get(d / "pids.max") == "50");
  CHECK(get(d / "io.weight") == "2930");  // no BFQ: converted
  CHECK(get(d / "io.max") == "7:0 wiops=max");  // last write; rate 0 lifts the limit
  CHECK(get(d / "hugetlb.2MB.max") == "4194304");
  CHECK(get(d / "hugetlb.2MB.rsvd.max") == "4194304");
  CHECK(get(d / "rdma.max") == "mlx5_1 hca_object=100");
  CHECK(get(d / "memory.high") == "30000000");
}

TEST_CASE("v2: BFQ takes the weights when present, per device when it can", "[cgroups][limits][v2]") {
  V2Host host;
  put(host.dir() / "io.bfq.weight", "default 100");
  REQUIRE(apply(*host.manager,
                parse(R"({"blockIO": {"weight": 300, "weightDevice": [{"major": 7, "minor": 0, "weight": 200}]}})")));
  CHECK(get(host.dir() / "io.bfq.weight") == "7:0 200");
  CHECK(get(host.dir() / "io.weight") == "default 100");
}

TEST_CASE("v2: unlimited memory lifts swap; equal swap and limit forbid swap", "[cgroups][limits][v2]") {
  V2Host host;
  REQUIRE(apply(*host.manager, parse(R"({"memory": {"limit": 1048576, "swap": 1048576}})")));
  CHECK(get(host.dir() / "memory.swap.max") == "0");
  REQUIRE(apply(*host.manager, parse(R"({"memory": {"limit": -1}})")));
  CHECK(get(host.dir() / "memory.max") == "max");
  CHECK(get(host.dir() / "memory.swap.max") == "max");
}

TEST_CASE("v2: what cgroup v2 has no file for is refused, naming the field", "[cgroups][limits][v2]") {
  V2Host host;
  auto refused = [&](const char* json) {
    const auto r = parse(json);
    auto c = host.manager->check({r, r});
    REQUIRE_FALSE(c);
    return c.error().what();
  };
  CHECK_THAT(refused(R"({"memory": {"swappiness": 10}})"),
             Catch::StartsWith("linux.resources.memory.swappiness: cannot be applied on cgroup v2"));
  CHECK_THAT(refused(R"({"memory": {"disableOOMKiller": true}})"), Catch::StartsWith("linux.resources.memory.disableOOMKiller"));
  CHECK_THAT(refused(R"({"cpu": {"realtimeRuntime": 1000}})"), Catch::StartsWith("linux.resources.cpu.realtimeRuntime"));
  CHECK_THAT(refused(R"({"blockIO": {"leafWeight": 100}})"), Catch::StartsWith("linux.resources.blockIO.leafWeight"));
  CHECK_THAT(refused(R"({"network": {"classID": 7}})"), Catch::StartsWith("linux.resources.network.classID"));
  CHECK(refused(R"({"unified": {"foo.bar": "1"}})") ==
        "linux.resources.unified[\"foo.bar\"]: unified resource \"foo.bar\" can't be set: controller \"foo\" not available");
  CHECK_THAT(refused(R"({"cpu": {"cpus": "3"}})"), Catch::StartsWith("linux.resources.cpu.cpus: CPU 3 is not available"));
  put(host.root() / "cgroup.controllers", "memory");  // what the parent can give
  CHECK(refused(R"({"pids": {"limit": 3}})") ==
        fmt::format("linux.resources.pids: the pids controller is not available to \"{}\"", host.dir().native()));
  // These are fine: nothing to write, or what v2 always does.
  const auto ok = parse(R"({"memory": {"disableOOMKiller": false, "useHierarchy": true}})");
  CHECK(host.manager->check({ok, ok}));
}

TEST_CASE("v2: an unknown unified file fails before any write", "[cgroups][limits][v2]") {
  V2Host host;
  const auto r = parse(R"({"unified": {"memory.high": "1", "memory.nope": "2"}})");
  auto set = host.manager->set({r, r});
  REQUIRE_FALSE(set);
  CHECK_THAT(set.error().what(), Catch::StartsWith("linux.resources.unified[\"memory.nope\"]: unable to set unified "
                                                   "resource \"memory.nope\": no file"));
  CHECK(get(host.dir() / "memory.high") == "max");
}

TEST_CASE("update: merged over the recorded limits; cpu.max and swap keep their partner", "[cgroups][limits][v2]") {
  V2Host host;
  const auto created = parse(R"({"memory": {"limit": 33554432, "swap": 67108864}, "cpu": {"quota": 20000,
                                 "period": 50000}, "pids": {"limit": 10}})");
  REQUIRE(apply(*host.manager, created));
  auto update = [&](const oci::Resources& before, const char* json) {
    const auto change = parse(json);
    const auto after = merge_resources(before, change);
    REQUIRE(host.manager->check({change, after, true}));
    REQUIRE(host.manager->set({change, after, true}));
    return after;
  };
  auto now = update(created, R"({"cpu": {"quota": 30000}})");
  CHECK(get(host.dir() / "cpu.max") == "30000 50000");
  now = update(now, R"({"cpu": {"period": 60000}, "pids": {"limit": 0}})");
  CHECK(get(host.dir() / "cpu.max") == "30000 60000");
  CHECK(now.pids->limit == 10);  // 0 is "not given"
  now = update(now, R"({"memory": {"limit": 16777216}})");
  CHECK(get(host.dir() / "memory.max") == "16777216");
  CHECK(get(host.dir() / "memory.swap.max") == "50331648");  // memory+swap stays 64M
  now = update(now, R"({"memory": {"swap": 50331648}})");
  CHECK(get(host.dir() / "memory.swap.max") == "33554432");
  CHECK(now.memory->limit == 16777216);
  CHECK(now.memory->swap == 50331648);

  const auto too_big = parse(R"({"memory": {"limit": 100000000}})");
  auto refused = host.manager->check({too_big, merge_resources(now, too_big), true});
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().what(), Catch::Contains("memory+swap limit should be >= memory limit"));
}

TEST_CASE("update: checkBeforeUpdate refuses a limit below the usage", "[cgroups][limits][v2]") {
  V2Host host;
  const auto before = parse(R"({"memory": {"limit": 33554432, "checkBeforeUpdate": true}})");
  const auto change = parse(R"({"memory": {"limit": 4194304}})");
  const auto after = merge_resources(before, change);
  auto set = host.manager->set({change, after, true});
  REQUIRE_FALSE(set);
  CHECK(set.error().what() == "linux.resources.memory.limit: rejecting memory limit 4194304 below usage 8388608");
  CHECK(get(host.dir() / "memory.max") == "max");
  REQUIRE(host.manager->set({change, after}));  // at create there is no usage to protect
}

TEST_CASE("merge: keyed entries replace by key, devices when given", "[cgroups][limits]") {
  const auto base = parse(R"({"devices": [{"allow": false, "access": "rwm"}],
      "blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1}, {"major": 8, "minor": 16, "rate": 2}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 1}], "unified": {"a.b": "1"}})");
  const auto change = parse(R"({"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 16, "rate": 5}]},
      "hugepageLimits": [{"pageSize": "1GB", "limit": 3}], "unified": {"a.b": "2", "c.d": "3"}})");
  const auto m = merge_resources(base, change);
  CHECK(m.devices == base.devices);
  REQUIRE(m.block_io->throttle_read_bps_device.size() == 2);
  CHECK(m.block_io->throttle_read_bps_device[1].rate == 5);
  CHECK(m.hugepage_limits.size() == 2);
  CHECK(m.unified == oci::StringMap{{"a.b", "2"}, {"c.d", "3"}});
}

TEST_CASE("subtree_control: create enables every controller top-down, skipping what is on", "[cgroups][limits][v2]") {
  FakeHost host;
  host.add_cgroup2("");
  put(host.root() / "cgroup.controllers", "cpu memory pids");
  put(host.root() / "cgroup.subtree_control", "memory");
  put(host.root() / "pod/cgroup.controllers", "cpu memory pids");
  put(host.root() / "pod/cgroup.subtree_control", "cpu memory pids");
  auto m = make_manager(host.config("c1", "/pod/c1"));
  REQUIRE(m->create());
  CHECK(get(host.root() / "cgroup.subtree_control") == "+cpu +pids");
  CHECK(get(host.root() / "pod/cgroup.subtree_control") == "cpu memory pids");
  CHECK(available_controllers(host.root() / "pod/c1/not-made") == std::vector<std::string>{"cpu", "memory", "pids"});
  put(host.root() / "pod/cgroup.controllers", "pids");
  CHECK(available_controllers(host.root() / "pod/c1") == std::vector<std::string>{"pids"});
}
