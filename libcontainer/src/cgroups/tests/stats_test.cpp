// stats(): the controller files of a real container (a paused runc 1.1.5
// container on this hybrid host, and one in the pure cgroup v2 VM of
// tools/run-in-v2-vm), recorded in tests/samples/{v1,v2}, read into runc's
// numbers and units; then the formats' corner cases on temp dirs.
#include <catch2/catch.hpp>

#include "cgroups/stat_files.hpp"
#include "cgroups/stats_v1.hpp"
#include "cgroups/stats_v2.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

const fs::path samples = CGROUP_SAMPLES_DIR;

// The recorded v1 container, one dir per hierarchy as on this host.
V1Manager recorded_v1() {
  std::vector<V1Dir> dirs;
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb"})
    dirs.push_back({{c}, samples / "v1" / c, {}});
  return V1Manager(std::move(dirs));
}

CgroupStats must(Result<CgroupStats> r) {
  if (!r) FAIL(r.error().what());
  return std::move(*r);
}

}  // namespace

TEST_CASE("v1 stats: a recorded container, as runc reads it", "[cgroups][stats]") {
  auto s = must(recorded_v1().stats());
  // cpuacct: ns, per CPU; cpuacct.stat ticks and usage_all's columns.
  CHECK(s.cpu.usage.total == 13112370);
  CHECK(s.cpu.usage.percpu == std::vector<std::uint64_t>{1273704, 11838666});
  CHECK(s.cpu.usage.percpu_user == std::vector<std::uint64_t>{0, 8000000});
  CHECK(s.cpu.usage.percpu_kernel == std::vector<std::uint64_t>{0, 8000000});
  CHECK(s.cpu.throttling.periods == 0);
  CHECK(s.cpuset.cpus == std::vector<std::uint16_t>{0, 1});
  CHECK(s.cpuset.mems == std::vector<std::uint16_t>{0});
  CHECK(s.cpuset.sched_load_balance == 1);
  CHECK(s.cpuset.sched_relax_domain_level == -1);
  // memory: usage, memsw (no swap here: equal), kmem, kmem.tcp, memory.stat.
  CHECK(s.memory.usage.usage == 798720);
  CHECK(s.memory.usage.limit == 9223372036854771712ULL);
  CHECK(s.memory.swap.usage == s.memory.usage.usage);
  CHECK(s.memory.kernel.limit == 9223372036854771712ULL);
  CHECK(s.memory.kernel_tcp.usage == 0);
  CHECK(s.memory.cache == s.memory.raw.at("cache"));
  CHECK(s.memory.raw.at("total_rss") == 53248);
  CHECK(s.memory.raw.size() == 42);
  CHECK(s.pids.current == 1);
  CHECK(s.pids.limit == 0);  // "max"
  // bfq's files hold only "Total 0": the throttle group is read.
  REQUIRE(s.blkio.io_serviced_recursive.size() == 6);
  CHECK(s.blkio.io_serviced_recursive[0].major == 254);
  CHECK(s.blkio.io_serviced_recursive[0].op == "Read");
  CHECK(s.blkio.io_serviced_recursive[0].value == 20);
  CHECK(s.blkio.io_service_bytes_recursive[5].op == "Total");
  CHECK(s.blkio.io_service_bytes_recursive[5].value == 167936);
  CHECK(s.blkio.sectors_recursive.empty());
  REQUIRE(s.hugetlb.size() == 2);
  CHECK(s.hugetlb.count("1GB") == 1);
  CHECK(s.hugetlb.at("2MB").failcnt == 0);
}

