#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "container_output.hpp"
#include "nucleus/container.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()
      ("format,f", text(), "select one of: table or json (default: \"table\")")
      ("quiet,q", flag(), "display only container IDs");
}

Result<int> list(Context& ctx) {
  const std::string format = ctx.args.optional_text("format").value_or("table");
  if (format != "table" && format != "json") return fail("invalid format option");
  const auto containers = TRY(list_containers(ctx.runtime));
  const std::string out = ctx.args.flag("quiet") ? list_ids(containers)
                          : format == "json"     ? list_json(containers)
                                                 : list_table(containers);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

const Command cmd_list = {
    .name = "list",
    .summary = "lists containers started by nucleus with the given root",
    .usage = "[command options]",
    .description =
        "The list command shows the containers under the global --root (default\n"
        "\"/run/nucleus\"):\n"
        "\n"
        "    # nucleus list\n"
        "    # nucleus --root /run/other list -f json",
    .min_args = 0,
    .max_args = 0,
    .takes_id = false,
    .define_options = define_options,
    .run = list,
};

}  // namespace nucleus::cli
