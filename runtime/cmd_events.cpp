#include <chrono>

#include "command.hpp"
#include "pending.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()
      ("interval", duration_value(std::chrono::seconds(5)),
       "set the stats collection interval, in Go syntax: 5s, 1m30s, 500ms (default: 5s)")
      ("stats", flag(), "display the container's stats then exit");
}

Result<int> events(Context& ctx) {
  const EventsOptions opts{
      .id = ctx.id(),
      .interval = ctx.args.duration("interval"),
      .stats_only = ctx.args.flag("stats"),
  };
  if (opts.interval <= std::chrono::nanoseconds::zero())
    return fail("duration interval must be greater than 0");
  TRY_VOID(pending::container_events(ctx.runtime, opts));  // WIRE: container_events
  return 0;
}

}  // namespace

const Command cmd_events = {
    .name = "events",
    .summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics (not implemented yet)",
    .usage = "[command options] <container-id>",
    .description =
        "Not implemented yet: the command fails, naming itself, and exits 1.\n"
        "What follows is the planned behaviour.\n"
        "\n"
        "The events command prints the container's events as JSON lines: its resource\n"
        "usage statistics every --interval (or once, with --stats), and OOM notifications.",
    .define_options = define_options,
    .run = events,
};

}  // namespace nucleus::cli
