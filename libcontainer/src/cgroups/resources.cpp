#include "cgroups/resources.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/limit_groups.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

bool resources_empty(const oci::Resources& r) { return r == oci::Resources{}; }

Result<void> naming_field(Result<void> r, std::string_view json_path) {
  if (r || r.error().message().starts_with("linux.resources")) return r;
  return std::unexpected(std::move(r).error().context(json_path));
}

Result<void> check_enabled(const std::vector<std::string>& enabled, const std::vector<std::string>& wanted,
                           const std::vector<std::string>& paths, const fs::path& dir) {
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (std::find(enabled.begin(), enabled.end(), wanted[i]) == enabled.end())
      return fail(fmt::format("{}: the {} controller could not be enabled for \"{}\" (\"{}\" does not list it)",
                              paths[i], wanted[i], dir.native(), (dir.parent_path() / "cgroup.subtree_control").native()));
  }
  return {};
}

namespace {

template <typename T>
void take(std::optional<T>& into, const std::optional<T>& from, bool zero_is_unset = true) {
  if (from && (!zero_is_unset || *from != T{})) into = from;
}

void take(std::string& into, const std::string& from) {
  if (!from.empty()) into = from;
}

// Entries of `from` replace those of `into` with the same key, others are added.
template <typename T, typename Key>
void merge_by(std::vector<T>& into, const std::vector<T>& from, Key key) {
  for (const auto& e : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const T& o) { return key(o) == key(e); });
    if (it == into.end()) into.push_back(e);
    else *it = e;
  }
}

auto device_key = [](const auto& d) { return std::pair(d.major, d.minor); };

// take() for each member: those where zero is "not set", then those where
// any value given counts.
template <typename T, typename... M>
void take_nonzero(T& into, const T& from, M T::*... members) {
  (take(into.*members, from.*members), ...);
}
template <typename T, typename... M>
void take_given(T& into, const T& from, M T::*... members) {
  (take(into.*members, from.*members, false), ...);
}

oci::MemoryResources merge_memory(oci::MemoryResources m, const oci::MemoryResources& c) {
  using R = oci::MemoryResources;
  take_nonzero(m, c, &R::limit, &R::reservation, &R::swap, &R::kernel, &R::kernel_tcp);
  if (c.limit == -1 && !nonzero(c.swap)) m.swap = -1;
  take_given(m, c, &R::swappiness, &R::disable_oom_killer, &R::use_hierarchy, &R::check_before_update);
  return m;
}

oci::CpuResources merge_cpu(oci::CpuResources m, const oci::CpuResources& c) {
  using R = oci::CpuResources;
  take_nonzero(m, c, &R::shares, &R::quota, &R::period, &R::realtime_runtime, &R::realtime_period);
  take_given(m, c, &R::burst, &R::idle);
  take(m.cpus, c.cpus);
  take(m.mems, c.mems);
  return m;
}

oci::BlockIoResources merge_block_io(oci::BlockIoResources m, const oci::BlockIoResources& c) {
  take(m.weight, c.weight);
  take(m.leaf_weight, c.leaf_weight);
  merge_by(m.weight_device, c.weight_device, device_key);
  merge_by(m.throttle_read_bps_device, c.throttle_read_bps_device, device_key);
  merge_by(m.throttle_write_bps_device, c.throttle_write_bps_device, device_key);
  merge_by(m.throttle_read_iops_device, c.throttle_read_iops_device, device_key);
  merge_by(m.throttle_write_iops_device, c.throttle_write_iops_device, device_key);
  return m;
}

}  // namespace

oci::Resources merge_resources(const oci::Resources& base, const oci::Resources& change) {
  oci::Resources r = base;
  if (!change.devices.empty()) r.devices = change.devices;
  if (change.memory) r.memory = merge_memory(r.memory.value_or(oci::MemoryResources{}), *change.memory);
  if (change.cpu) r.cpu = merge_cpu(r.cpu.value_or(oci::CpuResources{}), *change.cpu);
  if (change.block_io) r.block_io = merge_block_io(r.block_io.value_or(oci::BlockIoResources{}), *change.block_io);
  merge_by(r.hugepage_limits, change.hugepage_limits, [](const auto& h) { return h.page_size; });
  if (change.network) {
    auto n = r.network.value_or(oci::NetworkResources{});
    take(n.class_id, change.network->class_id);
    merge_by(n.priorities, change.network->priorities, [](const auto& p) { return p.name; });
    r.network = n;
  }
  if (change.pids && change.pids->limit != 0) r.pids = change.pids;
  for (const auto& [dev, limit] : change.rdma) r.rdma[dev] = limit;
  for (const auto& [key, value] : change.unified) r.unified[key] = value;
  return r;
}

