#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

Result<int> resume(Context& ctx) {
  TRY_VOID(resume_container(ctx.runtime, ctx.id()));
  return 0;
}

}  // namespace

const Command cmd_resume = {
    .name = "resume",
    .summary = "resumes all processes that have been previously paused",
    .usage = "<container-id>",
    .description =
        "The resume command thaws the processes of a paused container, which then\n"
        "continues as it was before \"nucleus pause\" (running, or created).\n"
        "\n"
        "Use nucleus list to identify instances of containers and their current status.",
    .run = resume,
};

}  // namespace nucleus::cli
