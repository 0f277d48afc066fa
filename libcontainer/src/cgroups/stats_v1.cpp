#include "cgroups/stats_v1.hpp"

#include <array>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/stat_files.hpp"
#include "cgroups/stats_v2.hpp"
#include "cgroups/v1.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// USER_HZ: cpuacct.stat counts in ticks of 1/100 s on Linux.
constexpr std::uint64_t clock_ticks = 100;
constexpr std::uint64_t ns_per_second = 1000000000;

Result<std::vector<std::uint64_t>> read_counter_list(const fs::path& file) {
  auto text = TRY(read_file(file));
  std::vector<std::uint64_t> out;
  for (auto f : fields(text)) out.push_back(TRY(parse_counter(f, file.native())));
  return out;
}

// cpuacct.stat: "user N\nsystem N\n" in ticks.
Result<void> read_cpuacct_modes(const fs::path& file, CpuUsage& out) {
  auto text = TRY(read_file(file));
  auto f = fields(text);
  if (f.size() < 4 || f[0] != "user" || f[2] != "system")
    return fail(fmt::format("read \"{}\": expected \"user N system N\", got \"{}\"", file.native(), trim(text)),
                EINVAL);
  out.user = TRY(parse_counter(f[1], file.native())) * ns_per_second / clock_ticks;
  out.kernel = TRY(parse_counter(f[3], file.native())) * ns_per_second / clock_ticks;
  return {};
}

// cpuacct.usage_all: a header, then "cpu user system" per CPU (kernel 4.7+).
Result<void> read_cpuacct_usage_all(const fs::path& file, CpuUsage& out) {
  auto text = read_file(file);
  if (!text && text.error().err() == ENOENT) return {};
  if (!text) return std::unexpected(std::move(text).error());
  auto rows = lines(*text);
  for (size_t i = 1; i < rows.size(); ++i) {
    auto f = fields(rows[i]);
    if (f.size() != 3) continue;
    out.percpu_user.push_back(TRY(parse_counter(f[1], file.native())));
    out.percpu_kernel.push_back(TRY(parse_counter(f[2], file.native())));
  }
  return {};
}

Result<void> read_memory_entry(const fs::path& dir, std::string_view module, bool optional, MemoryEntry& out) {
  auto file = [&](std::string_view name) { return dir / fmt::format("{}.{}", module, name); };
  auto usage = TRY(read_counter_if_present(file("usage_in_bytes")));
  if (!usage) {
    if (optional) return {};  // no swap or kmem accounting in this kernel
    return fail_errno(fmt::format("open \"{}\"", file("usage_in_bytes").native()), ENOENT);
  }
  out.usage = *usage;
  out.max = TRY(read_counter(file("max_usage_in_bytes")));
  out.failcnt = TRY(read_counter(file("failcnt")));
  out.limit = TRY(read_counter(file("limit_in_bytes")));
  return {};
}

// One blkio file: "MAJ:MIN [Op] VALUE" lines and a "Total N" line; nothing
// when the file is missing.
Result<std::vector<BlkioEntry>> read_blkio_file(const fs::path& file) {
  std::vector<BlkioEntry> out;
  auto text = read_file(file);
  if (!text && text.error().err() == ENOENT) return out;
  if (!text) return std::unexpected(std::move(text).error());
  for (auto line : lines(*text)) {
    auto f = fields(line);
    if (f.empty() || (f.size() == 2 && f[0] == "Total")) continue;
    auto colon = f[0].find(':');
    if ((f.size() != 2 && f.size() != 3) || colon == std::string_view::npos)
      return fail(fmt::format("read \"{}\": bad line \"{}\"", file.native(), line), EINVAL);
    BlkioEntry e;
    e.major = TRY(parse_counter(f[0].substr(0, colon), file.native()));
    e.minor = TRY(parse_counter(f[0].substr(colon + 1), file.native()));
    if (f.size() == 3) e.op = std::string(f[1]);
    e.value = TRY(parse_counter(f.back(), file.native()));
    out.push_back(std::move(e));
  }
  return out;
}

using BlkioField = std::vector<BlkioEntry> BlkioStats::*;
struct BlkioFile {
  const char* name;
  BlkioField field;
};