Result<void> check_memory_swap(const Limits& l) {
  if (!l.change.memory || !(nonzero(l.change.memory->swap) || nonzero(l.change.memory->limit))) return {};
  const auto m = l.result.memory.value_or(oci::MemoryResources{});
  const std::int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);
  if (swap <= 0) return {};
  if (limit <= 0)
    return fail(fmt::format("linux.resources.memory.swap: unable to set swap limit without memory limit "
                            "(swap {}, limit {})", swap, limit == 0 ? "unset" : "unlimited"));
  if (swap < limit)
    return fail(fmt::format("linux.resources.memory.swap: memory+swap limit should be >= memory limit "
                            "(swap {} < limit {})", swap, limit));
  return {};
}

namespace {

using Ranges = std::vector<std::pair<unsigned, unsigned>>;

// "0-3,7" as sorted ranges (validated syntax; kernel text ends in "\n").
Ranges parse_list(std::string_view list) {
  Ranges out;
  list = trim(list);
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    unsigned lo = 0, hi = 0;
    auto dash = item.find('-');
    std::from_chars(item.data(), item.data() + item.size(), lo);
    hi = lo;
    if (dash != std::string_view::npos) std::from_chars(item.data() + dash + 1, item.data() + item.size(), hi);
    out.emplace_back(lo, hi);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The first of `want` not in `have`, if any.
std::optional<unsigned> first_outside(const Ranges& want, const Ranges& have) {
  for (const auto& [lo, hi] : want) {
    for (unsigned n = lo;; ++n) {
      bool in = std::any_of(have.begin(), have.end(), [&](const auto& r) { return n >= r.first && n <= r.second; });
      if (!in) return n;
      // Jump to the end of the covering range rather than walking it.
      for (const auto& r : have) {
        if (n >= r.first && n <= r.second) n = r.second;
      }
      if (n >= hi) break;
    }
  }
  return std::nullopt;
}

Result<void> check_list_within(std::string_view field, const std::string& list, const fs::path& dir,
                               std::string_view file, std::string_view what) {
  if (list.empty()) return {};
  // The parent's list: the container's own may be narrower than what an
  // update can widen it to.
  fs::path p = dir.parent_path();
  std::string have = TRY(read_value_or_empty(p / file));
  while (have.empty() && p.has_relative_path() && p.parent_path() != p) {
    p = p.parent_path();
    have = TRY(read_value_or_empty(p / file));
  }
  if (have.empty()) return {};  // nothing to compare with: the kernel decides
  if (auto n = first_outside(parse_list(list), parse_list(have)))
    return fail(fmt::format("linux.resources.cpu.{}: {} {} is not available to the container (\"{}\" has {})",
                            field, what, *n, (p / file).native(), have));
  return {};
}

}  // namespace

Result<void> check_cpuset_within(const Limits& l, const fs::path& dir, std::string_view cpus_file,
                                 std::string_view mems_file) {
  if (!l.change.cpu) return {};
  TRY_VOID(check_list_within("cpus", l.change.cpu->cpus, dir, cpus_file, "CPU"));
  return check_list_within("mems", l.change.cpu->mems, dir, mems_file, "memory node");
}

void warn_kernel_memory(const oci::Resources& change) {
  if (change.memory && (change.memory->kernel || change.memory->kernel_tcp))
    log::warn("Kernel memory settings are ignored and will be removed");
}

Result<void> check_usage_below_limit(const Limits& l, const fs::path& dir, std::string_view usage_file) {
  if (!l.live || !l.change.memory || !l.result.memory || !l.result.memory->check_before_update.value_or(false))
    return {};
  const std::int64_t limit = l.change.memory->limit.value_or(0);
  if (limit <= 0) return {};
  // Best effort, as in runc: no usage to read, no refusal.
  auto text = read_value_or_empty(dir / usage_file);
  std::uint64_t usage = 0;
  if (!text || std::from_chars(text->data(), text->data() + text->size(), usage).ec != std::errc()) return {};
  if (usage >= static_cast<std::uint64_t>(limit))
    return fail(fmt::format("linux.resources.memory.limit: rejecting memory limit {} below usage {}", limit, usage));
  return {};
}

}  // namespace nucleus::cgroups
