#include "events_json.hpp"

#include <oci/json.hpp>

namespace nucleus::cli {

namespace {

namespace json = oci::json;

// Go's `omitempty`: a zero number, an empty list or map is left out.
void put_nonzero(json::Object& o, const char* key, std::uint64_t v) {
  if (v != 0) o.emplace_back(key, json::Value(v));
}

template <typename T>
void put_nonempty(json::Object& o, const char* key, const std::vector<T>& list) {
  if (list.empty()) return;
  json::Array a;
  for (const auto& v : list) a.emplace_back(static_cast<std::uint64_t>(v));
  o.emplace_back(key, json::Value(std::move(a)));
}

json::Value cpu_value(const CpuStats& c) {
  json::Object usage;
  put_nonzero(usage, "total", c.usage.total);
  put_nonempty(usage, "percpu", c.usage.percpu);
  put_nonempty(usage, "percpu_kernel", c.usage.percpu_kernel);
  put_nonempty(usage, "percpu_user", c.usage.percpu_user);
  usage.emplace_back("kernel", json::Value(c.usage.kernel));
  usage.emplace_back("user", json::Value(c.usage.user));
  json::Object throttling;
  put_nonzero(throttling, "periods", c.throttling.periods);
  put_nonzero(throttling, "throttledPeriods", c.throttling.throttled_periods);
  put_nonzero(throttling, "throttledTime", c.throttling.throttled_time);
  return json::Object{{"usage", std::move(usage)}, {"throttling", std::move(throttling)}};
}

json::Value cpuset_value(const CpusetStats& c) {
  json::Object o;
  put_nonempty(o, "cpus", c.cpus);
  o.emplace_back("cpu_exclusive", json::Value(c.cpu_exclusive));
  put_nonempty(o, "mems", c.mems);
  o.emplace_back("mem_hardwall", json::Value(c.mem_hardwall));
  o.emplace_back("mem_exclusive", json::Value(c.mem_exclusive));
  o.emplace_back("memory_migrate", json::Value(c.memory_migrate));
  o.emplace_back("memory_spread_page", json::Value(c.memory_spread_page));
  o.emplace_back("memory_spread_slab", json::Value(c.memory_spread_slab));
  o.emplace_back("memory_pressure", json::Value(c.memory_pressure));
  o.emplace_back("sched_load_balance", json::Value(c.sched_load_balance));
  o.emplace_back("sched_relax_domain_level", json::Value(static_cast<long long>(c.sched_relax_domain_level)));
  return o;
}

json::Value memory_entry_value(const MemoryEntry& e) {
  json::Object o{{"limit", json::Value(e.limit)}};
  put_nonzero(o, "usage", e.usage);
  put_nonzero(o, "max", e.max);
  o.emplace_back("failcnt", json::Value(e.failcnt));
  return o;
}

json::Value memory_value(const MemoryStats& m) {
  json::Object o;
  put_nonzero(o, "cache", m.cache);
  o.emplace_back("usage", memory_entry_value(m.usage));
  o.emplace_back("swap", memory_entry_value(m.swap));
  o.emplace_back("kernel", memory_entry_value(m.kernel));
  o.emplace_back("kernelTCP", memory_entry_value(m.kernel_tcp));
  if (!m.raw.empty()) {
    json::Object raw;  // std::map: sorted, as Go writes map keys
    for (const auto& [k, v] : m.raw) raw.emplace_back(k, json::Value(v));
    o.emplace_back("raw", std::move(raw));
  }
  return o;
}

json::Value pids_value(const PidsStats& p) {
  json::Object o;
  put_nonzero(o, "current", p.current);
  put_nonzero(o, "limit", p.limit);
  return o;
}

void put_blkio(json::Object& o, const char* key, const std::vector<BlkioEntry>& entries) {
  if (entries.empty()) return;
  json::Array a;
  for (const auto& e : entries) {
    json::Object entry;
    put_nonzero(entry, "major", e.major);
    put_nonzero(entry, "minor", e.minor);
    if (!e.op.empty()) entry.emplace_back("op", json::Value(e.op));
    put_nonzero(entry, "value", e.value);
    a.emplace_back(std::move(entry));
  }
  o.emplace_back(key, json::Value(std::move(a)));
}

json::Value blkio_value(const BlkioStats& b) {
  json::Object o;
  put_blkio(o, "ioServiceBytesRecursive", b.io_service_bytes_recursive);
  put_blkio(o, "ioServicedRecursive", b.io_serviced_recursive);
  put_blkio(o, "ioQueueRecursive", b.io_queued_recursive);
  put_blkio(o, "ioServiceTimeRecursive", b.io_service_time_recursive);
  put_blkio(o, "ioWaitTimeRecursive", b.io_wait_time_recursive);
  put_blkio(o, "ioMergedRecursive", b.io_merged_recursive);
  put_blkio(o, "ioTimeRecursive", b.io_time_recursive);
  put_blkio(o, "sectorsRecursive", b.sectors_recursive);
  return o;
}

json::Value hugetlb_value(const std::map<std::string, HugetlbStats>& sizes) {
  json::Object o;
  for (const auto& [size, h] : sizes) {
    json::Object entry;
    put_nonzero(entry, "usage", h.usage);
    put_nonzero(entry, "max", h.max);
    entry.emplace_back("failcnt", json::Value(h.failcnt));
    o.emplace_back(size, std::move(entry));
  }
  return o;
}

// runc's NetworkInterface has no json tags: Go's field names; a nil list is null.
json::Value interfaces_value(const std::vector<NetworkInterface>& interfaces) {
  if (interfaces.empty()) return json::Value(nullptr);
  json::Array a;
  for (const auto& n : interfaces) {
    a.emplace_back(json::Object{{"Name", json::Value(n.name)},
                                {"RxBytes", json::Value(n.rx_bytes)},
                                {"RxPackets", json::Value(n.rx_packets)},
                                {"RxErrors", json::Value(n.rx_errors)},
                                {"RxDropped", json::Value(n.rx_dropped)},
                                {"TxBytes", json::Value(n.tx_bytes)},
                                {"TxPackets", json::Value(n.tx_packets)},
                                {"TxErrors", json::Value(n.tx_errors)},
                                {"TxDropped", json::Value(n.tx_dropped)}});
  }
  return a;
}

}  // namespace

std::string stats_event_line(const std::string& id, const ContainerStats& stats) {
  const CgroupStats& c = stats.cgroup;
  json::Object data{
      {"cpu", cpu_value(c.cpu)},
      {"cpuset", cpuset_value(c.cpuset)},
      {"memory", memory_value(c.memory)},
      {"pids", pids_value(c.pids)},
      {"blkio", blkio_value(c.blkio)},
      {"hugetlb", hugetlb_value(c.hugetlb)},
      {"intel_rdt", json::Object{}},  // no Intel RDT support
      {"network_interfaces", interfaces_value(stats.interfaces)},
  };
  json::Object event{{"type", "stats"}, {"id", id}, {"data", std::move(data)}};
  return json::write(json::Value(std::move(event))) + '\n';
}

std::string oom_event_line(const std::string& id) {
  return json::write(json::Value(json::Object{{"type", "oom"}, {"id", id}})) + '\n';
}

}  // namespace nucleus::cli
