// The systemd driver's manager on a fake host, with a fake systemd that
// records the calls and makes the unit's cgroup as systemd would.
#include <catch2/catch.hpp>

#include "cgroups/systemd.hpp"
#include "cgroups/v2.hpp"
#include "fake_host.hpp"
#include "limits_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

constexpr const char* kControllers = "cpuset cpu io memory pids";

struct Recorded {
  std::vector<std::string> calls;  // "start u", "stop u", "set u"
  std::vector<UnitProperties> properties;
  int connects = 0;
};

class FakeUnits final : public UnitControl {
 public:
  FakeUnits(Recorded& r, fs::path made_dir) : r_(r), made_dir_(std::move(made_dir)) {}
  Result<void> start_unit(const std::string& unit, const UnitProperties& p) override {
    r_.calls.push_back("start " + unit);
    r_.properties.push_back(p);
    // systemd makes the scope's cgroup with the kernel's files.
    for (const char* f : {"cgroup.procs", "memory.max", "pids.max", "cgroup.freeze"}) put(made_dir_ / f, "");
    put(made_dir_ / "cgroup.controllers", kControllers);
    return {};
  }
  Result<void> stop_unit(const std::string& unit) override {
    r_.calls.push_back("stop " + unit);
    fs::remove_all(made_dir_);  // systemd removes a stopped scope's cgroup
    return {};
  }
  Result<void> set_unit_properties(const std::string& unit, const UnitProperties& p) override {
    r_.calls.push_back("set " + unit);
    r_.properties.push_back(p);
    return {};
  }
  int version() override { return 252; }

 private:
  Recorded& r_;
  fs::path made_dir_;
};

struct SystemdV2Host : FakeHost {
  SystemdV2Host() {
    add_cgroup2("");
    put(root() / "cgroup.controllers", kControllers);
    put(root() / "cgroup.subtree_control", kControllers);
    put(root() / "system.slice/cgroup.controllers", kControllers);
    put(root() / "system.slice/cgroup.subtree_control", kControllers);
    fs::create_directories(marker());
  }
  fs::path marker() const { return root().parent_path() / "run-systemd-system"; }
  fs::path scope() const { return root() / "system.slice/nucleus-c1.scope"; }
  UnitConnector connector(fs::path unit_dir = {}) {
    if (unit_dir.empty()) unit_dir = scope();
    return [this, unit_dir]() -> Result<std::unique_ptr<UnitControl>> {
      ++recorded.connects;
      return std::make_unique<FakeUnits>(recorded, unit_dir);
    };
  }
  std::unique_ptr<CgroupManager> make(const std::string& cgroups_path = "system.slice:nucleus:c1") {
    CgroupConfig c = config("c1", cgroups_path);
    c.driver = CgroupDriver::systemd;
    auto m = make_systemd_manager(c, marker(), connector());
    if (!m) FAIL(m.error().what());
    return std::move(*m);
  }
  Recorded recorded;
};

