// Resource usage from cgroup v1 controller dirs, read as runc 1.1's fs
// manager reads them (which files, which fallbacks, which units). A
// controller dir that does not exist contributes nothing.
#pragma once

#include <filesystem>

#include "nucleus/error.hpp"
#include "nucleus/stats.hpp"

namespace nucleus::cgroups {

// cpuacct.usage, .usage_percpu, .usage_all and .stat (USER_HZ ticks to ns).
Result<void> read_cpuacct_v1(const std::filesystem::path& dir, CpuStats& out);
// cpu.stat: the CFS throttling counters.
Result<void> read_cpu_throttling_v1(const std::filesystem::path& dir, CpuStats& out);
Result<void> read_cpuset_v1(const std::filesystem::path& dir, CpusetStats& out);
// memory.stat (raw, cache), memory.{,memsw.,kmem.,kmem.tcp.}{usage_in_bytes,
// max_usage_in_bytes,failcnt,limit_in_bytes}; swap and kmem are optional.
Result<void> read_memory_v1(const std::filesystem::path& dir, MemoryStats& out);
// pids.current and pids.max ("max" is a limit of 0).
Result<void> read_pids_v1(const std::filesystem::path& dir, PidsStats& out);
// The first of runc's groups of blkio files (bfq debug, bfq, cfq, throttle
// recursive, throttle) whose first file has entries.
Result<void> read_blkio_v1(const std::filesystem::path& dir, BlkioStats& out);
// hugetlb.<size>.{usage_in_bytes,max_usage_in_bytes,failcnt} for each size
// the dir has files for.
Result<void> read_hugetlb_v1(const std::filesystem::path& dir, std::map<std::string, HugetlbStats>& out);

}  // namespace nucleus::cgroups
