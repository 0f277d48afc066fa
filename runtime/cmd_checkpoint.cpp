#include "command.hpp"
#include "criu_flags.hpp"
#include "bundle.hpp"
#include "pending.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  define_criu_options(options, "path for saving criu image files (default: ./checkpoint)");
  options.add_options()
      ("parent-path", text(), "path for previous criu image files in pre-dump")
      ("leave-running", flag(), "leave the process running after checkpointing")
      ("status-fd", int_value(-1), "criu writes \\0 to this FD once lazy-pages is ready (default: -1)")
      ("page-server", text(), "ADDRESS:PORT of the page server")
      ("pre-dump", flag(), "dump container's memory information only, leave the container running after this")
      ("tcp-skip-in-flight", flag(), "skip in-flight tcp connections")
      ("link-remap", flag(), "allow one to link unlinked files back when possible");
}

Result<int> checkpoint(Context& ctx) {
  const ParsedArgs& args = ctx.args;
  CheckpointOptions opts;
  opts.id = ctx.id();
  opts.criu = TRY(criu_options(args));
  opts.parent_path = args.optional_text("parent-path");
  opts.leave_running = args.flag("leave-running");
  opts.pre_dump = args.flag("pre-dump");
  opts.status_fd = static_cast<int>(args.integer("status-fd"));
  opts.page_server = args.optional_text("page-server");
  opts.tcp_skip_in_flight = args.flag("tcp-skip-in-flight");
  opts.link_remap = args.flag("link-remap");
  TRY_VOID(pending::checkpoint_container(ctx.runtime, opts));  // WIRE: checkpoint_container
  return 0;
}

}  // namespace

const Command cmd_checkpoint = {
    .name = "checkpoint",
    .summary = "checkpoint a running container (not implemented yet)",
    .usage = "[command options] <container-id>",
    .description =
        "Not implemented yet: the command fails, naming itself, and exits 1.\n"
        "What follows is the planned behaviour.\n"
        "\n"
        "The checkpoint command saves the state of a running container with CRIU, so\n"
        "that \"nucleus restore\" can bring it back.",
    .define_options = define_options,
    .run = checkpoint,
};

}  // namespace nucleus::cli
