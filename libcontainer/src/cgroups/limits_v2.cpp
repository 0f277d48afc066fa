#include "cgroups/limits_v2.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/cpu_weight.hpp"
#include "cgroups/limits_common.hpp"
#include "cgroups/resources.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

std::unexpected<Error> no_v2_file(std::string_view field, std::string_view why) {
  return fail(fmt::format("linux.resources.{}: cannot be applied on cgroup v2 ({})", field, why));
}

Result<void> check_memory_v2(const oci::MemoryResources& m) {
  if (m.swappiness) return no_v2_file("memory.swappiness", "it has no memory.swappiness");
  if (m.disable_oom_killer.value_or(false))
    return no_v2_file("memory.disableOOMKiller", "the OOM killer cannot be disabled for a cgroup");
  if (!m.use_hierarchy.value_or(true)) return no_v2_file("memory.useHierarchy", "accounting is always hierarchical");
  return {};
}

Result<void> check_cpu_v2(const oci::CpuResources& c) {
  if (nonzero(c.realtime_runtime)) return no_v2_file("cpu.realtimeRuntime", "it has no cpu.rt_runtime_us");
  if (nonzero(c.realtime_period)) return no_v2_file("cpu.realtimePeriod", "it has no cpu.rt_period_us");
  return {};
}

Result<void> check_io_v2(const oci::BlockIoResources& b) {
  if (nonzero(b.leaf_weight)) return no_v2_file("blockIO.leafWeight", "leaf weights were CFQ's, gone with cgroup v1");
  for (std::size_t i = 0; i < b.weight_device.size(); ++i) {
    if (nonzero(b.weight_device[i].leaf_weight))
      return no_v2_file(fmt::format("blockIO.weightDevice[{}].leafWeight", i),
                        "leaf weights were CFQ's, gone with cgroup v1");
  }
  return {};
}

std::string max_or(std::int64_t v) { return v == -1 ? "max" : std::to_string(v); }

// memory.swap.max counts swap alone; the OCI value is memory+swap. Computed
// from the result, so that an update of either keeps their sum.
Result<void> write_memory(LimitWriter& w, const fs::path& dir, const Limits& l) {
  const auto& c = *l.change.memory;
  TRY_VOID(check_usage_below_limit(l, dir, "memory.current"));
  if (nonzero(c.limit) || nonzero(c.swap)) {
    const auto m = l.result.memory.value_or(oci::MemoryResources{});
    std::int64_t swap = m.swap.value_or(0);
    if (c.limit == -1 && !nonzero(c.swap)) swap = -1;  // unlimited memory, unlimited swap (runc)
    if (swap != 0) {
      const std::string value = swap == -1 ? "max" : std::to_string(swap - m.limit.value_or(0));
      // Without swap accounting there is no swap to lift or to forbid.
      if (file_exists(dir / "memory.swap.max") || (value != "max" && value != "0"))
        TRY_VOID(w.write(dir, "memory.swap.max", value));
    }
    if (nonzero(c.limit)) TRY_VOID(w.write(dir, "memory.max", max_or(*c.limit)));
  }
  if (nonzero(c.reservation)) TRY_VOID(w.write(dir, "memory.low", max_or(*c.reservation)));
  return {};
}

// cpu.max is "QUOTA PERIOD" together: from the result, so that an update of
// one keeps the other (runc's update does the same); period 100000 by default.
std::string cpu_max(const oci::CpuResources& r) {
  const std::int64_t quota = r.quota.value_or(0);
  const std::uint64_t period = r.period.value_or(0);
  return fmt::format("{} {}", quota > 0 ? std::to_string(quota) : "max", period ? period : 100000);
}

