#include "bundle.hpp"
#include "command.hpp"
#include "criu_flags.hpp"
#include "pending.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  define_criu_options(options, "path to criu image files for restoring (default: ./checkpoint)");
  options.add_options()
      ("console-socket", text(),
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
       "end of the console's pseudoterminal")
      ("bundle,b", text(), "path to the root of the bundle directory")
      ("detach,d", flag(), "detach from the container's process")
      ("pid-file", text(), "specify the file to write the process id to")
      ("no-subreaper", flag(), "disable the use of the subreaper used to reap reparented processes")
      ("no-pivot", flag(), "do not use pivot root to jail process inside rootfs (for a rootfs on a ramdisk)")
      ("lsm-profile", text(), "specify an LSM profile to be used during restore in the form of TYPE:NAME")
      ("lsm-mount-context", text(), "specify an LSM mount context to be used during restore");
}

Result<int> restore(Context& ctx) {
  const ParsedArgs& args = ctx.args;
  const CreateOptions create = TRY(create_options(ctx));
  RestoreOptions opts;
  opts.criu = TRY(criu_options(args));
  opts.detach = args.flag("detach");
  opts.no_subreaper = args.flag("no-subreaper");
  opts.lsm_profile = args.optional_text("lsm-profile");
  opts.lsm_mount_context = args.optional_text("lsm-mount-context");
  const oci::Config config = TRY(load_bundle_config(create.bundle));
  return pending::restore_container(ctx.runtime, config, create, opts);  // WIRE: restore_container
}

}  // namespace

const Command cmd_restore = {
    .name = "restore",
    .summary = "restore a container from a previous checkpoint (not implemented yet)",
    .usage = "[command options] <container-id>",
    .description =
        "Not implemented yet: the command fails, naming itself, and exits 1.\n"
        "What follows is the planned behaviour.\n"
        "\n"
        "The restore command brings back a container saved by \"nucleus checkpoint\",\n"
        "under the name <container-id>.",
    .define_options = define_options,
    .run = restore,
};

}  // namespace nucleus::cli
