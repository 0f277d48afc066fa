#include "bundle.hpp"
#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  define_create_options(options);
  options.add_options()
      ("detach,d", flag(), "detach from the container's process")
      ("keep", flag(), "do not delete the container after it exits")
      ("no-subreaper", flag(), "disable the use of the subreaper used to reap reparented processes");
}

Result<int> run(Context& ctx) {
  const CreateOptions opts = TRY(create_options(ctx));
  const RunOptions run_opts{
      .detach = ctx.args.flag("detach"),
      .keep = ctx.args.flag("keep"),
      .no_subreaper = ctx.args.flag("no-subreaper"),
  };
  const oci::Config config = TRY(load_bundle_config(opts.bundle));
  return run_container(ctx.runtime, config, opts, run_opts);
}

}  // namespace

const Command cmd_run = {
    .name = "run",
    .summary = "create and run a container",
    .usage = "[command options] <container-id>",
    .description =
        "The run command creates a container from a bundle (a directory with a\n"
        "\"config.json\" and a root filesystem), starts it and waits for it to exit.\n"
        "It exits with the container's exit status, or 128+signal when the container's\n"
        "process was killed. With --detach it returns once the container has started.",
    .define_options = define_options,
    .run = run,
    .starts_container_process = true,
};

}  // namespace nucleus::cli
