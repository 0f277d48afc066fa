// One verb of the CLI: its help text, its flags, how many positionals it takes,
// and the function that runs it. Each cmd_<verb>.cpp defines one Command.
#pragma once

#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "args.hpp"
#include "nucleus/container.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cli {

// What a verb gets: the global flags, resolved, and its own parsed arguments
// (the positional count and the container id are already checked).
struct Context {
  RuntimeOptions runtime;
  ParsedArgs args;
  const std::string& id() const { return args.positionals.at(0); }
};

inline constexpr unsigned kAnyNumber = std::numeric_limits<unsigned>::max();

struct Command {
  std::string_view name;
  std::string_view summary;      // one line, in `nucleus --help`
  std::string_view usage;        // after "nucleus <verb> "
  std::string_view description;  // paragraphs after USAGE; may be empty
  unsigned min_args = 1;
  unsigned max_args = 1;
  bool takes_id = true;  // the first positional is a container id
  AfterPositional after = AfterPositional::flags;
  void (*define_options)(po::options_description&) = nullptr;
  // Returns the exit code; an error is logged by main, which then exits with
  // failure_exit.
  Result<int> (*run)(Context&) = nullptr;
  int failure_exit = 1;
  // Starts a process inside a container: runs from a protected view of the
  // binary (nucleus/protected_exe.hpp).
  bool starts_container_process = false;
};

extern const Command cmd_checkpoint, cmd_create, cmd_delete, cmd_events, cmd_exec, cmd_features,
    cmd_kill, cmd_list, cmd_pause, cmd_ps, cmd_restore, cmd_resume, cmd_run, cmd_spec,
    cmd_start, cmd_state, cmd_update;

// All verbs, in the order `nucleus --help` lists them.
std::span<const Command* const> all_commands();
const Command* find_command(std::string_view name);

// The error a verb returns while its libcontainer entry point does not exist.
std::unexpected<Error> not_implemented(std::string_view verb);

}  // namespace nucleus::cli
