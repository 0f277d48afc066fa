#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()("force,f", flag(),
                        "forcibly delete the container if it is still running (uses SIGKILL)");
}

Result<int> remove(Context& ctx) {
  TRY_VOID(delete_container(ctx.runtime, ctx.id(), ctx.args.flag("force")));
  return 0;
}

}  // namespace

const Command cmd_delete = {
    .name = "delete",
    .summary = "delete any resources held by the container often used with detached container",
    .usage = "[command options] <container-id>",
    .description =
        "The delete command removes a stopped container: its state, its cgroup, and it\n"
        "runs its poststop hooks. A created container is killed first. With --force a\n"
        "running container is killed too, and an unknown id is not an error.",
    .define_options = define_options,
    .run = remove,
};

}  // namespace nucleus::cli
