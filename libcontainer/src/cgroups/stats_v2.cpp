#include "cgroups/stats_v2.hpp"

#include <algorithm>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/stat_files.hpp"
#include "cgroups/v2.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// A file of a controller that may not be enabled here: nullopt when missing.
Result<std::optional<std::string>> read_if_present(const fs::path& file) {
  auto text = read_file(file);
  if (!text && text.error().err() == ENOENT) return std::nullopt;
  if (!text) return std::unexpected(std::move(text).error());
  return std::move(*text);
}

// <name>.current and <name>.max; a zero entry when <name>.current is
// missing and `optional` (no swap accounting).
Result<MemoryEntry> read_memory_entry(const fs::path& dir, std::string_view name, bool optional) {
  MemoryEntry e;
  auto usage = TRY(read_counter_if_present(dir / fmt::format("{}.current", name)));
  if (!usage) {
    if (optional) return e;
    return fail_errno(fmt::format("open \"{}\"", (dir / fmt::format("{}.current", name)).native()), ENOENT);
  }
  e.usage = *usage;
  e.limit = TRY(read_counter(dir / fmt::format("{}.max", name)));
  return e;
}

// io.stat keys with a v1 name (runc skips the others: dbytes, dios, ...).
struct IoKey {
  std::string_view key;
  std::vector<BlkioEntry> BlkioStats::*table;
  const char* op;
};
constexpr IoKey io_keys[] = {
    {"rbytes", &BlkioStats::io_service_bytes_recursive, "Read"},
    {"wbytes", &BlkioStats::io_service_bytes_recursive, "Write"},
    {"rios", &BlkioStats::io_serviced_recursive, "Read"},
    {"wios", &BlkioStats::io_serviced_recursive, "Write"},
};

void add_io_entry(BlkioStats& out, std::uint64_t major, std::uint64_t minor, std::string_view key,
                  std::uint64_t value) {
  for (const auto& k : io_keys)
    if (k.key == key) (out.*k.table).push_back({major, minor, k.op, value});
}

}  // namespace

Result<void> read_cpu_v2(const fs::path& dir, CpuStats& out) {
  const auto file = dir / "cpu.stat";
  auto text = TRY(read_if_present(file));
  if (!text) return {};
  return for_each_keyed(*text, file.native(), [&](std::string_view key, std::uint64_t value) -> Result<void> {
    if (key == "usage_usec") out.usage.total = value * 1000;
    if (key == "user_usec") out.usage.user = value * 1000;
    if (key == "system_usec") out.usage.kernel = value * 1000;
    if (key == "nr_periods") out.throttling.periods = value;
    if (key == "nr_throttled") out.throttling.throttled_periods = value;
    if (key == "throttled_usec") out.throttling.throttled_time = value * 1000;
    return {};
  });
}

Result<void> read_memory_v2(const fs::path& dir, MemoryStats& out) {
  const auto file = dir / "memory.stat";
  auto text = TRY(read_if_present(file));
  if (!text) return {};
  TRY_VOID(for_each_keyed(*text, file.native(), [&](std::string_view key, std::uint64_t value) -> Result<void> {
    out.raw[std::string(key)] = value;
    return {};
  }));
  out.cache = out.raw["file"];
  out.usage = TRY(read_memory_entry(dir, "memory", false));
  // v1 reports swap as memory + swap; runc reports v2 alike.
  out.swap = TRY(read_memory_entry(dir, "memory.swap", true));
  out.swap.usage += out.usage.usage;
  if (out.swap.limit != UINT64_MAX) out.swap.limit += out.usage.limit;
  return {};
}

Result<void> read_pids_v2(const fs::path& dir, PidsStats& out) {
  auto current = TRY(read_counter_if_present(dir / "pids.current"));
  if (!current) {
    auto procs = TRY(read_file(dir / "cgroup.procs"));
    out.current = static_cast<std::uint64_t>(std::count(procs.begin(), procs.end(), '\n'));
    out.limit = 0;
    return {};
  }
  out.current = *current;
  std::uint64_t max = TRY(read_counter(dir / "pids.max"));
  out.limit = max == UINT64_MAX ? 0 : max;
  return {};
}

Result<void> read_io_v2(const fs::path& dir, BlkioStats& out) {
  const auto file = dir / "io.stat";
  auto text = TRY(read_if_present(file));
  if (!text) return {};
  for (auto line : lines(*text)) {
    auto f = fields(line);
    if (f.size() < 2) continue;
    auto colon = f[0].find(':');
    if (colon == std::string_view::npos) continue;
    auto major = TRY(parse_counter(f[0].substr(0, colon), file.native()));
    auto minor = TRY(parse_counter(f[0].substr(colon + 1), file.native()));
    for (size_t i = 1; i < f.size(); ++i) {
      auto eq = f[i].find('=');
      if (eq == std::string_view::npos) continue;
      auto value = TRY(parse_counter(f[i].substr(eq + 1), file.native()));
      add_io_entry(out, major, minor, f[i].substr(0, eq), value);
    }
  }
  return {};
}

Result<void> read_hugetlb_v2(const fs::path& dir, std::map<std::string, HugetlbStats>& out) {
  for (const auto& size : TRY(hugetlb_sizes(dir, ".current"))) {
    HugetlbStats s;
    s.usage = TRY(read_counter(dir / fmt::format("hugetlb.{}.current", size)));
    s.failcnt = TRY(read_keyed_counter(dir / fmt::format("hugetlb.{}.events", size), "max"));
    out[size] = s;
  }
  return {};
}

Result<CgroupStats> stats_v2(const fs::path& dir) {
  CgroupStats s;
  TRY_VOID(read_pids_v2(dir, s.pids));
  TRY_VOID(read_memory_v2(dir, s.memory));
  TRY_VOID(read_io_v2(dir, s.blkio));
  TRY_VOID(read_cpu_v2(dir, s.cpu));
  TRY_VOID(read_hugetlb_v2(dir, s.hugetlb));
  return s;
}

Result<CgroupStats> V2Manager::stats() const { return stats_v2(dir_); }

}  // namespace nucleus::cgroups
