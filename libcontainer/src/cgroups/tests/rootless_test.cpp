// The rootless manager (rootless.hpp): hierarchies left out by the factory
// for a user who may not write them, and the limits refused for them.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "cgroups/rootless.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

oci::Resources memory_limit() {
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 10'000'000;
  return r;
}

oci::Resources pids_limit() {
  oci::Resources r;
  r.pids.emplace();
  r.pids->limit = 10;
  return r;
}

std::unique_ptr<CgroupManager> rootless_v1(FakeHost& host, std::vector<LeftOut> left_out) {
  auto inner = make_cgroup_manager(host.config("c1"));
  REQUIRE(inner);
  return make_rootless_manager(std::move(*inner), std::move(left_out), false);
}

// Run `body` as nobody in a child; its text comes back.
template <typename Body>
std::string as_nobody(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string out = ::setresgid(65534, 65534, 65534) == 0 && ::setresuid(65534, 65534, 65534) == 0
                          ? body()
                          : std::string("setresuid failed");
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

}  // namespace

TEST_CASE("rootless v1: a limit of a hierarchy left out is refused with runc's words, the dir and why",
          "[cgroups][rootless]") {
  FakeHost host;
  host.add_v1("memory", "rw,memory");
  host.add_v1("pids", "rw,pids");
  host.set_own_cgroup("5:pids:/\n4:memory:/\n");
  auto m = rootless_v1(host, {{{"memory"}, host.root() / "memory" / "c1", EACCES}});
  const oci::Resources mem = memory_limit();
  auto refused = m->check({mem, mem});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what() == "linux.resources.memory: cannot set memory limit: container could not "
                                  "join or create cgroup " + (host.root() / "memory" / "c1").native() +
                                  ": permission denied");
  const oci::Resources pids = pids_limit();
  CHECK(m->check({pids, pids}));  // its hierarchy was kept
  const oci::Resources none;
  CHECK(m->check({none, none}));
}

TEST_CASE("rootless v2: any limit is refused when the cgroup could not be made", "[cgroups][rootless]") {
  FakeHost host;
  host.add_cgroup2("");
  auto inner = make_cgroup_manager(host.config("c1"));
  REQUIRE(inner);
  auto m = make_rootless_manager(std::move(*inner), {{{}, host.root() / "c1", EACCES}}, true);
  const oci::Resources pids = pids_limit();
  auto refused = m->check({pids, pids});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what() == "rootless needs no limits + no cgrouppath when no permission is granted for "
                                  "cgroups: mkdir " + (host.root() / "c1").native() + ": permission denied");
  const oci::Resources none;
  CHECK(m->check({none, none}));
}

TEST_CASE("rootless factory: a user leaves out what it may not write, unless cgroupsPath is set",
          "[cgroups][rootless]") {
  if (::geteuid() != 0) {
    WARN("SKIPPED: needs root to become nobody");
    return;
  }
  FakeHost host;
  host.add_v1("memory", "rw,memory");
  host.add_v1("pids", "rw,pids");
  fs::permissions(host.root().parent_path(), fs::perms::owner_all | fs::perms::group_read |
                  fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  fs::create_directories(host.root() / "pids" / "mine");
  REQUIRE(::chown((host.root() / "pids" / "mine").c_str(), 65534, 65534) == 0);
  host.set_own_cgroup("5:pids:/mine\n4:memory:/\n");
  CgroupConfig c = host.config("c1");
  c.rootless = true;
  std::string out = as_nobody([&] {
    auto m = make_cgroup_manager(c);
    if (!m) return m.error().what();
    std::string paths;
    for (const auto& [controller, dir] : (*m)->paths()) paths += controller + "=" + dir + ";";
    const oci::Resources mem = memory_limit();
    auto refused = (*m)->check({mem, mem});
    return paths + (refused ? std::string("accepted") : refused.error().what());
  });
  CHECK(out == "pids=" + (host.root() / "pids" / "mine" / "c1").native() +
                   ";linux.resources.memory: cannot set memory limit: container could not join or "
                   "create cgroup " + (host.root() / "memory" / "c1").native() + ": permission denied");

  c.cgroups_path = "/explicit";
  out = as_nobody([&] {
    auto m = make_cgroup_manager(c);
    return m ? std::to_string((*m)->paths().size()) : m.error().what();
  });
  CHECK(out == "2");  // used as root uses it: create() will fail, as runc's does
}
