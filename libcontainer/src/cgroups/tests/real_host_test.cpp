// ROOT ONLY: the managers on this machine's real /sys/fs/cgroup, with a real
// child process. Without root each case prints SKIPPED and passes.
#include <unistd.h>

#include <csignal>

#include <catch2/catch.hpp>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/hierarchy.hpp"
#include "cgroups/manager.hpp"
#include "child.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

bool skip_unless_root() {
  if (::geteuid() == 0) return false;
  WARN("SKIPPED: the real-host cgroup test needs root");
  return true;
}

// Removes the container's cgroups even when a check fails halfway.
struct DestroyGuard {
  CgroupManager& m;
  ~DestroyGuard() { (void)m.destroy(); }
};

// The path /proc/<pid>/cgroup shows for the hierarchy with these controllers.
std::string proc_cgroup_of(pid_t pid, const std::vector<std::string>& controllers) {
  auto text = read_file(fmt::format("/proc/{}/cgroup", pid));
  if (!text) return "<unreadable>";
  for (auto& line : parse_proc_cgroup(*text))
    if (line.controllers == controllers) return line.path;
  return "<not listed>";
}

}  // namespace

TEST_CASE("real host: create, apply, freeze, pids, kill_all, destroy", "[cgroups][root]") {
  if (skip_unless_root()) return;
  auto host = discover_hierarchies("/sys/fs/cgroup", "/proc/self/mountinfo");
  REQUIRE(host);
  CgroupConfig config;
  config.id = fmt::format("nucleus-unit-{}", ::getpid());
  auto made = make_cgroup_manager(config);  // the default path: <id> below our own cgroups
  REQUIRE(made);
  CgroupManager& m = **made;
  DestroyGuard guard{m};
  REQUIRE(m.create());
  auto paths = m.paths();
  CHECK(paths.size() >= host->hierarchies.size());

  SleepingChild child;
  REQUIRE(m.apply(child.pid()));
  for (const auto& h : host->hierarchies) {
    const std::string key = h.unified() ? "" : h.controllers.front();
    INFO("hierarchy " << (key.empty() ? "cgroup2" : key));
    REQUIRE(paths.count(key) == 1);
    fs::path dir = paths.at(key);
    CHECK(dir.filename() == config.id);
    // What the kernel says, from the process's side and from the cgroup's.
    CHECK(proc_cgroup_of(child.pid(), h.controllers) ==
          "/" + dir.lexically_relative(h.mount_point).native());
    CHECK(get(dir / "cgroup.procs") == std::to_string(child.pid()));
    if (key == "cpuset") CHECK_FALSE(get(dir / "cpuset.cpus").empty());
  }

  REQUIRE(m.freeze());
  CHECK(m.frozen() == true);
  if (paths.count("freezer")) CHECK(get(fs::path(paths.at("freezer")) / "freezer.state") == "FROZEN");
  REQUIRE(m.thaw());
  CHECK(m.frozen() == false);
  CHECK(m.pids() == std::vector<pid_t>{child.pid()});

  // Later verbs re-open the cgroups from the stored paths.
  auto opened = open_cgroup_manager(paths, CgroupDriver::cgroupfs);
  REQUIRE(opened);
  REQUIRE((*opened)->kill_all(SIGKILL));
  CHECK(child.killed_by() == SIGKILL);
  REQUIRE((*opened)->destroy());  // retries while the cgroup is still busy
  for (const auto& [ctrl, dir] : paths) {
    INFO(ctrl);
    CHECK_FALSE(fs::exists(dir));
  }
  CHECK((*opened)->pids() == std::vector<pid_t>{});
}

TEST_CASE("real host: destroy fails with EBUSY on live processes, removes child cgroups", "[cgroups][root]") {
  if (skip_unless_root()) return;
  CgroupConfig config;
  config.id = fmt::format("nucleus-unit-busy-{}", ::getpid());
  auto made = make_cgroup_manager(config);
  REQUIRE(made);
  CgroupManager& m = **made;
  DestroyGuard guard{m};
  REQUIRE(m.create());
  SleepingChild child;
  REQUIRE(m.apply(child.pid()));
  auto r = m.destroy();
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == EBUSY);
  REQUIRE(m.kill_all(SIGKILL));
  CHECK(child.killed_by() == SIGKILL);
  // Child cgroups (made by the container itself, say) go too.
  for (const auto& [ctrl, dir] : m.paths()) fs::create_directories(fs::path(dir) / "sub/subsub");
  REQUIRE(m.destroy());
  for (const auto& [ctrl, dir] : m.paths()) CHECK_FALSE(fs::exists(dir));
}
