#include "cgroups/limits_v1.hpp"

#include <cerrno>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/limits_common.hpp"
#include "cgroups/resources.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// A limit below the usage the kernel cannot reclaim is EBUSY; say so as runc does.
Result<void> write_memory_limit(LimitWriter& w, const fs::path& dir, std::int64_t limit) {
  auto r = w.write(dir, "memory.limit_in_bytes", std::to_string(limit));
  if (r || r.error().err() != EBUSY) return r;
  auto usage = read_value_or_empty(dir / "memory.usage_in_bytes");
  auto peak = read_value_or_empty(dir / "memory.max_usage_in_bytes");
  return fail(fmt::format("unable to set memory limit to {} (current usage: {}, peak usage: {})", limit,
                          usage ? *usage : "?", peak ? *peak : "?"),
              EBUSY);
}

// memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes at every
// step: raising, swap goes first; lowering, the limit (runc's order).
Result<void> write_memory_and_swap(LimitWriter& w, const fs::path& dir, const oci::MemoryResources& m) {
  const char* memsw = "memory.memsw.limit_in_bytes";
  const bool have_swap = file_exists(dir / memsw);
  std::int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);
  if (limit == -1 && swap == 0 && have_swap) swap = -1;  // unlimited memory, unlimited swap
  if (swap == -1 && !have_swap) swap = 0;                // no swap accounting: nothing to lift
  if (limit != 0 && swap != 0) {
    const std::string current = TRY(read_value_or_empty(dir / "memory.limit_in_bytes"));
    if (swap == -1 || std::stoull(current.empty() ? "0" : current) < static_cast<std::uint64_t>(swap)) {
      TRY_VOID(w.write(dir, memsw, std::to_string(swap)));
      return write_memory_limit(w, dir, limit);
    }
  }
  if (limit != 0) TRY_VOID(write_memory_limit(w, dir, limit));
  if (swap != 0) TRY_VOID(w.write(dir, memsw, std::to_string(swap)));
  return {};
}

Result<void> write_memory(LimitWriter& w, const fs::path& dir, const Limits& l) {
  const auto& m = *l.change.memory;
  TRY_VOID(check_usage_below_limit(l, dir, "memory.usage_in_bytes"));
  TRY_VOID(write_memory_and_swap(w, dir, m));
  if (nonzero(m.reservation)) TRY_VOID(w.write(dir, "memory.soft_limit_in_bytes", std::to_string(*m.reservation)));
  if (m.disable_oom_killer) TRY_VOID(w.write(dir, "memory.oom_control", *m.disable_oom_killer ? "1" : "0"));
  if (m.swappiness) TRY_VOID(w.write(dir, "memory.swappiness", std::to_string(*m.swappiness)));
  if (m.use_hierarchy) TRY_VOID(w.write(dir, "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0"));
  return {};
}

// A write the kernel may refuse until a companion value is written (a period
// or burst that the current quota does not fit): put off on EINVAL when that
// companion comes in this same set.
struct Deferred {
  const char* file;
  std::string value;
};

Result<void> write_or_defer(LimitWriter& w, const fs::path& dir, const char* file, std::string value,
                            bool companion_follows, std::vector<Deferred>& later) {
  auto r = w.write(dir, file, value);
  if (r || r.error().err() != EINVAL || !companion_follows) return r;
  later.push_back({file, std::move(value)});
  return {};
}

Result<void> write_deferred(LimitWriter& w, const fs::path& dir, const std::vector<Deferred>& later) {
  for (const auto& d : later) TRY_VOID(w.write(dir, d.file, d.value));
  return {};
}

