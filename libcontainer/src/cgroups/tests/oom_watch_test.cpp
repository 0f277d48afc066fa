// The OOM watch on temp dirs: what v1 registers in cgroup.event_control and
// how it reads its eventfd; how v2 counts memory.events' oom_kill (the
// "after" file was recorded in the v2 VM after an OOM kill).
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "cgroups/oom_watch.hpp"
#include "cgroups/stat_files.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

const fs::path samples = CGROUP_SAMPLES_DIR;

std::string text_of(const fs::path& p) {
  auto r = read_file(p);
  return r ? *r : "<missing>";
}

// What the kernel does to the eventfd: add to its counter.
void signal_eventfd(const OomWatch& w) {
  std::uint64_t one = 1;
  REQUIRE(::write(w.poll_entry().fd, &one, sizeof one) == sizeof one);
}

}  // namespace

TEST_CASE("v1 OOM watch: registers an eventfd for memory.oom_control, one event per wakeup", "[cgroups][oom]") {
  TempDir tmp;
  put(tmp.path() / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  put(tmp.path() / "cgroup.event_control", "");
  auto w = OomWatch::v1(tmp.path());
  REQUIRE(w);
  const pollfd p = w->poll_entry();
  CHECK(p.events == POLLIN);
  // "<eventfd> <fd of memory.oom_control>", as cgroup.event_control wants it.
  const std::string control = get(tmp.path() / "cgroup.event_control");
  auto registered = fields(control);
  REQUIRE(registered.size() == 2);
  CHECK(registered[0] == std::to_string(p.fd));
  CHECK(fs::read_symlink(fmt::format("/proc/self/fd/{}", registered[1])) == tmp.path() / "memory.oom_control");
  CHECK(w->take() == 0u);  // nothing yet; never blocks
  signal_eventfd(*w);
  signal_eventfd(*w);
  CHECK(w->take() == 1u);  // runc reads the eventfd: one event per read
  CHECK_FALSE(w->cgroup_gone());
  // The kernel signals it once more when the cgroup is removed.
  fs::remove(tmp.path() / "cgroup.event_control");
  signal_eventfd(*w);
  CHECK(w->take() == 0u);
  CHECK(w->cgroup_gone());
}

TEST_CASE("v1 OOM watch: without memory.oom_control it fails naming the file", "[cgroups][oom]") {
  TempDir tmp;
  auto w = OomWatch::v1(tmp.path());
  REQUIRE_FALSE(w);
  CHECK(w.error().what() ==
        fmt::format("open \"{}\": no such file or directory", (tmp.path() / "memory.oom_control").native()));
}

TEST_CASE("v2 OOM watch: each new oom_kill is an event, earlier ones are not", "[cgroups][oom]") {
  TempDir tmp;
  const auto events = tmp.path() / "memory.events";
  put(events, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 2\noom_group_kill 0\n");  // before the watch
  auto w = OomWatch::v2(tmp.path());
  REQUIRE(w);
  CHECK(w->poll_entry().events == POLLPRI);
  CHECK(w->take() == 0u);
  put(events, "low 0\nhigh 0\nmax 3\noom 0\noom_kill 2\noom_group_kill 0\n");  // a "max" event only
  CHECK(w->take() == 0u);
  put(events, "low 0\nhigh 0\nmax 18\noom 1\noom_kill 3\noom_group_kill 0\n");
  CHECK(w->take() == 1u);
  CHECK(w->take() == 0u);
  put(events, "low 0\nhigh 0\nmax 18\noom 1\noom_kill 5\noom_group_kill 0\n");
  CHECK(w->take() == 2u);
  CHECK_FALSE(w->cgroup_gone());
}

TEST_CASE("v2 OOM watch: the memory.events recorded after an OOM kill in the VM", "[cgroups][oom]") {
  TempDir tmp;
  put(tmp.path() / "memory.events", text_of(samples / "v2" / "memory.events"));
  auto w = OomWatch::v2(tmp.path());
  REQUIRE(w);
  put(tmp.path() / "memory.events", text_of(samples / "v2" / "memory.events.after_oom"));
  CHECK(w->take() == 1u);
}

TEST_CASE("managers watch the memory cgroup: v1's hierarchy, else a cgroup2 dir", "[cgroups][oom]") {
  TempDir tmp;
  put(tmp.path() / "memory/memory.oom_control", "");
  put(tmp.path() / "memory/cgroup.event_control", "");
  put(tmp.path() / "unified/memory.events", "oom_kill 0\n");
  V1Manager both({{{"memory"}, tmp.path() / "memory", {}}, {{}, tmp.path() / "unified", {}}});
  auto w1 = both.watch_oom();
  REQUIRE(w1);
  CHECK(w1->poll_entry().events == POLLIN);  // the eventfd
  V1Manager hybrid_without_memory({{{"pids"}, tmp.path() / "pids", {}}, {{}, tmp.path() / "unified", {}}});
  auto w2 = hybrid_without_memory.watch_oom();
  REQUIRE(w2);
  CHECK(w2->poll_entry().events == POLLPRI);
  V1Manager none({{{"pids"}, tmp.path() / "pids", {}}});
  auto w3 = none.watch_oom();
  REQUIRE_FALSE(w3);
  CHECK_THAT(w3.error().what(), Catch::Contains("no memory cgroup"));
  auto w4 = V2Manager(tmp.path() / "unified").watch_oom();
  REQUIRE(w4);
}
