// The v2 manager on a fake pure-v2 tree in a temp dir.
#include <fcntl.h>
#include <sys/stat.h>

#include <csignal>

#include <catch2/catch.hpp>

#include "cgroups/freezer.hpp"
#include "cgroups/manager.hpp"
#include "child.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

std::unique_ptr<CgroupManager> make(const CgroupConfig& c) {
  auto m = make_cgroup_manager(c);
  if (!m) FAIL(m.error().what());
  return std::move(*m);
}

// A pure v2 host with the runtime in a session scope.
struct V2Host : FakeHost {
  V2Host() {
    add_cgroup2("");
    set_own_cgroup("0::/user.slice/user-0.slice/session-3.scope\n");
  }
};

void add_kernel_files(const fs::path& dir) {
  put(dir / "cgroup.procs", "");
  put(dir / "cgroup.freeze", "0\n");
  put(dir / "cgroup.events", "populated 1\nfrozen 0\n");
}

}  // namespace

TEST_CASE("v2: create makes one dir; relative paths skip the session scope", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1"));
  REQUIRE(m->create());
  auto dir = host.root() / "user.slice/user-0.slice/c1";
  CHECK(m->paths() == std::map<std::string, std::string>{{"", dir.native()}});
  CHECK(fs::is_directory(dir));

  auto abs = make(host.config("c2", "/machine/c2"));
  REQUIRE(abs->create());
  CHECK(abs->paths().at("") == (host.root() / "machine/c2").native());
  CHECK(fs::is_directory(host.root() / "machine/c2"));
}

TEST_CASE("v2: clone_into_fd is the cgroup dir, once it exists", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  CHECK_FALSE(m->clone_into_fd());
  REQUIRE(m->create());
  auto fd = m->clone_into_fd();
  REQUIRE(fd);
  struct stat by_fd {}, by_path {};
  REQUIRE(::fstat(*fd, &by_fd) == 0);
  REQUIRE(::stat((host.root() / "c1").c_str(), &by_path) == 0);
  CHECK(by_fd.st_ino == by_path.st_ino);
  CHECK((::fcntl(*fd, F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(m->clone_into_fd() == fd);  // the same fd, owned by the manager
}

TEST_CASE("v2: apply, pids, freeze, thaw", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto dir = host.root() / "c1";
  add_kernel_files(dir);
  REQUIRE(m->apply(321));
  CHECK(get(dir / "cgroup.procs") == "321");
  put(dir / "init.scope/cgroup.procs", "5\n");
  CHECK(m->pids() == std::vector<pid_t>{5, 321});

  CHECK(m->frozen() == false);
  put(dir / "cgroup.events", "populated 1\nfrozen 1\n");  // what the kernel reports once frozen
  REQUIRE(m->freeze());
  CHECK(get(dir / "cgroup.freeze") == "1");
  CHECK(m->frozen() == true);
  REQUIRE(m->thaw());
  CHECK(get(dir / "cgroup.freeze") == "0");
  CHECK(m->frozen() == false);
}

TEST_CASE("v2: kill_all(SIGKILL) uses cgroup.kill when the kernel has it", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto dir = host.root() / "c1";
  add_kernel_files(dir);
  put(dir / "cgroup.kill", "");
  SleepingChild child;
  put(dir / "cgroup.procs", fmt::format("{}\n", child.pid()));
  REQUIRE(m->kill_all(SIGKILL));
  CHECK(get(dir / "cgroup.kill") == "1");
  CHECK(get(dir / "cgroup.freeze") == "0");  // no freeze needed
}

TEST_CASE("v2: kill_all of a cgroup that is gone has nothing to do", "[cgroups][v2]") {
  // A systemd scope's cgroup goes as soon as its last process exits.
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->kill_all(SIGKILL));
  REQUIRE(m->kill_all(SIGTERM));
  CHECK_FALSE(fs::exists(host.root() / "c1"));
}

TEST_CASE("v2: kill_all signals every process, frozen meanwhile", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  auto dir = host.root() / "c1";
  add_kernel_files(dir);
  put(dir / "cgroup.events", "populated 1\nfrozen 1\n");
  put(dir / "cgroup.kill", "");
  SleepingChild child;
  put(dir / "cgroup.procs", fmt::format("{}\n", child.pid()));
  REQUIRE(m->kill_all(SIGTERM));  // cgroup.kill only sends SIGKILL
  CHECK(child.killed_by() == SIGTERM);
  CHECK(get(dir / "cgroup.kill") == "");
  CHECK(get(dir / "cgroup.freeze") == "0");  // thawed again
}

TEST_CASE("v2: destroy and re-open", "[cgroups][v2]") {
  V2Host host;
  auto m = make(host.config("c1", "/c1"));
  REQUIRE(m->create());
  REQUIRE(m->clone_into_fd());
  fs::create_directories(host.root() / "c1/sub");
  auto opened = open_cgroup_manager(m->paths(), CgroupDriver::cgroupfs);
  REQUIRE(opened);
  CHECK((*opened)->paths() == m->paths());
  CHECK((*opened)->clone_into_fd());  // exec can clone straight into it
  REQUIRE((*opened)->destroy());
  CHECK_FALSE(fs::exists(host.root() / "c1"));
  CHECK(fs::is_directory(host.root()));
  REQUIRE(m->destroy());
  CHECK((*opened)->pids() == std::vector<pid_t>{});
}
