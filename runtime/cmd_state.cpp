#include <cstdio>

#include <oci/parse.hpp>

#include "command.hpp"
#include "container_output.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

Result<int> state(Context& ctx) {
  const ContainerState s = TRY(container_state(ctx.runtime, ctx.id()));
  // runc prints it with a 2-space indent and no trailing newline.
  const std::string json = oci::to_json(to_runtime_state(s));
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace

const Command cmd_state = {
    .name = "state",
    .summary = "output the state of a container",
    .usage = "<container-id>",
    .description = "The state command prints the state of a container as JSON.",
    .run = state,
};

}  // namespace nucleus::cli
