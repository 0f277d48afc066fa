#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

Result<int> pause(Context& ctx) {
  TRY_VOID(pause_container(ctx.runtime, ctx.id()));
  return 0;
}

}  // namespace

const Command cmd_pause = {
    .name = "pause",
    .summary = "pause suspends all processes inside the container",
    .usage = "<container-id>",
    .description =
        "The pause command suspends all processes in the instance of the container (with\n"
        "the cgroup freezer: freezer.state on cgroup v1, cgroup.freeze on cgroup v2).\n"
        "\"nucleus state\" then reports the container as paused; \"nucleus resume\" lets it\n"
        "continue. A created container can be paused too; a stopped one cannot.\n"
        "\n"
        "Use nucleus list to identify instances of containers and their current status.",
    .run = pause,
};

}  // namespace nucleus::cli
