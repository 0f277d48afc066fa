// Resource usage from a cgroup2 dir, read as runc 1.1's fs2 manager reads it
// and reported in v1 terms (runc's Stats): io.stat as blkio entries, swap
// as memory + swap, "max" as UINT64_MAX. A controller whose files are
// missing (not enabled for this cgroup) contributes nothing.
#pragma once

#include <filesystem>

#include "nucleus/error.hpp"
#include "nucleus/stats.hpp"

namespace nucleus::cgroups {

// cpu.stat: usage, user and system time (µs to ns) and throttling.
Result<void> read_cpu_v2(const std::filesystem::path& dir, CpuStats& out);
// memory.stat (raw; cache is its "file"), memory.current/max and
// memory.swap.current/max.
Result<void> read_memory_v2(const std::filesystem::path& dir, MemoryStats& out);
// pids.current/max; without the pids controller, the lines of cgroup.procs.
Result<void> read_pids_v2(const std::filesystem::path& dir, PidsStats& out);
// io.stat rbytes/wbytes and rios/wios as Read/Write entries.
Result<void> read_io_v2(const std::filesystem::path& dir, BlkioStats& out);
// hugetlb.<size>.current and the "max" count of hugetlb.<size>.events.
Result<void> read_hugetlb_v2(const std::filesystem::path& dir, std::map<std::string, HugetlbStats>& out);

// All of the above.
Result<CgroupStats> stats_v2(const std::filesystem::path& dir);

}  // namespace nucleus::cgroups
