#include "bundle.hpp"
#include "command.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

Result<int> create(Context& ctx) {
  const CreateOptions opts = TRY(create_options(ctx));
  const oci::Config config = TRY(load_bundle_config(opts.bundle));
  TRY(create_container(ctx.runtime, config, opts));
  return 0;
}

}  // namespace

const Command cmd_create = {
    .name = "create",
    .summary = "create a container",
    .usage = "[command options] <container-id>",
    .description =
        "The create command creates an instance of a container for a bundle: a directory\n"
        "with a specification file named \"config.json\" and a root filesystem. The\n"
        "container's process is set up and waits until \"nucleus start\" runs it.\n"
        "\n"
        "<container-id> is your name for the instance of the container; it must be\n"
        "unique on the host and match [A-Za-z0-9_+.-]+.",
    .define_options = define_create_options,
    .run = create,
    .starts_container_process = true,
};

}  // namespace nucleus::cli