// runc's order; the first group whose first file has entries is the one read.
const std::array<std::vector<BlkioFile>, 5>& blkio_groups() {
  static const std::array<std::vector<BlkioFile>, 5> groups = {{
      {{"blkio.bfq.sectors_recursive", &BlkioStats::sectors_recursive},
       {"blkio.bfq.io_service_time_recursive", &BlkioStats::io_service_time_recursive},
       {"blkio.bfq.io_wait_time_recursive", &BlkioStats::io_wait_time_recursive},
       {"blkio.bfq.io_merged_recursive", &BlkioStats::io_merged_recursive},
       {"blkio.bfq.io_queued_recursive", &BlkioStats::io_queued_recursive},
       {"blkio.bfq.time_recursive", &BlkioStats::io_time_recursive},
       {"blkio.bfq.io_serviced_recursive", &BlkioStats::io_serviced_recursive},
       {"blkio.bfq.io_service_bytes_recursive", &BlkioStats::io_service_bytes_recursive}},
      {{"blkio.bfq.io_serviced_recursive", &BlkioStats::io_serviced_recursive},
       {"blkio.bfq.io_service_bytes_recursive", &BlkioStats::io_service_bytes_recursive}},
      {{"blkio.sectors_recursive", &BlkioStats::sectors_recursive},
       {"blkio.io_service_time_recursive", &BlkioStats::io_service_time_recursive},
       {"blkio.io_wait_time_recursive", &BlkioStats::io_wait_time_recursive},
       {"blkio.io_merged_recursive", &BlkioStats::io_merged_recursive},
       {"blkio.io_queued_recursive", &BlkioStats::io_queued_recursive},
       {"blkio.time_recursive", &BlkioStats::io_time_recursive},
       {"blkio.io_serviced_recursive", &BlkioStats::io_serviced_recursive},
       {"blkio.io_service_bytes_recursive", &BlkioStats::io_service_bytes_recursive}},
      {{"blkio.throttle.io_serviced_recursive", &BlkioStats::io_serviced_recursive},
       {"blkio.throttle.io_service_bytes_recursive", &BlkioStats::io_service_bytes_recursive}},
      {{"blkio.throttle.io_serviced", &BlkioStats::io_serviced_recursive},
       {"blkio.throttle.io_service_bytes", &BlkioStats::io_service_bytes_recursive}},
  }};
  return groups;
}

}  // namespace

Result<void> read_cpuacct_v1(const fs::path& dir, CpuStats& out) {
  if (!dir_exists(dir)) return {};
  TRY_VOID(read_cpuacct_modes(dir / "cpuacct.stat", out.usage));
  out.usage.total = TRY(read_counter(dir / "cpuacct.usage"));
  out.usage.percpu = TRY(read_counter_list(dir / "cpuacct.usage_percpu"));
  return read_cpuacct_usage_all(dir / "cpuacct.usage_all", out.usage);
}

Result<void> read_cpu_throttling_v1(const fs::path& dir, CpuStats& out) {
  auto text = read_file(dir / "cpu.stat");
  if (!text && text.error().err() == ENOENT) return {};
  if (!text) return std::unexpected(std::move(text).error());
  return for_each_keyed(*text, (dir / "cpu.stat").native(),
                        [&](std::string_view key, std::uint64_t value) -> Result<void> {
                          if (key == "nr_periods") out.throttling.periods = value;
                          if (key == "nr_throttled") out.throttling.throttled_periods = value;
                          if (key == "throttled_time") out.throttling.throttled_time = value;
                          return {};
                        });
}

Result<void> read_cpuset_v1(const fs::path& dir, CpusetStats& out) {
  auto list = [&](const char* name, std::vector<std::uint16_t>& to) -> Result<void> {
    auto text = read_file(dir / name);
    if (!text && text.error().err() == ENOENT) return {};
    if (!text) return std::unexpected(std::move(text).error());
    to = TRY(parse_id_list(*text, (dir / name).native()));
    return {};
  };
  auto counter = [&](const char* name, std::uint64_t& to) -> Result<void> {
    if (auto v = TRY(read_counter_if_present(dir / name))) to = *v;
    return {};
  };
  TRY_VOID(list("cpuset.cpus", out.cpus));
  TRY_VOID(counter("cpuset.cpu_exclusive", out.cpu_exclusive));
  TRY_VOID(list("cpuset.mems", out.mems));
  TRY_VOID(counter("cpuset.mem_hardwall", out.mem_hardwall));
  TRY_VOID(counter("cpuset.mem_exclusive", out.mem_exclusive));
  TRY_VOID(counter("cpuset.memory_migrate", out.memory_migrate));
  TRY_VOID(counter("cpuset.memory_spread_page", out.memory_spread_page));
  TRY_VOID(counter("cpuset.memory_spread_slab", out.memory_spread_slab));
  TRY_VOID(counter("cpuset.memory_pressure", out.memory_pressure));
  TRY_VOID(counter("cpuset.sched_load_balance", out.sched_load_balance));
  const auto level_file = dir / "cpuset.sched_relax_domain_level";
  auto level = read_file(level_file);
  if (!level && level.error().err() == ENOENT) return {};
  if (!level) return std::unexpected(std::move(level).error());
  out.sched_relax_domain_level = TRY(parse_signed(*level, level_file.native()));
  return {};
}