TEST_CASE("v2 stats: a recorded container, as runc reads it", "[cgroups][stats]") {
  auto s = must(V2Manager(samples / "v2").stats());
  CHECK(s.cpu.usage.total == 771064000);  // µs -> ns
  CHECK(s.cpu.usage.user == 223703000);
  CHECK(s.cpu.usage.kernel == 547360000);
  CHECK(s.cpu.usage.percpu.empty());
  CHECK(s.memory.usage.usage == 491520);
  CHECK(s.memory.usage.limit == UINT64_MAX);  // "max"
  CHECK(s.memory.usage.max == 0);             // runc 1.1 does not read memory.peak
  CHECK(s.memory.swap.usage == 491520);       // swap 0 + memory, as v1 counts it
  CHECK(s.memory.swap.limit == UINT64_MAX);
  CHECK(s.memory.kernel.limit == 0);
  CHECK(s.memory.cache == s.memory.raw.at("file"));
  CHECK(s.memory.raw.at("anon") == 53248);
  CHECK(s.pids.current == 1);
  CHECK(s.pids.limit == 0);
  CHECK(s.blkio.io_service_bytes_recursive.empty());  // empty io.stat
  CHECK(s.hugetlb.size() == 2);
  CHECK(s.cpuset.cpus.empty());  // runc 1.1 reads no cpuset on v2
}

TEST_CASE("stat files: \"max\", negative counters, garbage", "[cgroups][stats]") {
  CHECK(parse_counter("max\n", "f") == UINT64_MAX);
  CHECK(parse_counter("18446744073709551615", "f") == UINT64_MAX);
  CHECK(parse_counter("-4096\n", "f") == 0u);  // a kernel accounting bug: runc reads 0
  CHECK(parse_counter("-99999999999999999999", "f") == 0u);
  auto bad = parse_counter("12k", "/x/memory.current");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "read \"/x/memory.current\": not a number: \"12k\": invalid argument");
  CHECK(parse_id_list("0-3,7\n", "f") == std::vector<std::uint16_t>{0, 1, 2, 3, 7});
  CHECK(parse_id_list("", "f") == std::vector<std::uint16_t>{});
  CHECK_FALSE(parse_id_list("3-1", "f"));
  CHECK_FALSE(parse_id_list("a", "f"));
  TempDir tmp;
  put(tmp.path() / "cpu.stat", "usage_usec 5 6\n");
  CpuStats cpu;
  auto r = read_cpu_v2(tmp.path(), cpu);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("expected \"key value\", got \"usage_usec 5 6\""));
}

TEST_CASE("v2 io.stat: bytes and ios per device in v1 terms, other keys skipped", "[cgroups][stats]") {
  TempDir tmp;
  put(tmp.path() / "io.stat",
      "8:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n"
      "253:1 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=7 dios=1\n");
  BlkioStats io;
  REQUIRE(read_io_v2(tmp.path(), io));
  REQUIRE(io.io_service_bytes_recursive.size() == 4);
  CHECK(io.io_service_bytes_recursive[0].major == 8);
  CHECK(io.io_service_bytes_recursive[0].op == "Read");
  CHECK(io.io_service_bytes_recursive[0].value == 1459200);
  CHECK(io.io_service_bytes_recursive[1].op == "Write");
  CHECK(io.io_service_bytes_recursive[1].value == 314773504);
  CHECK(io.io_service_bytes_recursive[2].minor == 1);
  REQUIRE(io.io_serviced_recursive.size() == 4);
  CHECK(io.io_serviced_recursive[1].value == 353);
}

TEST_CASE("v2: without the pids controller, cgroup.procs is counted", "[cgroups][stats]") {
  TempDir tmp;
  put(tmp.path() / "cgroup.procs", "10\n11\n12\n");
  PidsStats p;
  REQUIRE(read_pids_v2(tmp.path(), p));
  CHECK(p.current == 3);
  put(tmp.path() / "pids.current", "2\n");
  put(tmp.path() / "pids.max", "100\n");
  REQUIRE(read_pids_v2(tmp.path(), p));
  CHECK(p.current == 2);
  CHECK(p.limit == 100);
}

