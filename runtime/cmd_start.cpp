#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

Result<int> start(Context& ctx) {
  TRY_VOID(start_container(ctx.runtime, ctx.id()));
  return 0;
}

}  // namespace

const Command cmd_start = {
    .name = "start",
    .summary = "executes the user defined process in a created container",
    .usage = "<container-id>",
    .description = "The start command runs the user defined process of a created container.",
    .run = start,
};

}  // namespace nucleus::cli