Result<void> read_memory_v1(const fs::path& dir, MemoryStats& out) {
  auto text = read_file(dir / "memory.stat");
  if (!text && text.error().err() == ENOENT) return {};
  if (!text) return std::unexpected(std::move(text).error());
  TRY_VOID(for_each_keyed(*text, (dir / "memory.stat").native(),
                          [&](std::string_view key, std::uint64_t value) -> Result<void> {
                            out.raw[std::string(key)] = value;
                            return {};
                          }));
  out.cache = out.raw["cache"];
  TRY_VOID(read_memory_entry(dir, "memory", false, out.usage));
  TRY_VOID(read_memory_entry(dir, "memory.memsw", true, out.swap));
  TRY_VOID(read_memory_entry(dir, "memory.kmem", true, out.kernel));
  return read_memory_entry(dir, "memory.kmem.tcp", true, out.kernel_tcp);
}

Result<void> read_pids_v1(const fs::path& dir, PidsStats& out) {
  if (!dir_exists(dir)) return {};
  out.current = TRY(read_counter(dir / "pids.current"));
  std::uint64_t max = TRY(read_counter(dir / "pids.max"));
  out.limit = max == UINT64_MAX ? 0 : max;
  return {};
}

Result<void> read_blkio_v1(const fs::path& dir, BlkioStats& out) {
  for (const auto& group : blkio_groups()) {
    for (size_t i = 0; i < group.size(); ++i) {
      auto entries = read_blkio_file(dir / group[i].name);
      if (i == 0 && (!entries || entries->empty())) break;  // not this group: try the next
      if (!entries) return std::unexpected(std::move(entries).error());
      if (entries->empty()) return {};  // runc stops at the first empty file of a group
      out.*group[i].field = std::move(*entries);
      if (i + 1 == group.size()) return {};
    }
  }
  return {};
}

Result<void> read_hugetlb_v1(const fs::path& dir, std::map<std::string, HugetlbStats>& out) {
  for (const auto& size : TRY(hugetlb_sizes(dir, ".usage_in_bytes"))) {
    auto file = [&](std::string_view name) { return dir / fmt::format("hugetlb.{}.{}", size, name); };
    HugetlbStats s;
    s.usage = TRY(read_counter(file("usage_in_bytes")));
    s.max = TRY(read_counter(file("max_usage_in_bytes")));
    s.failcnt = TRY(read_counter(file("failcnt")));
    out[size] = s;
  }
  return {};
}

// The v1 hierarchies, as runc's fs manager reads them; a controller with no
// v1 hierarchy is read from a hybrid host's cgroup2 dir where it has one
// there (runc 1.1 leaves it out).
Result<CgroupStats> V1Manager::stats() const {
  CgroupStats s;
  const V1Dir* u = unified();
  if (auto* d = find("cpuset")) TRY_VOID(read_cpuset_v1(d->dir, s.cpuset));
  if (auto* d = find("memory")) TRY_VOID(read_memory_v1(d->dir, s.memory));
  else if (u) TRY_VOID(read_memory_v2(u->dir, s.memory));
  if (auto* d = find("cpu")) TRY_VOID(read_cpu_throttling_v1(d->dir, s.cpu));
  if (auto* d = find("cpuacct")) TRY_VOID(read_cpuacct_v1(d->dir, s.cpu));
  if (!find("cpu") && !find("cpuacct") && u) TRY_VOID(read_cpu_v2(u->dir, s.cpu));
  if (auto* d = find("pids")) TRY_VOID(read_pids_v1(d->dir, s.pids));
  else if (u) TRY_VOID(read_pids_v2(u->dir, s.pids));
  if (auto* d = find("blkio")) TRY_VOID(read_blkio_v1(d->dir, s.blkio));
  else if (u) TRY_VOID(read_io_v2(u->dir, s.blkio));
  if (auto* d = find("hugetlb")) TRY_VOID(read_hugetlb_v1(d->dir, s.hugetlb));
  else if (u) TRY_VOID(read_hugetlb_v2(u->dir, s.hugetlb));
  return s;
}

}  // namespace nucleus::cgroups