TEST_CASE("v2 memory: no swap accounting, a set limit, no memory controller", "[cgroups][stats]") {
  TempDir tmp;
  MemoryStats none;
  REQUIRE(read_memory_v2(tmp.path(), none));  // memory.stat missing: nothing
  CHECK(none.usage.usage == 0);
  put(tmp.path() / "memory.stat", "anon 4096\nfile 8192\n");
  put(tmp.path() / "memory.current", "12288\n");
  put(tmp.path() / "memory.max", "1048576\n");
  MemoryStats m;
  REQUIRE(read_memory_v2(tmp.path(), m));
  CHECK(m.cache == 8192);
  CHECK(m.usage.limit == 1048576);
  CHECK(m.swap.usage == 12288);    // memory.swap.current missing: memory alone
  CHECK(m.swap.limit == 1048576);  // 0 + the memory limit
  put(tmp.path() / "memory.swap.current", "4096\n");
  put(tmp.path() / "memory.swap.max", "1048576\n");
  MemoryStats with_swap;
  REQUIRE(read_memory_v2(tmp.path(), with_swap));
  CHECK(with_swap.swap.usage == 16384);
  CHECK(with_swap.swap.limit == 2097152);
}

TEST_CASE("v1 blkio: cfq's files when bfq's are missing; a missing usage file is an error", "[cgroups][stats]") {
  TempDir tmp;
  put(tmp.path() / "blkio.sectors_recursive", "8:0 6792\n");
  for (const char* f : {"blkio.io_service_time_recursive", "blkio.io_wait_time_recursive",
                        "blkio.io_merged_recursive", "blkio.io_queued_recursive", "blkio.time_recursive",
                        "blkio.io_serviced_recursive", "blkio.io_service_bytes_recursive"})
    put(tmp.path() / f, "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
  BlkioStats b;
  REQUIRE(read_blkio_v1(tmp.path(), b));
  REQUIRE(b.sectors_recursive.size() == 1);
  CHECK(b.sectors_recursive[0].op.empty());
  CHECK(b.sectors_recursive[0].value == 6792);
  CHECK(b.io_time_recursive.size() == 2);
  CHECK(b.io_service_bytes_recursive[1].value == 2);

  MemoryStats m;
  put(tmp.path() / "memory.stat", "cache 1\n");
  auto r = read_memory_v1(tmp.path(), m);
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == ENOENT);
  CHECK_THAT(r.error().what(), Catch::Contains("memory.usage_in_bytes"));
}

TEST_CASE("hybrid: a controller without a v1 hierarchy is read from the cgroup2 dir", "[cgroups][stats]") {
  TempDir tmp;
  put(tmp.path() / "pids/pids.current", "4\n");
  put(tmp.path() / "pids/pids.max", "max\n");
  put(tmp.path() / "unified/hugetlb.2MB.current", "2097152\n");
  put(tmp.path() / "unified/hugetlb.2MB.events", "max 3\n");
  put(tmp.path() / "unified/hugetlb.2MB.rsvd.current", "0\n");
  put(tmp.path() / "unified/cpu.stat", "usage_usec 7\nuser_usec 3\nsystem_usec 4\n");
  put(tmp.path() / "unified/cgroup.procs", "1\n2\n3\n4\n5\n");
  V1Manager m({{{"pids"}, tmp.path() / "pids", {}}, {{}, tmp.path() / "unified", {}}});
  auto s = must(m.stats());
  CHECK(s.pids.current == 4);  // the v1 pids hierarchy, not the cgroup2 procs
  REQUIRE(s.hugetlb.size() == 1);
  CHECK(s.hugetlb.at("2MB").usage == 2097152);
  CHECK(s.hugetlb.at("2MB").failcnt == 3);
  CHECK(s.cpu.usage.total == 7000);
}

TEST_CASE("stats of a cgroup that is gone: nothing on v1, an error on v2 (runc)", "[cgroups][stats]") {
  TempDir tmp;
  V1Manager v1({{{"memory"}, tmp.path() / "gone", {}}, {{"pids"}, tmp.path() / "gone", {}}});
  auto s = must(v1.stats());
  CHECK(s.memory.usage.usage == 0);
  auto v2 = V2Manager(tmp.path() / "gone").stats();
  REQUIRE_FALSE(v2);
  CHECK(v2.error().err() == ENOENT);
}
