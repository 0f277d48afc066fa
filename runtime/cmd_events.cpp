#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "events_json.hpp"
#include "nucleus/events.hpp"
#include "verb_options.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()
      ("interval", duration_value(std::chrono::seconds(5)),
       "set the stats collection interval, in Go syntax: 5s, 1m30s, 500ms (default: 5s)")
      ("stats", flag(), "display the container's stats then exit");
}

// Each line goes out whole and at once: a reader acts on it as it comes.
void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

Result<int> events(Context& ctx) {
  const EventsOptions opts{
      .id = ctx.id(),
      .interval = ctx.args.duration("interval"),
      .stats_only = ctx.args.flag("stats"),
  };
  if (opts.interval <= std::chrono::nanoseconds::zero()) {
    TRY_VOID(container_state(ctx.runtime, opts.id));  // runc: a missing container is the error first
    return fail("duration interval must be greater than 0");
  }
  if (opts.stats_only) {
    print_line(stats_event_line(opts.id, TRY(container_stats(ctx.runtime, opts.id))));
    return 0;
  }
  TRY_VOID(watch_container_events(ctx.runtime, opts.id, opts.interval, [&](const ContainerEvent& e) {
    print_line(e.type == ContainerEvent::Type::oom ? oom_event_line(opts.id) : stats_event_line(opts.id, e.stats));
  }));
  return 0;
}

}  // namespace

const Command cmd_events = {
    .name = "events",
    .summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    .usage = "[command options] <container-id>",
    .description =
        "The events command displays information about the container, as JSON lines in\n"
        "runc's format: {\"type\":\"stats\",\"id\":...,\"data\":{...}} with the container's\n"
        "cpu, memory, pids, blkio, hugetlb and network usage every --interval (5s by\n"
        "default), and {\"type\":\"oom\",\"id\":...} when the kernel's OOM killer acts in the\n"
        "container's cgroup. It runs until the container stops. With --stats it prints\n"
        "the usage once and exits.",
    .define_options = define_options,
    .run = events,
};

}  // namespace nucleus::cli
