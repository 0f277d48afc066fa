#include "command.hpp"
#include "pending.hpp"

namespace nucleus::cli {

namespace {

Result<int> pause(Context& ctx) {
  TRY_VOID(pending::pause_container(ctx.runtime, ctx.id()));  // WIRE: pause_container
  return 0;
}

}  // namespace

const Command cmd_pause = {
    .name = "pause",
    .summary = "pause suspends all processes inside the container (not implemented yet)",
    .usage = "<container-id>",
    .description =
        "Not implemented yet: the command fails, naming itself, and exits 1.\n"
        "What follows is the planned behaviour.\n"
        "\n"
        "The pause command suspends all processes in the container (with the cgroup\n"
        "freezer); \"nucleus resume\" lets them continue.",
    .run = pause,
};

}  // namespace nucleus::cli
