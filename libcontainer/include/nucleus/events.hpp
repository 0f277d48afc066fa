// `events`: a container's resource usage once, or as a stream of events —
// usage every interval and OOM kills as they happen — until it stops.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "nucleus/container.hpp"
#include "nucleus/error.hpp"
#include "nucleus/stats.hpp"

namespace nucleus {

struct ContainerEvent {
  enum class Type { stats, oom };
  Type type = Type::stats;
  ContainerStats stats;  // for Type::stats
};

using EventSink = std::function<void(const ContainerEvent&)>;

// The usage of a created, running or paused container; a stopped one is
// runc's "container with id ID is not running".
Result<ContainerStats> container_stats(const RuntimeOptions& rt, const std::string& id);

// Calls sink with a stats event every `interval` (the first after one
// interval, as runc's ticker) and an oom event for each OOM kill in the
// container's cgroup, until the container's init exits or its cgroup is
// removed; then returns. A failure to read the stats is logged and that
// tick skipped, as runc does. Holds no lock: other verbs run meanwhile.
Result<void> watch_container_events(const RuntimeOptions& rt, const std::string& id,
                                    std::chrono::nanoseconds interval, const EventSink& sink);

}  // namespace nucleus
