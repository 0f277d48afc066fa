// What `events` prints: one line per event in runc's types.Event shape,
// `{"type":"stats","id":ID,"data":{cpu,cpuset,memory,pids,blkio,hugetlb,
// intel_rdt,network_interfaces}}` or `{"type":"oom","id":ID}`, with runc
// 1.1's field names, order and omitempty rules, as Go's json.Encoder writes
// them (compact, a newline after each).
#pragma once

#include <string>

#include "nucleus/stats.hpp"

namespace nucleus::cli {

std::string stats_event_line(const std::string& id, const ContainerStats& stats);
std::string oom_event_line(const std::string& id);

}  // namespace nucleus::cli
