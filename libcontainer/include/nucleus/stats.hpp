// A container's resource usage, as `events` reports it: the fields and units
// of runc's libcontainer cgroups.Stats (nanoseconds for CPU times, bytes for
// memory, UINT64_MAX for "max"), read from cgroup v1 or v2 files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nucleus {

struct CpuUsage {
  std::uint64_t total = 0;  // ns
  std::vector<std::uint64_t> percpu;
  std::vector<std::uint64_t> percpu_kernel;
  std::vector<std::uint64_t> percpu_user;
  std::uint64_t kernel = 0;
  std::uint64_t user = 0;
};

struct CpuThrottling {
  std::uint64_t periods = 0;
  std::uint64_t throttled_periods = 0;
  std::uint64_t throttled_time = 0;  // ns
};

struct CpuStats {
  CpuUsage usage;
  CpuThrottling throttling;
};

// cgroup v1 cpuset files (cgroup v2 is not read, as in runc 1.1).
struct CpusetStats {
  std::vector<std::uint16_t> cpus;
  std::uint64_t cpu_exclusive = 0;
  std::vector<std::uint16_t> mems;
  std::uint64_t mem_hardwall = 0;
  std::uint64_t mem_exclusive = 0;
  std::uint64_t memory_migrate = 0;
  std::uint64_t memory_spread_page = 0;
  std::uint64_t memory_spread_slab = 0;
  std::uint64_t memory_pressure = 0;
  std::uint64_t sched_load_balance = 0;
  std::int64_t sched_relax_domain_level = 0;
};

struct MemoryEntry {
  std::uint64_t limit = 0;
  std::uint64_t usage = 0;
  std::uint64_t max = 0;  // the peak usage
  std::uint64_t failcnt = 0;
};

struct MemoryStats {
  std::uint64_t cache = 0;
  MemoryEntry usage;
  MemoryEntry swap;  // memory + swap, on v2 too (as runc reports it)
  MemoryEntry kernel;
  MemoryEntry kernel_tcp;
  std::map<std::string, std::uint64_t> raw;  // memory.stat
};

struct PidsStats {
  std::uint64_t current = 0;
  std::uint64_t limit = 0;  // 0: no limit
};

struct BlkioEntry {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::string op;  // "Read", "Write", ...; "" in files without one
  std::uint64_t value = 0;
};

struct BlkioStats {
  std::vector<BlkioEntry> io_service_bytes_recursive;
  std::vector<BlkioEntry> io_serviced_recursive;
  std::vector<BlkioEntry> io_queued_recursive;
  std::vector<BlkioEntry> io_service_time_recursive;
  std::vector<BlkioEntry> io_wait_time_recursive;
  std::vector<BlkioEntry> io_merged_recursive;
  std::vector<BlkioEntry> io_time_recursive;
  std::vector<BlkioEntry> sectors_recursive;
};

struct HugetlbStats {
  std::uint64_t usage = 0;
  std::uint64_t max = 0;  // the peak usage (v1 only)
  std::uint64_t failcnt = 0;
};

struct CgroupStats {
  CpuStats cpu;
  CpusetStats cpuset;
  MemoryStats memory;
  PidsStats pids;
  BlkioStats blkio;
  std::map<std::string, HugetlbStats> hugetlb;  // by page size: "2MB", "1GB"
};

// One interface of the container's network namespace (/proc/<pid>/net/dev).
struct NetworkInterface {
  std::string name;
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_errors = 0;
  std::uint64_t rx_dropped = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_errors = 0;
  std::uint64_t tx_dropped = 0;
};

struct ContainerStats {
  CgroupStats cgroup;
  // Empty when the container shares the runtime's network namespace.
  std::vector<NetworkInterface> interfaces;
};

}  // namespace nucleus
