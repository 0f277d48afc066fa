#include <csignal>

#include "command.hpp"
#include "nucleus/container.hpp"
#include "signals.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()("all,a", flag(),
                        "send the specified signal to all processes inside the container");
}

Result<int> kill(Context& ctx) {
  const auto& words = ctx.args.positionals;
  int signal = SIGTERM;
  if (words.size() > 1) signal = TRY(parse_signal(words[1]));

  TRY_VOID(kill_container(ctx.runtime, ctx.id(), signal, ctx.args.flag("all")));
  return 0;
}

}  // namespace

const Command cmd_kill = {
    .name = "kill",
    .summary = "kill sends the specified signal (default: SIGTERM) to the container's init process",
    .usage = "[command options] <container-id> [signal]",
    .description =
        "The kill command sends a signal to the container's init process (or, with --all,\n"
        "to every process in the container). The signal is a number or a name, with or\n"
        "without the SIG prefix, in any case: 9, KILL, sigkill.\n"
        "\n"
        "    # nucleus kill ubuntu01 KILL",
    .max_args = 2,
    .define_options = define_options,
    .run = kill,
};

}  // namespace nucleus::cli
