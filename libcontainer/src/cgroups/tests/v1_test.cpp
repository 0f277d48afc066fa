// The v1 manager (v1 and hybrid hosts) on a fake tree in a temp dir.
#include <csignal>

#include <catch2/catch.hpp>

#include "cgroups/freezer.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/v1.hpp"
#include "child.hpp"
#include "fake_host.hpp"
#include "nucleus/log.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

std::unique_ptr<CgroupManager> make(const CgroupConfig& c) {
  auto m = make_cgroup_manager(c);
  if (!m) FAIL(m.error().what());
  return std::move(*m);
}

// What the kernel puts in every new cgroup dir.
void add_kernel_files(const std::map<std::string, std::string>& paths) {
  for (const auto& [ctrl, dir] : paths) {
    put(fs::path(dir) / "cgroup.procs", "");
    if (ctrl == "freezer") put(fs::path(dir) / "freezer.state", "THAWED\n");
  }
}

}  // namespace

TEST_CASE("v1: create makes the dir in every hierarchy, co-mounts once", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("cpu,cpuacct", "rw,cpu,cpuacct");
  host.add_v1("memory", "rw,memory");
  host.add_v1("systemd", "rw,name=systemd");
  auto m = make(host.config("c1", "/nucleus/c1"));
  REQUIRE(m->create());
  auto r = host.root();
  std::map<std::string, std::string> want = {
      {"cpu", (r / "cpu,cpuacct/nucleus/c1").native()},
      {"cpuacct", (r / "cpu,cpuacct/nucleus/c1").native()},
      {"memory", (r / "memory/nucleus/c1").native()},
      {"name=systemd", (r / "systemd/nucleus/c1").native()},
  };
  CHECK(m->paths() == want);
  for (const auto& [ctrl, dir] : want) CHECK(fs::is_directory(dir));
  CHECK_FALSE(m->clone_into_fd());
  REQUIRE(m->create());  // again: existing dirs are fine
}

TEST_CASE("hybrid: the default path is <id> below the runtime's own cgroup, cgroup2 included",
          "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  host.set_own_cgroup(
      "9:name=systemd:/\n8:pids:/\n6:freezer:/\n4:memory:/process_api/abc\n3:cpuset:/\n"
      "1:cpu,cpuacct:/\n0::/\n");
  auto m = make(host.config("c1"));
  REQUIRE(m->create());
  auto paths = m->paths();
  CHECK(paths.size() == 8);  // cpu, cpuacct, cpuset, memory, freezer, pids, name=systemd, ""
  CHECK(paths.at("memory") == (host.root() / "memory/process_api/abc/c1").native());
  CHECK(paths.at("pids") == (host.root() / "pids/c1").native());
  CHECK(paths.at("") == (host.root() / "unified/c1").native());
  for (const auto& [ctrl, dir] : paths) CHECK(fs::is_directory(dir));
}

TEST_CASE("v1: a new cpuset cgroup gets cpus and mems from its ancestors", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("cpuset", "rw,cpuset");
  put(host.root() / "cpuset/cpuset.cpus", "0-3\n");
  put(host.root() / "cpuset/cpuset.mems", "0\n");
  // An existing intermediate cgroup with its own narrower cpus.
  put(host.root() / "cpuset/pod/cpuset.cpus", "1\n");
  put(host.root() / "cpuset/pod/cpuset.mems", "\n");
  // The empty files the kernel puts in each new cpuset cgroup.
  for (auto dir : {"cpuset/pod/mid", "cpuset/pod/mid/c1"}) {
    put(host.root() / dir / "cpuset.cpus", "");
    put(host.root() / dir / "cpuset.mems", "");
  }
  auto m = make(host.config("c1", "/pod/mid/c1"));
  auto created = m->create();
  INFO((created ? "" : created.error().what()));
  REQUIRE(created);
  auto pod = host.root() / "cpuset/pod";
  CHECK(get(pod / "cpuset.cpus") == "1");  // not overwritten
  CHECK(get(pod / "cpuset.mems") == "0");  // was empty: filled
  CHECK(get(pod / "mid/cpuset.cpus") == "1");
  CHECK(get(pod / "mid/cpuset.mems") == "0");
  CHECK(get(pod / "mid/c1/cpuset.cpus") == "1");
  CHECK(get(pod / "mid/c1/cpuset.mems") == "0");
  // Nothing is written above the mount point.
  CHECK_FALSE(fs::exists(host.root() / "cpuset.cpus"));
}

TEST_CASE("v1: apply writes the pid to cgroup.procs of every hierarchy", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_kernel_files(m->paths());
  REQUIRE(m->apply(4242));
  for (const auto& [ctrl, dir] : m->paths()) CHECK(get(fs::path(dir) / "cgroup.procs") == "4242");
}

TEST_CASE("v1: apply to a cgroup that was not created names the file", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  auto m = make(host.config("c1", "/c1"));
  auto r = m->apply(7);
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == ENOENT);
  CHECK(r.error().what() == fmt::format("write \"7\" to \"{}\": no such file or directory",
                                        (host.root() / "pids/c1/cgroup.procs").native()));
}

TEST_CASE("v1: pids() reads cgroup.procs of the cgroup and its children", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto freezer = host.root() / "freezer/c1";
  put(freezer / "cgroup.procs", "30\n10\n");
  put(freezer / "sub/cgroup.procs", "20\n10\n");
  put(freezer / "sub/deeper/cgroup.procs", "40\n");
  put(host.root() / "pids/c1/cgroup.procs", "99\n");  // the freezer's list is the one read
  auto pids = m->pids();
  REQUIRE(pids);
  CHECK(*pids == std::vector<pid_t>{10, 20, 30, 40});
  put(freezer / "cgroup.procs", "12x\n");
  CHECK_FALSE(m->pids());
}

