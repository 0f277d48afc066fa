// `events` output byte for byte against runc 1.1.5: the controller files of
// a paused container were recorded together with what `runc events --stats`
// printed for it (on this hybrid host, and in the pure cgroup v2 VM); read
// and printed by nucleus, they must give runc's line exactly.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"
#include "events_json.hpp"

using namespace nucleus;
using namespace nucleus::cli;

namespace {

const std::filesystem::path samples = CGROUP_SAMPLES_DIR;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ContainerStats stats_of(const cgroups::CgroupManager& m) {
  auto s = m.stats();
  if (!s) FAIL(s.error().what());
  return ContainerStats{std::move(*s), {}};
}

}  // namespace

TEST_CASE("events --stats on cgroup v1: runc's line for the same files", "[events]") {
  std::vector<cgroups::V1Dir> dirs;
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb"})
    dirs.push_back({{c}, samples / "v1" / c, {}});
  const std::string runc = slurp(samples / "v1" / "runc_events_stats.json");
  REQUIRE_FALSE(runc.empty());
  CHECK(stats_event_line("s1", stats_of(cgroups::V1Manager(std::move(dirs)))) == runc);
}

TEST_CASE("events --stats on cgroup v2: runc's line for the same files", "[events]") {
  const std::string runc = slurp(samples / "v2" / "runc_events_stats.json");
  REQUIRE_FALSE(runc.empty());
  CHECK(stats_event_line("v1", stats_of(cgroups::V2Manager(samples / "v2"))) == runc);
}

TEST_CASE("events: the oom line, and interfaces under Go's field names", "[events]") {
  CHECK(oom_event_line("v3") == "{\"type\":\"oom\",\"id\":\"v3\"}\n");  // as runc printed it in the VM
  ContainerStats s;
  s.interfaces.push_back({"lo", 1, 2, 3, 4, 5, 6, 7, 8});
  const std::string line = stats_event_line("c", s);
  CHECK_THAT(line, Catch::EndsWith(
                       ",\"intel_rdt\":{},\"network_interfaces\":[{\"Name\":\"lo\",\"RxBytes\":1,\"RxPackets\":2,"
                       "\"RxErrors\":3,\"RxDropped\":4,\"TxBytes\":5,\"TxPackets\":6,\"TxErrors\":7,"
                       "\"TxDropped\":8}]}}\n"));
  // Nothing read at all: Go's zero values, omitempty fields left out.
  CHECK(stats_event_line("c", ContainerStats{}) ==
        "{\"type\":\"stats\",\"id\":\"c\",\"data\":{\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
        "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,\"memory_migrate\":0,"
        "\"memory_spread_page\":0,\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":0,"
        "\"sched_relax_domain_level\":0},\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},\"swap\":{\"limit\":0,"
        "\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
        "\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}\n");
}
