// linux.resources -> v1 (and hybrid) controller files, on a fake tree.
#include <catch2/catch.hpp>

#include "cgroups/manager.hpp"
#include "fake_host.hpp"
#include "limits_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

// The files the kernel puts in a new cgroup of each controller, with their
// default contents.
void add_files(const fs::path& root) {
  for (auto [file, text] : std::initializer_list<std::pair<const char*, const char*>>{
           {"memory/c1/memory.limit_in_bytes", "9223372036854771712"},
           {"memory/c1/memory.memsw.limit_in_bytes", "9223372036854771712"},
           {"memory/c1/memory.soft_limit_in_bytes", "9223372036854771712"},
           {"memory/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0"},
           {"memory/c1/memory.swappiness", "60"},
           {"memory/c1/memory.use_hierarchy", "1"},
           {"memory/c1/memory.usage_in_bytes", "8388608"},
           {"cpu,cpuacct/c1/cpu.shares", "1024"},
           {"cpu,cpuacct/c1/cpu.cfs_quota_us", "-1"},
           {"cpu,cpuacct/c1/cpu.cfs_period_us", "100000"},
           {"cpu,cpuacct/c1/cpu.cfs_burst_us", "0"},
           {"cpu,cpuacct/c1/cpu.rt_period_us", "1000000"},
           {"cpu,cpuacct/c1/cpu.rt_runtime_us", "0"},
           {"cpu,cpuacct/c1/cpu.idle", "0"},
           {"cpuset/cpuset.effective_cpus", "0-3"},
           {"cpuset/cpuset.effective_mems", "0"},
           {"cpuset/c1/cpuset.cpus", "0-3"},
           {"cpuset/c1/cpuset.mems", "0"},
           {"pids/c1/pids.max", "max"},
           {"blkio/c1/blkio.bfq.weight", "100"},
           {"blkio/c1/blkio.bfq.weight_device", "default 100"},
           {"blkio/c1/blkio.throttle.read_bps_device", ""},
           {"blkio/c1/blkio.throttle.write_bps_device", ""},
           {"blkio/c1/blkio.throttle.read_iops_device", ""},
           {"blkio/c1/blkio.throttle.write_iops_device", ""},
           {"hugetlb/c1/hugetlb.2MB.limit_in_bytes", "9223372036854771712"},
           {"hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes", "9223372036854771712"},
           {"net_cls,net_prio/c1/net_cls.classid", "0"},
           {"net_cls,net_prio/c1/net_prio.ifpriomap", "lo 0"},
           {"rdma/c1/rdma.max", ""}})
    put(root / file, text);
}

struct V1Host : FakeHost {
  V1Host() {
    for (auto c : {"cpu,cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb", "net_cls,net_prio", "rdma"})
      add_v1(c, std::string("rw,") + c);
  }
};

}  // namespace

TEST_CASE("v1: every resource lands in its controller's files", "[cgroups][limits][v1]") {
  V1Host host;
  auto m = make_manager(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_files(host.root());
  auto r = apply(*m, parse(R"({
      "memory": {"limit": 33554432, "reservation": 16777216, "swap": 67108864, "swappiness": 10,
                 "disableOOMKiller": true, "useHierarchy": true},
      "cpu": {"shares": 512, "quota": 50000, "period": 200000, "burst": 1000, "realtimeRuntime": 1000,
              "realtimePeriod": 500000, "cpus": "1-2", "mems": "0"},
      "pids": {"limit": 50},
      "blockIO": {"weight": 300, "weightDevice": [{"major": 254, "minor": 0, "weight": 200}],
                  "throttleReadBpsDevice": [{"major": 254, "minor": 0, "rate": 1048576}],
                  "throttleWriteIOPSDevice": [{"major": 254, "minor": 0, "rate": 200}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
      "network": {"classID": 1048577, "priorities": [{"name": "lo", "priority": 5}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 100}}})"));
  REQUIRE(r);
  const auto root = host.root();
  CHECK(get(root / "memory/c1/memory.limit_in_bytes") == "33554432");
  CHECK(get(root / "memory/c1/memory.memsw.limit_in_bytes") == "67108864");
  CHECK(get(root / "memory/c1/memory.soft_limit_in_bytes") == "16777216");
  CHECK(get(root / "memory/c1/memory.oom_control") == "1");
  CHECK(get(root / "memory/c1/memory.swappiness") == "10");
  CHECK(get(root / "memory/c1/memory.use_hierarchy") == "1");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.shares") == "512");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.cfs_quota_us") == "50000");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.cfs_period_us") == "200000");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.cfs_burst_us") == "1000");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.rt_period_us") == "500000");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.rt_runtime_us") == "1000");
  CHECK(get(root / "cpu,cpuacct/c1/cpu.idle") == "0");  // not asked for
  CHECK(get(root / "cpuset/c1/cpuset.cpus") == "1-2");
  CHECK(get(root / "pids/c1/pids.max") == "50");
  CHECK(get(root / "blkio/c1/blkio.bfq.weight") == "300");  // no CFQ blkio.weight: BFQ's, as runc
  CHECK(get(root / "blkio/c1/blkio.bfq.weight_device") == "254:0 200");
  CHECK(get(root / "blkio/c1/blkio.throttle.read_bps_device") == "254:0 1048576");
  CHECK(get(root / "blkio/c1/blkio.throttle.write_iops_device") == "254:0 200");
  CHECK(get(root / "hugetlb/c1/hugetlb.2MB.limit_in_bytes") == "4194304");
  CHECK(get(root / "hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes") == "4194304");
  CHECK(get(root / "net_cls,net_prio/c1/net_cls.classid") == "1048577");
  CHECK(get(root / "net_cls,net_prio/c1/net_prio.ifpriomap") == "lo 5");
  CHECK(get(root / "rdma/c1/rdma.max") == "mlx5_1 hca_handle=3 hca_object=100");
}