TEST_CASE("v1: pids() of a removed cgroup is empty", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("freezer", "rw,freezer");
  auto m = make(host.config("c1", "/c1"));
  auto pids = m->pids();
  REQUIRE(pids);
  CHECK(pids->empty());
}

TEST_CASE("v1: freeze and thaw write freezer.state", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_kernel_files(m->paths());
  auto state = host.root() / "freezer/c1/freezer.state";
  CHECK(m->frozen() == false);
  REQUIRE(m->freeze());
  CHECK(get(state) == "FROZEN");
  CHECK(m->frozen() == true);
  CHECK_FALSE(fs::exists(host.root() / "unified/c1/cgroup.freeze"));
  REQUIRE(m->thaw());
  CHECK(get(state) == "THAWED");
  CHECK(m->frozen() == false);
  put(state, "FREEZING\n");  // a freeze under way, ours (no self_freezing file here)
  CHECK(m->frozen() == true);
}

TEST_CASE("hybrid without a v1 freezer freezes through cgroup2's cgroup.freeze", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  host.add_cgroup2("unified");
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto dir = host.root() / "unified/c1";
  put(dir / "cgroup.freeze", "0\n");
  put(dir / "cgroup.events", "populated 1\nfrozen 1\n");
  REQUIRE(m->freeze());
  CHECK(get(dir / "cgroup.freeze") == "1");
  CHECK(m->frozen() == true);
  REQUIRE(m->thaw());
  CHECK(get(dir / "cgroup.freeze") == "0");
}

TEST_CASE("v1 without any freezer: freeze fails, frozen() is false", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto r = m->freeze();
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("no freezer"));
  CHECK(m->frozen() == false);
}

TEST_CASE("v1: kill_all freezes, signals every listed process, thaws", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_kernel_files(m->paths());
  SleepingChild a, b;
  put(host.root() / "freezer/c1/cgroup.procs", fmt::format("{}\n", a.pid()));
  put(host.root() / "freezer/c1/sub/cgroup.procs", fmt::format("{}\n", b.pid()));
  REQUIRE(m->kill_all(SIGKILL));
  CHECK(a.killed_by() == SIGKILL);
  CHECK(b.killed_by() == SIGKILL);
  CHECK(get(host.root() / "freezer/c1/freezer.state") == "THAWED");
}

TEST_CASE("v1: kill_all of a paused container thaws it, whatever the signal (runc)", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("freezer", "rw,freezer");
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  add_kernel_files(m->paths());
  auto state = host.root() / "freezer/c1/freezer.state";
  REQUIRE(m->freeze());
  SleepingChild a;
  put(host.root() / "freezer/c1/cgroup.procs", fmt::format("{}\n0\n-1\n", a.pid()));  // 0/-1: never kill(2)ed
  REQUIRE(m->kill_all(SIGTERM));
  CHECK(a.killed_by() == SIGTERM);
  CHECK(get(state) == "THAWED");  // runc 1.1: `kill --all` lets a paused container act on the signal
}

TEST_CASE("v1: destroy removes every dir and child cgroups; missing is fine", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto m = make(host.config("c1", "/nucleus/c1"));
  REQUIRE(m->create());
  fs::create_directories(host.root() / "memory/nucleus/c1/child/grandchild");
  fs::remove(host.root() / "cpuset/nucleus/c1/cpuset.cpus");  // plain files stand in for
  fs::remove(host.root() / "cpuset/nucleus/c1/cpuset.mems");  // kernel ones; rmdir needs them gone
  REQUIRE(m->destroy());
  for (const auto& [ctrl, dir] : m->paths()) CHECK_FALSE(fs::exists(dir));
  CHECK(fs::is_directory(host.root() / "memory/nucleus"));  // parents stay, like runc
  REQUIRE(m->destroy());
}

TEST_CASE("v1: destroy does not delete what is not a cgroup, and says where", "[cgroups][v1]") {
  FakeHost host;
  host.add_v1("pids", "rw,pids");
  host.add_v1("memory", "rw,memory");
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  put(host.root() / "pids/c1/stray", "x");
  auto r = m->destroy();
  REQUIRE_FALSE(r);
  CHECK(r.error().what() ==
        fmt::format("remove cgroup \"{}\": directory not empty", (host.root() / "pids/c1").native()));
  CHECK(fs::exists(host.root() / "pids/c1/stray"));
  CHECK_FALSE(fs::exists(host.root() / "memory/c1"));  // the others are still removed
}

TEST_CASE("v1: open_cgroup_manager from stored paths acts on the same dirs", "[cgroups][v1]") {
  FakeHost host;
  host.add_debian_hybrid();
  auto created = make(host.config("c1", "/c1"));
  REQUIRE(created->create());
  add_kernel_files(created->paths());
  auto opened = open_cgroup_manager(created->paths(), CgroupDriver::cgroupfs);
  REQUIRE(opened);
  CHECK((*opened)->paths() == created->paths());
  REQUIRE((*opened)->freeze());
  CHECK(created->frozen() == true);
  REQUIRE((*opened)->apply(77));
  CHECK(get(host.root() / "cpu,cpuacct/c1/cgroup.procs") == "77");
  CHECK(get(host.root() / "unified/c1/cgroup.procs") == "77");
  CHECK((*opened)->pids() == std::vector<pid_t>{77});
  CHECK_FALSE((*opened)->clone_into_fd());
}
