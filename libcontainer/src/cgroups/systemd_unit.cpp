#include "cgroups/systemd_unit.hpp"

#include <charconv>
#include <limits>

#include "cgroups/cpu_weight.hpp"
#include "cgroups/device_emulator.hpp"
#include "cgroups/device_rules.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace {

constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();  // systemd's "infinity"
constexpr std::uint64_t kDefaultCpuPeriod = 100000;                            // the kernel's, in µs

// systemd versions that first took these properties.
constexpr int kQuotaPeriodSince = 242;
constexpr int kAllowedCpusSince = 244;
constexpr int kDeviceMajorGroupSince = 240;

// -1 is "unlimited", which systemd spells as the largest value.
std::uint64_t as_limit(std::int64_t v) { return v < 0 ? kInfinity : static_cast<std::uint64_t>(v); }

Result<std::uint64_t> parse_u64(std::string_view key, std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return fail(fmt::format("unified resource \"{}\" value conversion error: \"{}\" is not a number", key, text));
  return v;
}

Result<std::uint64_t> parse_limit(std::string_view key, std::string_view text) {
  return text == "max" ? kInfinity : parse_u64(key, text);
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// CPUQuotaPerSecUSec (and the period from systemd 242): the quota per second
// of CPU time, rounded up to whole percents, as systemd keeps it in
// percents and a child cgroup must still be able to get the exact quota.
void add_cpu_quota(UnitProperties& out, std::int64_t quota, std::uint64_t period, const SystemdVersion& version) {
  if (period != 0) {
    if (version() >= kQuotaPeriodSince)
      out.push_back({"CPUQuotaPeriodUSec", period});
    else
      log::debug("systemd is too old for CPUQuotaPeriodUSec; the period is only written to the cgroup");
  }
  if (quota == 0 && period == 0) return;
  std::uint64_t per_sec = kInfinity;
  if (quota > 0) {
    const std::uint64_t p = period == 0 ? kDefaultCpuPeriod : period;
    per_sec = static_cast<std::uint64_t>(quota) * 1000000 / p;
    if (per_sec % 10000 != 0) per_sec = (per_sec / 10000 + 1) * 10000;
  }
  out.push_back({"CPUQuotaPerSecUSec", per_sec});
}

Result<void> add_cpuset(UnitProperties& out, std::string_view cpus, std::string_view mems,
                        const SystemdVersion& version) {
  if (cpus.empty() && mems.empty()) return {};
  if (version() < kAllowedCpusSince) {
    log::debug("systemd is too old for AllowedCPUs; the cpuset is only written to the cgroup");
    return {};
  }
  if (!cpus.empty()) {
    auto bits = cpuset_bits(cpus);
    if (!bits) return std::unexpected(bits.error().context(fmt::format("linux.resources.cpu.cpus \"{}\"", cpus)));
    out.push_back({"AllowedCPUs", std::move(*bits)});
  }
  if (!mems.empty()) {
    auto bits = cpuset_bits(mems);
    if (!bits) return std::unexpected(bits.error().context(fmt::format("linux.resources.cpu.mems \"{}\"", mems)));
    out.push_back({"AllowedMemoryNodes", std::move(*bits)});
  }
  return {};
}

// runc's ConvertMemorySwapToCgroupV2Value: memory+swap to swap alone; 0 is
// "not set".
Result<std::int64_t> swap_only(std::int64_t swap, std::int64_t memory) {
  if (memory == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (memory == 0 || memory == -1) return fail("unable to set swap limit without memory limit");
  if (memory < 0) return fail(fmt::format("invalid memory value: {}", memory));
  if (swap < memory) return fail("memory+swap limit should be >= memory limit");
  return swap - memory;
}

Result<void> add_unified_key(UnitProperties& out, const std::string& key, std::string_view value,
                             const SystemdVersion& version) {
  value = trim_spaces(value);
  if (key == "cpu.max") {
    const auto space = value.find(' ');
    const auto quota_text = value.substr(0, space);
    std::int64_t quota = 0;
    if (quota_text != "max") quota = static_cast<std::int64_t>(TRY(parse_u64(key, quota_text)));
    std::uint64_t period = kDefaultCpuPeriod;
    if (space != std::string_view::npos) period = TRY(parse_u64(key, trim_spaces(value.substr(space))));
    add_cpu_quota(out, quota, period, version);
  } else if (key == "cpu.weight") {
    out.push_back({"CPUWeight", TRY(parse_u64(key, value))});
  } else if (key == "cpuset.cpus" || key == "cpuset.mems") {
    TRY_VOID(add_cpuset(out, key == "cpuset.cpus" ? value : "", key == "cpuset.mems" ? value : "", version));
  } else if (key == "memory.high" || key == "memory.low" || key == "memory.min" || key == "memory.max") {
    std::string name = "Memory" + key.substr(7);
    name[6] = static_cast<char>(name[6] - 'a' + 'A');
    out.push_back({std::move(name), TRY(parse_limit(key, value))});
  } else if (key == "memory.swap.max") {
    out.push_back({"MemorySwapMax", TRY(parse_limit(key, value))});
  } else if (key == "pids.max") {
    out.push_back({"TasksMax", TRY(parse_limit(key, value))});
  }  // else: no property for it; the file is still written
  return {};
}

Result<void> add_v2_memory(UnitProperties& out, const oci::MemoryResources& m) {
  const std::int64_t limit = m.limit.value_or(0);
  if (limit != 0) out.push_back({"MemoryMax", as_limit(limit)});
  if (m.reservation.value_or(0) != 0) out.push_back({"MemoryLow", as_limit(*m.reservation)});
  const std::int64_t swap = TRY(swap_only(m.swap.value_or(0), limit));
  if (swap != 0) out.push_back({"MemorySwapMax", as_limit(swap)});
  return {};
}

}  // namespace

Result<SystemdPath> parse_systemd_path(std::string_view cgroups_path, std::string_view id) {
  if (cgroups_path.empty()) return SystemdPath{"", std::string(kDefaultUnitPrefix), std::string(id)};
  auto c1 = cgroups_path.find(':');
  auto c2 = c1 == std::string_view::npos ? c1 : cgroups_path.find(':', c1 + 1);
  if (c2 == std::string_view::npos || cgroups_path.find(':', c2 + 1) != std::string_view::npos)
    return fail(fmt::format("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, "
                            "got \"{}\" instead",
                            cgroups_path));
  return SystemdPath{std::string(cgroups_path.substr(0, c1)),
                     std::string(cgroups_path.substr(c1 + 1, c2 - c1 - 1)),
                     std::string(cgroups_path.substr(c2 + 1))};
}

bool is_slice(std::string_view unit) { return unit.ends_with(".slice"); }

std::string unit_name(const SystemdPath& p) {
  if (is_slice(p.name)) return p.name;
  return fmt::format("{}-{}.scope", p.prefix, p.name);
}

std::string slice_of(const SystemdPath& p) { return p.slice.empty() ? std::string(kDefaultSlice) : p.slice; }

Result<std::string> expand_slice(std::string_view slice) {
  constexpr std::string_view suffix = ".slice";
  auto invalid = [&] { return fail(fmt::format("invalid slice name: {}", slice)); };
  if (slice.size() < suffix.size() || !slice.ends_with(suffix) || slice.find('/') != std::string_view::npos)
    return invalid();
  const std::string_view name = slice.substr(0, slice.size() - suffix.size());
  if (name == "-") return std::string("/");
  std::string path, prefix;
  for (std::size_t start = 0;;) {
    const auto dash = name.find('-', start);
    const auto component = name.substr(start, dash == std::string_view::npos ? dash : dash - start);
    if (component.empty()) return invalid();  // "a--b.slice", "-a.slice", "a-.slice"
    path += fmt::format("/{}{}{}", prefix, component, suffix);
    prefix += fmt::format("{}-", component);
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  return path;
}

Result<std::string> unit_cgroup(const SystemdPath& p) {
  std::string slice = TRY(expand_slice(slice_of(p)));
  if (slice == "/") slice.clear();
  return fmt::format("{}/{}", slice, unit_name(p));
}

int parse_systemd_version(std::string_view text) {
  while (!text.empty() && (text.front() == '"' || text.front() == 'v')) text.remove_prefix(1);
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && end != text.data() ? v : -1;
}

UnitProperties unit_start_properties(const SystemdPath& p, pid_t pid, bool cgroup2) {
  const std::string unit = unit_name(p);
  UnitProperties out;
  out.push_back({"Description", "libcontainer container " + p.name});
  // A slice's parent is a dependency; a scope is placed in its slice.
  out.push_back({is_slice(unit) ? "Wants" : "Slice", slice_of(p)});
  if (pid > 0) out.push_back({"PIDs", std::vector<std::uint32_t>{static_cast<std::uint32_t>(pid)}});
  if (!is_slice(unit)) out.push_back({"Delegate", true});
  // Accounting on for every controller: the cgroup then has all of them,
  // as with the cgroupfs driver.
  out.push_back({"MemoryAccounting", true});
  out.push_back({"CPUAccounting", true});
  out.push_back({cgroup2 ? "IOAccounting" : "BlockIOAccounting", true});
  out.push_back({"TasksAccounting", true});
  out.push_back({"DefaultDependencies", false});
  return out;
}

Result<UnitProperties> resource_properties(const oci::Resources& r, bool cgroup2, const SystemdVersion& version) {
  UnitProperties out;
  if (r.memory) {
    if (cgroup2) {
      TRY_VOID(add_v2_memory(out, *r.memory));
    } else if (r.memory->limit.value_or(0) != 0) {
      out.push_back({"MemoryLimit", as_limit(*r.memory->limit)});
    }
  }
  if (r.cpu && r.cpu->shares.value_or(0) != 0) {
    if (cgroup2)
      out.push_back({"CPUWeight", cpu_shares_to_weight(*r.cpu->shares)});
    else
      out.push_back({"CPUShares", *r.cpu->shares});
  }
  if (r.cpu) add_cpu_quota(out, r.cpu->quota.value_or(0), r.cpu->period.value_or(0), version);
  if (r.block_io && r.block_io->weight.value_or(0) != 0) {
    if (cgroup2)
      out.push_back({"IOWeight", blkio_weight_to_io_weight(*r.block_io->weight)});
    else
      out.push_back({"BlockIOWeight", std::uint64_t{*r.block_io->weight}});
  }
  if (r.pids && (r.pids->limit > 0 || r.pids->limit == -1)) out.push_back({"TasksMax", as_limit(r.pids->limit)});
  if (r.cpu) TRY_VOID(add_cpuset(out, r.cpu->cpus, r.cpu->mems, version));
  if (cgroup2) {
    for (const auto& [key, value] : r.unified) TRY_VOID(add_unified_key(out, key, value, version));
  }
  return out;
}

namespace {

// One allowed pattern as systemd spells it, or "" when it cannot.
std::string device_allow_path(const DeviceRule& rule, const SystemdVersion& version) {
  const std::string_view group = rule.type == DeviceType::block ? "block-" : "char-";
  if (rule.major == any_number) {
    if (rule.minor != any_number) {
      log::warn("systemd doesn't support '*:n' device rules -- temporarily ignoring rule: {}", to_cgroup_line(rule));
      return "";
    }
    return fmt::format("{}*", group);
  }
  if (rule.minor == any_number) {
    if (version() >= kDeviceMajorGroupSince) return fmt::format("{}{}", group, rule.major);
    log::warn("systemd is too old for a '{}' device group -- temporarily ignoring rule: {}", group,
              to_cgroup_line(rule));
    return "";
  }
  return fmt::format("/dev/{}/{}:{}", rule.type == DeviceType::block ? "block" : "char", rule.major, rule.minor);
}

}  // namespace

Result<UnitProperties> device_properties(const std::vector<oci::DeviceRule>& config_rules,
                                         const SystemdVersion& version) {
  const auto rules = container_device_rules(config_rules);
  auto state = DeviceEmulator::from_rules(rules);
  if (!state) return std::unexpected(std::move(state).error().context("linux.resources.devices"));
  UnitProperties out{{"DevicePolicy", std::string("strict")}, {"DeviceAllow", std::vector<DeviceAllow>{}}};
  if (state->default_allow()) {
    if (state->exceptions().empty())
      return UnitProperties{{"DevicePolicy", std::string("auto")}, {"DeviceAllow", std::vector<DeviceAllow>{}}};
    // The files get the deny list right after; systemd denies all meanwhile.
    log::warn("systemd doesn't support blacklist device rules -- applying temporary deny-all rule");
    return out;
  }
  std::vector<DeviceAllow> allowed;
  for (const DeviceRule& rule : state->exceptions()) {
    std::string path = device_allow_path(rule, version);
    if (!path.empty()) allowed.push_back({std::move(path), access_letters(rule.access)});
  }
  out.push_back({"DeviceAllow", std::move(allowed)});
  return out;
}

Result<std::vector<std::uint8_t>> cpuset_bits(std::string_view list) {
  std::vector<std::uint8_t> bits;
  auto number = [](std::string_view s) -> Result<unsigned> {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || v >= (1u << 16))
      return fail(fmt::format("invalid number \"{}\"", s));
    return v;
  };
  for (std::size_t start = 0; start <= list.size();) {
    auto comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const auto range = trim_spaces(list.substr(start, comma - start));
    start = comma + 1;
    if (range.empty()) continue;
    const auto dash = range.find('-');
    const unsigned first = TRY(number(range.substr(0, dash)));
    const unsigned last = dash == std::string_view::npos ? first : TRY(number(range.substr(dash + 1)));
    if (first > last) return fail(fmt::format("invalid range \"{}\"", range));
    if (bits.size() <= last / 8) bits.resize(last / 8 + 1, 0);
    for (unsigned i = first; i <= last; ++i) bits[i / 8] = static_cast<std::uint8_t>(bits[i / 8] | 1u << (i % 8));
  }
  if (bits.empty()) return fail("empty value");
  return bits;
}

}  // namespace nucleus::cgroups
