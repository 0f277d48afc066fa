// linux.resources: values the kernel would refuse (or misread) are refused
// here, naming the JSON path, before the runtime creates anything. Zero means
// "not set" for most limits, as in runc; the ranges are the kernel's.
#include "validate_resources.hpp"

#include <charconv>

#include "validate_util.hpp"

namespace oci::detail {
namespace {

// CFS bandwidth (kernel/sched/core.c): periods of 1 ms to 1 s, quotas from
// 1 ms up to max_cfs_runtime (2^44 - 1 us).
constexpr std::uint64_t kMinCfsUs = 1000;
constexpr std::uint64_t kMaxCfsPeriodUs = 1000000;
constexpr std::uint64_t kMaxCfsRuntimeUs = (std::uint64_t{1} << 44) - 1;
// cpu.shares is clamped by the kernel to [2, 262144]; runc reads it back and
// names the bound, with these words.
constexpr std::uint64_t kMinShares = 2;
constexpr std::uint64_t kMaxShares = 262144;

bool valid_page_size(std::string_view s) {  // ^[1-9][0-9]*[KMG]B$
  if (s.size() < 3 || s[0] < '1' || s[0] > '9' || !s.ends_with('B')) return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  return std::all_of(s.begin(), s.end() - 2, [](char c) { return c >= '0' && c <= '9'; });
}

// Byte limits: -1 is unlimited, 0 unset.
Status check_bytes(const Path& p, const std::optional<std::int64_t>& v) {
  if (!v || *v >= -1) return {};
  return fail_at(p, fmt::format("must be -1 (unlimited) or a number of bytes, got {}", *v));
}

Status validate_memory(const MemoryResources& m, const Path& p) {
  TRY_VOID(check_bytes(p.child("limit"), m.limit));
  TRY_VOID(check_bytes(p.child("reservation"), m.reservation));
  TRY_VOID(check_bytes(p.child("swap"), m.swap));
  TRY_VOID(check_bytes(p.child("kernel"), m.kernel));
  TRY_VOID(check_bytes(p.child("kernelTCP"), m.kernel_tcp));
  if (m.swappiness && *m.swappiness > 100)
    return fail_at(p.child("swappiness"),
                   fmt::format("invalid memory swappiness value: {} (valid range is 0-100)", *m.swappiness));
  return {};
}

Status check_cfs_period(const Path& p, const std::optional<std::uint64_t>& period) {
  if (!period || *period == 0 || (*period >= kMinCfsUs && *period <= kMaxCfsPeriodUs)) return {};
  return fail_at(p, fmt::format("must be between {} and {} (1 ms to 1 s), got {}", kMinCfsUs,
                                kMaxCfsPeriodUs, *period));
}

// Negative is "no limit" to the kernel (runc writes it as given on v1, "max" on v2).
Status check_cfs_quota(const Path& p, const std::optional<std::int64_t>& quota) {
  if (!quota || *quota <= 0) return {};
  const auto q = static_cast<std::uint64_t>(*quota);
  if (q >= kMinCfsUs && q <= kMaxCfsRuntimeUs) return {};
  return fail_at(p, fmt::format("must be between {} and {} (at least 1 ms), or negative for no limit, got {}",
                                kMinCfsUs, kMaxCfsRuntimeUs, *quota));
}

Status check_shares(const Path& p, const std::optional<std::uint64_t>& shares) {
  if (!shares || *shares == 0) return {};
  if (*shares < kMinShares) return fail_at(p, fmt::format("the minimum allowed cpu-shares is {}", kMinShares));
  if (*shares > kMaxShares) return fail_at(p, fmt::format("the maximum allowed cpu-shares is {}", kMaxShares));
  return {};
}

Status check_cpu_list(const Path& p, const std::string& list) {
  if (list.empty() || valid_cpu_list(list)) return {};
  return fail_at(p, fmt::format("expected a list like \"0-3,7\", got {}", quote(list)));
}

Status validate_realtime(const CpuResources& c, const Path& p) {
  if (c.realtime_runtime && *c.realtime_runtime < -1)
    return fail_at(p.child("realtimeRuntime"),
                   fmt::format("must be -1 (unlimited) or a number of microseconds, got {}", *c.realtime_runtime));
  if (c.realtime_runtime && c.realtime_period && *c.realtime_period > 0 && *c.realtime_runtime > 0 &&
      static_cast<std::uint64_t>(*c.realtime_runtime) > *c.realtime_period)
    return fail_at(p.child("realtimeRuntime"), fmt::format("must not exceed realtimePeriod ({}), got {}",
                                                           *c.realtime_period, *c.realtime_runtime));
  return {};
}

Status validate_cpu(const CpuResources& c, const Path& p) {
  if (c.burst && c.quota && *c.quota > 0 && *c.burst > static_cast<std::uint64_t>(*c.quota))
    return fail_at(p.child("burst"), fmt::format("must not exceed quota ({}), got {}", *c.quota, *c.burst));
  if (c.burst && *c.burst > kMaxCfsRuntimeUs)
    return fail_at(p.child("burst"), fmt::format("must be at most {}, got {}", kMaxCfsRuntimeUs, *c.burst));
  TRY_VOID(check_shares(p.child("shares"), c.shares));
  TRY_VOID(check_cfs_quota(p.child("quota"), c.quota));
  TRY_VOID(check_cfs_period(p.child("period"), c.period));
  TRY_VOID(validate_realtime(c, p));
  TRY_VOID(check_cpu_list(p.child("cpus"), c.cpus));
  TRY_VOID(check_cpu_list(p.child("mems"), c.mems));
  if (c.idle && *c.idle != 0 && *c.idle != 1)
    return fail_at(p.child("idle"), fmt::format("must be 0 or 1, got {}", *c.idle));
  // The kernel gives an idle group the least weight and refuses another.
  if (c.idle == 1 && c.shares && *c.shares != 0)
    return fail_at(p.child("idle"), "an idle cgroup has the minimum weight: shares cannot be set with it");
  return {};
}

// The documented blkio range; 0 means unset. Smaller weights would underflow
// runc's conversion to io.weight on cgroup v2.
Status check_blkio_weight(const Path& p, const std::optional<std::uint16_t>& w) {
  if (!w || *w == 0 || (*w >= 10 && *w <= 1000)) return {};
  return fail_at(p, fmt::format("must be between 10 and 1000, got {}", *w));
}

Status check_device(const Path& p, std::int64_t major, std::int64_t minor) {
  if (major < 0 || major > 4095) return fail_at(p.child("major"), fmt::format("must be between 0 and 4095, got {}", major));
  if (minor < 0 || minor > 1048575)
    return fail_at(p.child("minor"), fmt::format("must be between 0 and 1048575, got {}", minor));
  return {};
}

Status check_throttles(const std::vector<ThrottleDevice>& list, const Path& p) {
  for (std::size_t i = 0; i < list.size(); ++i) TRY_VOID(check_device(p.at(i), list[i].major, list[i].minor));
  return {};
}

Status validate_block_io(const BlockIoResources& b, const Path& p) {
  TRY_VOID(check_blkio_weight(p.child("weight"), b.weight));
  TRY_VOID(check_blkio_weight(p.child("leafWeight"), b.leaf_weight));
  const Path devices = p.child("weightDevice");  // `at` below points into it
  for (std::size_t i = 0; i < b.weight_device.size(); ++i) {
    const auto& wd = b.weight_device[i];
    const Path at = devices.at(i);
    if (!wd.weight && !wd.leaf_weight) return fail_at(at, "weight or leafWeight is required");
    TRY_VOID(check_device(at, wd.major, wd.minor));
    TRY_VOID(check_blkio_weight(at.child("weight"), wd.weight));
    TRY_VOID(check_blkio_weight(at.child("leafWeight"), wd.leaf_weight));
  }
  TRY_VOID(check_throttles(b.throttle_read_bps_device, p.child("throttleReadBpsDevice")));
  TRY_VOID(check_throttles(b.throttle_write_bps_device, p.child("throttleWriteBpsDevice")));
  TRY_VOID(check_throttles(b.throttle_read_iops_device, p.child("throttleReadIOPSDevice")));
  return check_throttles(b.throttle_write_iops_device, p.child("throttleWriteIOPSDevice"));
}

Status validate_network(const NetworkResources& n, const Path& p) {
  for (std::size_t i = 0; i < n.priorities.size(); ++i) {
    if (!valid_ifname(n.priorities[i].name))
      return fail_at(p.child("priorities").at(i).child("name"),
                     fmt::format("invalid interface name {}", quote(n.priorities[i].name)));
  }
  return {};
}

// rdma.max takes "<device> hca_handle=N hca_object=N" lines.
Status validate_rdma(const std::map<std::string, RdmaLimit>& rdma, const Path& p) {
  for (const auto& [dev, limit] : rdma) {
    if (dev.empty() || dev.find_first_of(" \t\n=") != std::string::npos)
      return fail_at(p.child(dev), fmt::format("invalid RDMA device name {}", quote(dev)));
    if (!limit.hca_handles && !limit.hca_objects) return fail_at(p.child(dev), "hcaHandles or hcaObjects is required");
  }
  return {};
}

// Files that move, signal or freeze processes, or shape the tree: not limits,
// and writing them at create would break the runtime's own handling.
constexpr std::string_view kNotLimits[] = {"cgroup.procs",  "cgroup.threads", "cgroup.kill",
                                           "cgroup.freeze", "cgroup.type",    "cgroup.subtree_control"};

// A file of the container's own cgroup2 dir, CONTROLLER.PARAMETER (runc's words).
Status validate_unified(const StringMap& unified, const Path& p) {
  for (const auto& [key, value] : unified) {
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
      return fail_at(p.child(key), fmt::format("unified resource {} must be a file name (no slashes)", quote(key)));
    if (key.find('.') == std::string::npos || key.starts_with('.') || key.find('\0') != std::string::npos)
      return fail_at(p.child(key),
                     fmt::format("unified resource {} must be in the form CONTROLLER.PARAMETER", quote(key)));
    if (contains(kNotLimits, key))
      return fail_at(p.child(key), fmt::format("unified resource {} is not a limit and cannot be set", quote(key)));
  }
  return {};
}

}  // namespace

bool valid_cpu_list(std::string_view list) {
  auto number = [](std::string_view s, unsigned& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
  };
  for (;;) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    const auto dash = item.find('-');
    unsigned lo = 0, hi = 0;
    if (dash == std::string_view::npos ? !number(item, lo)
                                       : !number(item.substr(0, dash), lo) || !number(item.substr(dash + 1), hi) || hi < lo)
      return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

Status validate_resources(const Resources& r, const Path& p) {
  TRY_VOID(validate_device_rules(r.devices, p.child("devices")));
  if (r.memory) TRY_VOID(validate_memory(*r.memory, p.child("memory")));
  if (r.cpu) TRY_VOID(validate_cpu(*r.cpu, p.child("cpu")));
  if (r.block_io) TRY_VOID(validate_block_io(*r.block_io, p.child("blockIO")));
  for (std::size_t i = 0; i < r.hugepage_limits.size(); ++i) {
    const auto& size = r.hugepage_limits[i].page_size;
    if (!valid_page_size(size))
      return fail_at(p.child("hugepageLimits").at(i).child("pageSize"),
                     fmt::format("expected a page size like \"2MB\", got {}", quote(size)));
  }
  if (r.network) TRY_VOID(validate_network(*r.network, p.child("network")));
  TRY_VOID(validate_rdma(r.rdma, p.child("rdma")));
  return validate_unified(r.unified, p.child("unified"));
}

}  // namespace oci::detail
