#include "events/net_dev.hpp"

#include <sched.h>

#include <charconv>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/stat_files.hpp"
#include "exec/namespaces.hpp"

namespace nucleus::events {

namespace {

constexpr size_t kCounters = 16;  // 8 receive, 8 transmit

Result<std::uint64_t> counter(std::string_view field, std::string_view line) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc() || p != field.data() + field.size())
    return fail(fmt::format("read net/dev: bad counter \"{}\" in \"{}\"", field, cgroups::trim(line)), EINVAL);
  return v;
}

}  // namespace

Result<std::vector<NetworkInterface>> parse_net_dev(std::string_view text) {
  std::vector<NetworkInterface> out;
  auto rows = cgroups::lines(text);
  for (size_t i = 2; i < rows.size(); ++i) {
    auto colon = rows[i].find(':');
    if (colon == std::string_view::npos) continue;
    auto f = cgroups::fields(rows[i].substr(colon + 1));
    if (f.size() < kCounters)
      return fail(fmt::format("read net/dev: expected {} counters in \"{}\"", kCounters, cgroups::trim(rows[i])),
                  EINVAL);
    NetworkInterface n;
    n.name = std::string(cgroups::trim(rows[i].substr(0, colon)));
    n.rx_bytes = TRY(counter(f[0], rows[i]));
    n.rx_packets = TRY(counter(f[1], rows[i]));
    n.rx_errors = TRY(counter(f[2], rows[i]));
    n.rx_dropped = TRY(counter(f[3], rows[i]));
    n.tx_bytes = TRY(counter(f[8], rows[i]));
    n.tx_packets = TRY(counter(f[9], rows[i]));
    n.tx_errors = TRY(counter(f[10], rows[i]));
    n.tx_dropped = TRY(counter(f[11], rows[i]));
    out.push_back(std::move(n));
  }
  return out;
}

Result<std::vector<NetworkInterface>> namespace_interfaces(pid_t pid) {
  int differing = TRY(exec::differing_namespaces(fmt::format("/proc/{}/ns", pid)));
  if (!(differing & CLONE_NEWNET)) return std::vector<NetworkInterface>{};
  auto text = TRY(cgroups::read_file(fmt::format("/proc/{}/net/dev", pid)));
  return parse_net_dev(text);
}

}  // namespace nucleus::events