Result<void> write_cpu(LimitWriter& w, const fs::path& dir, const oci::CpuResources& c) {
  if (nonzero(c.shares)) TRY_VOID(w.write(dir, "cpu.shares", std::to_string(*c.shares)));
  std::vector<Deferred> later;
  const bool quota = nonzero(c.quota);
  if (nonzero(c.period))
    TRY_VOID(write_or_defer(w, dir, "cpu.cfs_period_us", std::to_string(*c.period), quota, later));
  if (c.burst) TRY_VOID(write_or_defer(w, dir, "cpu.cfs_burst_us", std::to_string(*c.burst), quota, later));
  if (quota) TRY_VOID(w.write(dir, "cpu.cfs_quota_us", std::to_string(*c.quota)));
  TRY_VOID(write_deferred(w, dir, later));
  later.clear();
  // Realtime bandwidth: set before any task joins (a SCHED_RR task cannot
  // join a group without runtime); the period first unless it does not fit.
  const bool runtime = nonzero(c.realtime_runtime);
  if (nonzero(c.realtime_period))
    TRY_VOID(write_or_defer(w, dir, "cpu.rt_period_us", std::to_string(*c.realtime_period), runtime, later));
  if (runtime) TRY_VOID(w.write(dir, "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime)));
  TRY_VOID(write_deferred(w, dir, later));
  if (c.idle) TRY_VOID(w.write(dir, "cpu.idle", std::to_string(*c.idle)));
  return {};
}

Result<void> write_cpuset(LimitWriter& w, const fs::path& dir, const oci::CpuResources& c) {
  if (!c.cpus.empty()) TRY_VOID(w.write(dir, "cpuset.cpus", c.cpus));
  if (!c.mems.empty()) TRY_VOID(w.write(dir, "cpuset.mems", c.mems));
  return {};
}

Result<void> write_throttles(LimitWriter& w, const fs::path& dir, const char* file,
                             const std::vector<oci::ThrottleDevice>& list) {
  for (const auto& t : list) TRY_VOID(w.write(dir, file, fmt::format("{}:{} {}", t.major, t.minor, t.rate)));
  return {};
}

// CFQ's blkio.weight went with Linux 5.0; BFQ's files take over (runc's choice).
Result<void> write_blkio(LimitWriter& w, const fs::path& dir, const oci::BlockIoResources& b) {
  const bool cfq = file_exists(dir / "blkio.weight");
  const char* weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char* weight_device = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (nonzero(b.weight)) TRY_VOID(w.write(dir, weight, std::to_string(*b.weight)));
  if (nonzero(b.leaf_weight)) TRY_VOID(w.write(dir, "blkio.leaf_weight", std::to_string(*b.leaf_weight)));
  for (const auto& d : b.weight_device) {
    if (nonzero(d.weight)) TRY_VOID(w.write(dir, weight_device, fmt::format("{}:{} {}", d.major, d.minor, *d.weight)));
    if (nonzero(d.leaf_weight))
      TRY_VOID(w.write(dir, "blkio.leaf_weight_device", fmt::format("{}:{} {}", d.major, d.minor, *d.leaf_weight)));
  }
  TRY_VOID(write_throttles(w, dir, "blkio.throttle.read_bps_device", b.throttle_read_bps_device));
  TRY_VOID(write_throttles(w, dir, "blkio.throttle.write_bps_device", b.throttle_write_bps_device));
  TRY_VOID(write_throttles(w, dir, "blkio.throttle.read_iops_device", b.throttle_read_iops_device));
  return write_throttles(w, dir, "blkio.throttle.write_iops_device", b.throttle_write_iops_device);
}

Result<void> write_net_prio(LimitWriter& w, const fs::path& dir, const oci::NetworkResources& n) {
  for (const auto& p : n.priorities) TRY_VOID(w.write(dir, "net_prio.ifpriomap", fmt::format("{} {}", p.name, p.priority)));
  return {};
}

}  // namespace

Result<void> write_group_v1(LimitWriter& w, Group g, const fs::path& dir, const Limits& l) {
  const oci::Resources& r = l.change;
  switch (g) {
    case Group::cpuset: return write_cpuset(w, dir, *r.cpu);
    case Group::memory: return write_memory(w, dir, l);
    case Group::cpu: return write_cpu(w, dir, *r.cpu);
    case Group::pids: return write_pids(w, dir, *r.pids);
    case Group::blkio: return write_blkio(w, dir, *r.block_io);
    case Group::hugetlb: return write_hugetlb(w, dir, r.hugepage_limits, ".limit_in_bytes");
    case Group::net_cls: return w.write(dir, "net_cls.classid", std::to_string(*r.network->class_id));
    case Group::net_prio: return write_net_prio(w, dir, *r.network);
    case Group::rdma: return write_rdma(w, dir, r.rdma);
  }
  return {};
}

}  // namespace nucleus::cgroups