const UnitValue* find(const UnitProperties& props, std::string_view name) {
  for (const auto& p : props) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("systemd manager: the limits wait for the unit, which starts with the init", "[cgroups][systemd]") {
  SystemdV2Host host;
  auto m = host.make();
  CHECK(m->paths() == std::map<std::string, std::string>{{"", host.scope().native()}});
  const auto limits = parse(R"({"memory": {"limit": 33554432}, "pids": {"limit": 20}})");
  REQUIRE(m->check({limits, limits}));
  REQUIRE(m->create());
  REQUIRE(m->set({limits, limits}));
  // Nothing exists yet, and systemd was not asked anything.
  CHECK_FALSE(fs::exists(host.scope()));
  CHECK(host.recorded.connects == 0);
  CHECK_FALSE(m->clone_into_fd());

  REQUIRE(m->apply(4242));
  REQUIRE(host.recorded.calls == std::vector<std::string>{"start nucleus-c1.scope"});
  const UnitProperties& props = host.recorded.properties[0];
  CHECK(std::get<std::vector<std::uint32_t>>(*find(props, "PIDs")) == std::vector<std::uint32_t>{4242});
  CHECK(std::get<std::string>(*find(props, "Slice")) == "system.slice");
  CHECK(std::get<std::uint64_t>(*find(props, "MemoryMax")) == 33554432);
  CHECK(std::get<std::uint64_t>(*find(props, "TasksMax")) == 20);
  // Then the files, as with the cgroupfs driver.
  CHECK(get(host.scope() / "memory.max") == "33554432");
  CHECK(get(host.scope() / "pids.max") == "20");
  CHECK(get(host.scope() / "cgroup.procs") == "4242");

  // An update: the unit's properties, then the files.
  const auto update = parse(R"({"pids": {"limit": 30}})");
  REQUIRE(m->set({update, update, true}));
  CHECK(host.recorded.calls.back() == "set nucleus-c1.scope");
  CHECK(std::get<std::uint64_t>(*find(host.recorded.properties.back(), "TasksMax")) == 30);
  CHECK(get(host.scope() / "pids.max") == "30");

  REQUIRE(m->destroy());
  CHECK(host.recorded.calls.back() == "stop nucleus-c1.scope");
  CHECK_FALSE(fs::exists(host.scope()));
  CHECK(host.recorded.connects == 1);
}

TEST_CASE("systemd manager: a create that fails before the unit starts stops nothing", "[cgroups][systemd]") {
  SystemdV2Host host;
  auto m = host.make();
  REQUIRE(m->destroy());
  CHECK(host.recorded.calls.empty());
  CHECK(host.recorded.connects == 0);
}

TEST_CASE("systemd manager: reopened from its paths, it names the unit by its dir", "[cgroups][systemd]") {
  SystemdV2Host host;
  auto m = host.make("kubepods-besteffort.slice:cri-containerd:abc");
  auto paths = m->paths();
  const auto dir = host.root() / "kubepods.slice/kubepods-besteffort.slice/cri-containerd-abc.scope";
  CHECK(paths == std::map<std::string, std::string>{{"", dir.native()}});
  put(dir / "cgroup.procs", "77\n");

  auto reopened =
      open_systemd_manager(paths, std::make_unique<V2Manager>(dir), host.marker(), host.connector(dir));
  REQUIRE(reopened);
  // ps, kill, pause go to the files: systemd is not asked.
  CHECK((*reopened)->pids().value() == std::vector<pid_t>{77});
  CHECK(host.recorded.connects == 0);
  REQUIRE((*reopened)->destroy());
  CHECK(host.recorded.calls == std::vector<std::string>{"stop cri-containerd-abc.scope"});
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("systemd manager: runc's errors, the path's first", "[cgroups][systemd]") {
  SystemdV2Host host;
  CgroupConfig c = host.config("c1", "/a/b");
  c.driver = CgroupDriver::systemd;
  const fs::path no_marker = host.root().parent_path() / "nothing-here";
  auto bad = make_systemd_manager(c, no_marker, host.connector());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() ==
        "linux.cgroupsPath: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, "
        "got \"/a/b\" instead");
  c.cgroups_path = "system.slice:nucleus:c1";
  auto none = make_systemd_manager(c, no_marker, host.connector());
  REQUIRE_FALSE(none);
  CHECK(none.error().what() == "systemd not running on this host, cannot use systemd cgroups manager");
  CHECK(open_systemd_manager({{"", "/sys/fs/cgroup/x.scope"}}, std::make_unique<V2Manager>("/sys/fs/cgroup/x.scope"),
                             no_marker, host.connector())
            .error()
            .what() == "systemd not running on this host, cannot use systemd cgroups manager");
  c.cgroups_path = "bad-.slice:nucleus:c1";
  auto slice = make_systemd_manager(c, host.marker(), host.connector());
  REQUIRE_FALSE(slice);
  CHECK(slice.error().what() == "linux.cgroupsPath: invalid slice name: bad-.slice");
}

TEST_CASE("systemd manager: on v1 the unit is below the cgroup of systemd, less init.scope", "[cgroups][systemd]") {
  FakeHost host;
  host.add_debian_hybrid();
  fs::create_directories(host.root().parent_path() / "marker");
  const fs::path init = host.root().parent_path() / "proc-1-cgroup";
  put(init, "7:cpu,cpuacct:/init.scope\n6:cpuset:/\n5:memory:/init.scope\n4:freezer:/\n3:pids:/init.scope\n"
            "2:name=systemd:/init.scope\n0::/init.scope\n");
  CgroupConfig c = host.config("c1", "machine.slice:nucleus:c1");
  c.driver = CgroupDriver::systemd;
  c.proc_init_cgroup_path = init.native();
  auto m = make_systemd_manager(c, host.root().parent_path() / "marker", [] {
    return Result<std::unique_ptr<UnitControl>>(fail("not used"));
  });
  REQUIRE(m);
  const auto r = host.root();
  const std::string unit = "machine.slice/nucleus-c1.scope";
  CHECK((*m)->paths() == std::map<std::string, std::string>{
                             {"cpu", (r / "cpu,cpuacct" / unit).native()},
                             {"cpuacct", (r / "cpu,cpuacct" / unit).native()},
                             {"cpuset", (r / "cpuset" / unit).native()},
                             {"memory", (r / "memory" / unit).native()},
                             {"freezer", (r / "freezer" / unit).native()},
                             {"pids", (r / "pids" / unit).native()},
                             {"name=systemd", (r / "systemd" / unit).native()},
                             {"", (r / "unified" / unit).native()}});
  // Without systemd to start the unit, apply fails and leaves no dir.
  auto applied = (*m)->apply(1);
  REQUIRE_FALSE(applied);
  CHECK(applied.error().what() == "not used");
  CHECK_FALSE(fs::exists(r / "memory" / unit));
}