TEST_CASE("v1: zero values are not written, negative pids is max, -1 memory lifts swap too",
          "[cgroups][limits][v1]") {
  V1Host host;
  auto m = make_manager(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_files(host.root());
  put(host.root() / "memory/c1/memory.memsw.limit_in_bytes", "1000");
  REQUIRE(apply(*m, parse(R"({"memory": {"limit": -1, "reservation": 0}, "cpu": {"shares": 0, "quota": 0},
                            "pids": {"limit": -1}})")));
  CHECK(get(host.root() / "memory/c1/memory.limit_in_bytes") == "-1");
  CHECK(get(host.root() / "memory/c1/memory.memsw.limit_in_bytes") == "-1");
  CHECK(get(host.root() / "memory/c1/memory.soft_limit_in_bytes") == "9223372036854771712");
  CHECK(get(host.root() / "cpu,cpuacct/c1/cpu.shares") == "1024");
  CHECK(get(host.root() / "pids/c1/pids.max") == "max");
  REQUIRE(apply(*m, parse(R"({"pids": {"limit": 0}})")));
  CHECK(get(host.root() / "pids/c1/pids.max") == "max");
}

// memory.memsw.limit_in_bytes is made unwritable (a dir): what was written
// before the swap tells the order.
TEST_CASE("v1: swap is written before a raised limit, after a lowered one", "[cgroups][limits][v1]") {
  V1Host host;
  auto m = make_manager(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_files(host.root());
  const auto memsw = host.root() / "memory/c1/memory.memsw.limit_in_bytes";
  fs::remove(memsw);
  fs::create_directories(memsw);
  const auto limit = host.root() / "memory/c1/memory.limit_in_bytes";
  const auto r = parse(R"({"memory": {"limit": 67108864, "swap": 134217728}})");

  put(limit, "33554432");  // raising: 32M now, swap 128M above it -> swap first
  auto raised = m->set({r, r});
  REQUIRE_FALSE(raised);
  CHECK_THAT(raised.error().what(), Catch::Contains("memory.memsw.limit_in_bytes"));
  CHECK_THAT(raised.error().what(), Catch::StartsWith("linux.resources.memory: write \"134217728\""));
  CHECK(get(limit) == "33554432");

  put(limit, "268435456");  // lowering: 256M now -> the limit first
  REQUIRE_FALSE(m->set({r, r}));
  CHECK(get(limit) == "67108864");
}

TEST_CASE("v1: a failed live update puts back what it wrote", "[cgroups][limits][v1]") {
  V1Host host;
  auto m = make_manager(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_files(host.root());
  fs::remove(host.root() / "pids/c1/pids.max");  // the pids write fails
  const auto r = parse(R"({"memory": {"limit": 1048576, "disableOOMKiller": true}, "pids": {"limit": 9}})");
  auto set = m->set({r, r, true});
  REQUIRE_FALSE(set);
  CHECK_THAT(set.error().what(), Catch::StartsWith("linux.resources.pids: open"));
  CHECK(get(host.root() / "memory/c1/memory.limit_in_bytes") == "9223372036854771712");
  CHECK(get(host.root() / "memory/c1/memory.oom_control") == "0");
}

TEST_CASE("v1: a controller that is not mounted is refused with runc's words", "[cgroups][limits][v1]") {
  FakeHost host;
  host.add_v1("memory", "rw,memory");
  auto m = make_manager(host.config("c1", "/c1"));
  auto check = [&](const char* json) {
    const auto r = parse(json);
    auto c = m->check({r, r});
    REQUIRE_FALSE(c);
    return c.error().what();
  };
  CHECK(check(R"({"network": {"classID": 1}})") ==
        "linux.resources.network.classID: cannot set net_cls limit: container could not join or create cgroup "
        "(no net_cls cgroup hierarchy is mounted)");
  CHECK_THAT(check(R"({"rdma": {"mlx5_1": {"hcaHandles": 1}}})"), Catch::StartsWith("linux.resources.rdma: cannot set rdma limit"));
  CHECK(check(R"({"unified": {"memory.high": "1"}})") ==
        "linux.resources.unified: invalid configuration: cannot use unified on cgroup v1");
  CHECK_THAT(check(R"({"memory": {"limit": 100, "swap": 50}})"),
             Catch::StartsWith("linux.resources.memory.swap: memory+swap limit should be >= memory limit"));
  CHECK_THAT(check(R"({"memory": {"swap": 50}})"),
             Catch::StartsWith("linux.resources.memory.swap: unable to set swap limit without memory limit"));
}

TEST_CASE("v1: cpus and mems must be within the parent's", "[cgroups][limits][v1]") {
  V1Host host;
  auto m = make_manager(host.config("c1", "/c1"));
  add_files(host.root());
  auto r = parse(R"({"cpu": {"cpus": "2-5"}})");
  auto c = m->check({r, r});
  REQUIRE_FALSE(c);
  CHECK_THAT(c.error().what(), Catch::StartsWith("linux.resources.cpu.cpus: CPU 4 is not available to the container"));
  r = parse(R"({"cpu": {"cpus": "0,3", "mems": "1"}})");
  c = m->check({r, r});
  REQUIRE_FALSE(c);
  CHECK_THAT(c.error().what(), Catch::StartsWith("linux.resources.cpu.mems: memory node 1 is not available"));
  r = parse(R"({"cpu": {"cpus": "0,3", "mems": "0"}})");
  CHECK(m->check({r, r}));
}

TEST_CASE("hybrid: hugetlb only in cgroup2 goes there, with the controller enabled", "[cgroups][limits][v1]") {
  FakeHost host;
  host.add_v1("memory", "rw,memory");
  host.add_cgroup2("unified");
  const auto u = host.root() / "unified";
  put(u / "cgroup.controllers", "hugetlb");
  put(u / "cgroup.subtree_control", "");
  auto m = make_manager(host.config("c1", "/c1"));
  REQUIRE(m->create());
  put(u / "c1/cgroup.controllers", "");
  put(u / "c1/hugetlb.2MB.max", "max");
  const auto r = parse(R"({"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
                           "unified": {"hugetlb.2MB.max": "4194304"}})");
  REQUIRE(m->check({r, r}));
  auto set = m->set({r, r});
  // A plain file keeps what was written: "+hugetlb", not the kernel's "hugetlb".
  REQUIRE_FALSE(set);
  CHECK_THAT(set.error().what(), Catch::Contains("the hugetlb controller could not be enabled"));
  CHECK(get(u / "cgroup.subtree_control") == "+hugetlb");
  put(u / "cgroup.subtree_control", "hugetlb");
  REQUIRE(m->set({r, r}));
  CHECK(get(u / "c1/hugetlb.2MB.max") == "4194304");  // unified last, over the typed limit

  const auto bad = parse(R"({"unified": {"memory.high": "1"}})");
  CHECK_THAT(m->check({bad, bad}).error().what(),
             Catch::StartsWith("linux.resources.unified[\"memory.high\"]: invalid configuration: cannot use unified "
                               "on cgroup v1"));
  const auto page = parse(R"({"hugepageLimits": [{"pageSize": "1GB", "limit": 0}]})");
  CHECK_THAT(m->set({page, page}).error().what(),
             Catch::StartsWith("linux.resources.hugepageLimits[0].pageSize: this host has no 1GB huge pages"));
}