Result<void> write_cpu(LimitWriter& w, const fs::path& dir, const Limits& l) {
  const auto& c = *l.change.cpu;
  if (c.idle) TRY_VOID(w.write(dir, "cpu.idle", std::to_string(*c.idle)));
  if (nonzero(c.shares)) TRY_VOID(w.write(dir, "cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares))));
  const bool bandwidth = nonzero(c.quota) || nonzero(c.period);
  bool burst_later = false;
  if (c.burst) {
    // A burst above the current quota waits for the new cpu.max.
    auto r = w.write(dir, "cpu.max.burst", std::to_string(*c.burst));
    if (!r && !(r.error().err() == EINVAL && bandwidth)) return r;
    burst_later = !r;
  }
  if (bandwidth) TRY_VOID(w.write(dir, "cpu.max", cpu_max(l.result.cpu.value_or(oci::CpuResources{}))));
  if (burst_later) TRY_VOID(w.write(dir, "cpu.max.burst", std::to_string(*c.burst)));
  return {};
}

Result<void> write_cpuset(LimitWriter& w, const fs::path& dir, const oci::CpuResources& c) {
  if (!c.cpus.empty()) TRY_VOID(w.write(dir, "cpuset.cpus", c.cpus));
  if (!c.mems.empty()) TRY_VOID(w.write(dir, "cpuset.mems", c.mems));
  return {};
}

// BFQ takes per-device weights in io.bfq.weight since Linux 5.4; it then
// reads back "default N" rather than a bare number (runc's test).
Result<bool> bfq_takes_devices(const fs::path& dir) {
  const std::string text = TRY(read_value_or_empty(dir / "io.bfq.weight"));
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return !text.empty() && (ec != std::errc() || p != text.data() + text.size());
}

// io.weight (blk-iocost) without BFQ, with runc's conversion of the scale.
Result<void> write_io_weights(LimitWriter& w, const fs::path& dir, const oci::BlockIoResources& b) {
  const bool bfq = file_exists(dir / "io.bfq.weight");
  const bool per_device_bfq = bfq && !b.weight_device.empty() && TRY(bfq_takes_devices(dir));
  if (nonzero(b.weight)) {
    if (bfq) TRY_VOID(w.write(dir, "io.bfq.weight", std::to_string(*b.weight)));
    else TRY_VOID(w.write(dir, "io.weight", std::to_string(blkio_weight_to_io_weight(*b.weight))));
  }
  for (const auto& d : b.weight_device) {
    if (!nonzero(d.weight)) continue;
    if (per_device_bfq)
      TRY_VOID(w.write(dir, "io.bfq.weight", fmt::format("{}:{} {}", d.major, d.minor, *d.weight)));
    else
      TRY_VOID(w.write(dir, "io.weight",
                       fmt::format("{}:{} {}", d.major, d.minor, blkio_weight_to_io_weight(*d.weight))));
  }
  return {};
}

// io.max "MAJ:MIN rbps=N"; a rate of 0 lifts the limit, as on v1.
Result<void> write_io_max(LimitWriter& w, const fs::path& dir, const char* key,
                          const std::vector<oci::ThrottleDevice>& list) {
  for (const auto& t : list) {
    TRY_VOID(w.write(dir, "io.max", fmt::format("{}:{} {}={}", t.major, t.minor, key,
                                                t.rate ? std::to_string(t.rate) : "max")));
  }
  return {};
}

Result<void> write_io(LimitWriter& w, const fs::path& dir, const oci::BlockIoResources& b) {
  TRY_VOID(write_io_weights(w, dir, b));
  TRY_VOID(write_io_max(w, dir, "rbps", b.throttle_read_bps_device));
  TRY_VOID(write_io_max(w, dir, "wbps", b.throttle_write_bps_device));
  TRY_VOID(write_io_max(w, dir, "riops", b.throttle_read_iops_device));
  return write_io_max(w, dir, "wiops", b.throttle_write_iops_device);
}

}  // namespace

Result<void> check_group_v2(Group g, const oci::Resources& r) {
  switch (g) {
    case Group::memory: return check_memory_v2(*r.memory);
    case Group::cpu: return check_cpu_v2(*r.cpu);
    case Group::blkio: return check_io_v2(*r.block_io);
    case Group::net_cls: return no_v2_file("network.classID", "it has no net_cls controller");
    case Group::net_prio: return no_v2_file("network.priorities", "it has no net_prio controller");
    default: return {};
  }
}

Result<void> check_unified(const oci::StringMap& unified, const std::vector<std::string>& available, bool hybrid) {
  for (const auto& [key, value] : unified) {
    const std::string controller = key.substr(0, key.find('.'));
    if (controller == "cgroup" || std::find(available.begin(), available.end(), controller) != available.end())
      continue;
    if (hybrid)
      return fail(fmt::format("linux.resources.unified[\"{}\"]: invalid configuration: cannot use unified on "
                              "cgroup v1 (the {} controller is not in this host's cgroup2 hierarchy)",
                              key, controller));
    return fail(fmt::format("linux.resources.unified[\"{}\"]: unified resource \"{}\" can't be set: controller "
                            "\"{}\" not available", key, key, controller));
  }
  return {};
}

Result<void> write_group_v2(LimitWriter& w, Group g, const fs::path& dir, const Limits& l) {
  const oci::Resources& r = l.change;
  switch (g) {
    case Group::cpuset: return write_cpuset(w, dir, *r.cpu);
    case Group::memory: return write_memory(w, dir, l);
    case Group::cpu: return write_cpu(w, dir, l);
    case Group::pids: return write_pids(w, dir, *r.pids);
    case Group::blkio: return write_io(w, dir, *r.block_io);
    case Group::hugetlb: return write_hugetlb(w, dir, r.hugepage_limits, ".max");
    case Group::rdma: return write_rdma(w, dir, r.rdma);
    case Group::net_cls:
    case Group::net_prio: return check_group_v2(g, r);
  }
  return {};
}

Result<void> write_unified(LimitWriter& w, const fs::path& dir, const oci::StringMap& unified) {
  for (const auto& [key, value] : unified) {
    if (!file_exists(dir / key))
      return fail(fmt::format("linux.resources.unified[\"{}\"]: unable to set unified resource \"{}\": no file "
                              "\"{}\"", key, key, (dir / key).native()), ENOENT);
  }
  for (const auto& [key, value] : unified) {
    auto r = w.write(dir, key, value);
    if (!r) return std::unexpected(std::move(r).error().context(fmt::format("linux.resources.unified[\"{}\"]", key)));
  }
  return {};
}

}  // namespace nucleus::cgroups
