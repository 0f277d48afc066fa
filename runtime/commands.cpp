#include <array>

#include <fmt/format.h>

#include "command.hpp"

namespace nucleus::cli {

namespace {

constexpr std::array kCommands{
    &cmd_checkpoint, &cmd_create, &cmd_delete, &cmd_events, &cmd_exec,    &cmd_kill,
    &cmd_list,       &cmd_pause,  &cmd_ps,     &cmd_restore, &cmd_resume, &cmd_run,
    &cmd_spec,       &cmd_start,  &cmd_state,  &cmd_update,  &cmd_features,
};

}  // namespace

std::span<const Command* const> all_commands() { return kCommands; }

const Command* find_command(std::string_view name) {
  for (const Command* cmd : kCommands)
    if (cmd->name == name) return cmd;
  return nullptr;
}

std::unexpected<Error> not_implemented(std::string_view verb) {
  return fail(fmt::format("\"{}\" is not implemented yet", verb));
}

}  // namespace nucleus::cli
