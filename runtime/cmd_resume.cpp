#include "command.hpp"
#include "pending.hpp"

namespace nucleus::cli {

namespace {

Result<int> resume(Context& ctx) {
  TRY_VOID(pending::resume_container(ctx.runtime, ctx.id()));  // WIRE: resume_container
  return 0;
}

}  // namespace

const Command cmd_resume = {
    .name = "resume",
    .summary = "resumes all processes that have been previously paused (not implemented yet)",
    .usage = "<container-id>",
    .description =
        "Not implemented yet: the command fails, naming itself, and exits 1.\n"
        "What follows is the planned behaviour.\n"
        "\n"
        "The resume command lets the processes of a paused container run again.",
    .run = resume,
};

}  // namespace nucleus::cli
