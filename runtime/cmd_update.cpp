#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "command.hpp"
#include "go_syntax.hpp"
#include "nucleus/unique_fd.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {


void define_options(po::options_description& options) {
  options.add_options()
      ("resources,r", text(),
       "path to a file with the resources to update (a LinuxResources JSON document), or '-' "
       "for the standard input; all the other options are then ignored")
      ("blkio-weight", uint_value(0), "per cgroup weight, range is from 10 to 1000 (default: 0)")
      ("cpu-period", text(), "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default")
      ("cpu-quota", text(), "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period")
      ("cpu-burst", text(), "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period")
      ("cpu-share", text(), "CPU shares (relative weight vs. other containers)")
      ("cpu-rt-period", text(), "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default")
      ("cpu-rt-runtime", text(), "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period")
      ("cpu-idle", text(), "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE")
      ("cpuset-cpus", text(), "CPU(s) to use")
      ("cpuset-mems", text(), "memory node(s) to use")
      ("memory", text(), "memory limit (in bytes, or with a unit: 512m, 1g)")
      ("memory-reservation", text(), "memory reservation or soft_limit (in bytes)")
      ("memory-swap", text(), "total memory usage (memory + swap); set '-1' to enable unlimited swap")
      ("pids-limit", int_value(0), "maximum number of pids allowed in the container (default: 0)")
      ("l3-cache-schema", text(), "the string of Intel RDT/CAT L3 cache schema")
      ("mem-bw-schema", text(), "the string of Intel RDT/MBA memory bandwidth schema");
}

Result<std::string> read_input(const std::string& path) {
  UniqueFd owned;
  int fd = STDIN_FILENO;
  if (path != "-") {
    owned.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!owned) return fail_errno(fmt::format("open {}", path));
    fd = owned.get();
  }
  std::string text;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}", path == "-" ? "stdin" : path));
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

// A LinuxResources document (paths in errors are relative to it).
Result<oci::Resources> parse_resources(std::string_view text) {
  auto resources = oci::parse_resources(text);
  if (!resources) return fail(fmt::format("invalid resources: {}", resources.error().what()));
  return std::move(*resources);
}

// docker/go-units RAMInBytes: "1024", "512m", "1.5 GiB"; binary multiples.
std::optional<std::int64_t> parse_ram(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.')) ++n;
  if (n == 0 || s[0] == '.') return std::nullopt;
  const std::string number(s.substr(0, n));
  std::string_view unit = s.substr(n);
  if (unit.starts_with(' ')) unit.remove_prefix(1);
  double multiplier = 1;
  constexpr std::string_view kUnits = "kmgtp";
  if (!unit.empty()) {
    const std::size_t k = kUnits.find(static_cast<char>(unit[0] | 0x20));
    if (k != std::string_view::npos) {
      for (std::size_t i = 0; i <= k; ++i) multiplier *= 1024;
      unit.remove_prefix(1);
    }
  }
  if (!unit.empty() && (unit[0] == 'i' || unit[0] == 'I')) unit.remove_prefix(1);
  if (!unit.empty() && (unit[0] == 'b' || unit[0] == 'B')) unit.remove_prefix(1);
  char* end = nullptr;
  const double size = std::strtod(number.c_str(), &end);
  if (!unit.empty() || *end != '\0') return std::nullopt;
  const double bytes = size * multiplier;
  if (bytes >= 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(bytes);
}

template <typename T>
Result<std::optional<T>> decimal_flag(const ParsedArgs& args, const char* name) {
  const auto value = args.optional_text(name);
  if (!value || value->empty()) return std::nullopt;
  T parsed{};
  const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (ec != std::errc() || ptr != value->data() + value->size())
    return fail(fmt::format("invalid value for {}: strconv.Parse{}: parsing {}: {}", name,
                            std::is_signed_v<T> ? "Int" : "Uint", go_quote(*value),
                            ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax"));
  return parsed;
}

Result<std::optional<std::int64_t>> memory_flag(const ParsedArgs& args, const char* name) {
  const auto value = args.optional_text(name);
  if (!value || value->empty()) return std::nullopt;
  if (*value == "-1") return std::int64_t{-1};
  if (const auto bytes = parse_ram(*value)) return *bytes;
  return fail(fmt::format("invalid value for {}: invalid size: '{}'", name, *value));
}

Result<oci::CpuResources> cpu_flags(const ParsedArgs& args) {
  oci::CpuResources cpu;
  cpu.period = TRY(decimal_flag<std::uint64_t>(args, "cpu-period"));
  cpu.quota = TRY(decimal_flag<std::int64_t>(args, "cpu-quota"));
  cpu.burst = TRY(decimal_flag<std::uint64_t>(args, "cpu-burst"));
  cpu.shares = TRY(decimal_flag<std::uint64_t>(args, "cpu-share"));
  cpu.realtime_period = TRY(decimal_flag<std::uint64_t>(args, "cpu-rt-period"));
  cpu.realtime_runtime = TRY(decimal_flag<std::int64_t>(args, "cpu-rt-runtime"));
  cpu.idle = TRY(decimal_flag<std::int64_t>(args, "cpu-idle"));
  cpu.cpus = args.text("cpuset-cpus");
  cpu.mems = args.text("cpuset-mems");
  return cpu;
}

// The individual flags; only those given are set.
Result<oci::Resources> resources_from_flags(const ParsedArgs& args) {
  oci::Resources r;
  if (args.given("blkio-weight")) {
    const std::uint64_t weight = args.uint("blkio-weight");
    if (weight > 0xffff) return fail(fmt::format("invalid value for blkio-weight: {}", weight));
    r.block_io = oci::BlockIoResources{.weight = static_cast<std::uint16_t>(weight)};
  }
  if (oci::CpuResources cpu = TRY(cpu_flags(args)); cpu != oci::CpuResources{}) r.cpu = cpu;
  oci::MemoryResources memory;
  memory.limit = TRY(memory_flag(args, "memory"));
  memory.reservation = TRY(memory_flag(args, "memory-reservation"));
  memory.swap = TRY(memory_flag(args, "memory-swap"));
  if (memory != oci::MemoryResources{}) r.memory = memory;
  if (args.given("pids-limit")) r.pids = oci::PidsResources{.limit = args.integer("pids-limit")};
  return r;
}

Result<int> update(Context& ctx) {
  UpdateOptions opts;
  opts.id = ctx.id();
  if (const auto file = ctx.args.optional_text("resources")) {
    const std::string document = TRY(read_input(*file));
    opts.resources = TRY(parse_resources(document));
  } else {
    opts.resources = TRY(resources_from_flags(ctx.args));
    opts.l3_cache_schema = ctx.args.optional_text("l3-cache-schema");
    opts.mem_bw_schema = ctx.args.optional_text("mem-bw-schema");
  }
  TRY_VOID(update_container(ctx.runtime, opts));
  return 0;
}

}  // namespace

const Command cmd_update = {
    .name = "update",
    .summary = "update container resource constraints",
    .usage = "[command options] <container-id>",
    .description =
        "The update command changes the resource limits of a running container, from a\n"
        "LinuxResources JSON document (--resources FILE, or - for stdin) or from the\n"
        "individual flags. Only the values given change. For example:\n"
        "\n"
        "    {\"memory\": {\"limit\": 536870912}, \"cpu\": {\"shares\": 512}, \"pids\": {\"limit\": 100}}",
    .define_options = define_options,
    .run = update,
};

}  // namespace nucleus::cli
