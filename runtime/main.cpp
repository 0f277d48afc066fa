// The nucleus binary: global flags, then one verb. Errors are logged here,
// once, and turned into runc's exit codes.
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.hpp"
#include "command.hpp"
#include "global_flags.hpp"
#include "go_syntax.hpp"
#include "help.hpp"
#include "logging.hpp"
#include "nucleus/protected_exe.hpp"

namespace nucleus::cli {

namespace {

constexpr int kUsageExit = 1;

char** g_argv = nullptr;  // main's, for a re-exec
constexpr int kUnknownCommandExit = 3;  // runc 1.1.5 (urfave/cli: "No help topic for ...")

void print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void report(std::string_view message) { log::error("{}", message); }

// runc prints the usage on stdout and logs the reason as an error.
int usage_failure(std::string_view heading, const std::string& help, std::string_view reason) {
  print(fmt::format("{}\n\n{}", heading, help));
  report(reason);
  return kUsageExit;
}

std::optional<std::string> arg_count_error(const Command& cmd, std::size_t count) {
  if (cmd.min_args == cmd.max_args && count != cmd.min_args)
    return fmt::format("nucleus: \"{}\" requires exactly {} argument(s)", cmd.name, cmd.min_args);
  if (count < cmd.min_args)
    return fmt::format("nucleus: \"{}\" requires a minimum of {} argument(s)", cmd.name, cmd.min_args);
  if (cmd.max_args != kAnyNumber && count > cmd.max_args)
    return fmt::format("nucleus: \"{}\" requires a maximum of {} argument(s)", cmd.name, cmd.max_args);
  return std::nullopt;
}

// Container ids name directories under --root: [A-Za-z0-9_+.-]+, not . or ..
Result<void> validate_id(std::string_view id) {
  if (id.empty()) return fail("container id cannot be empty");
  const bool valid_chars = id.find_first_not_of(
                               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_+.-") == std::string_view::npos;
  if (!valid_chars || id == "." || id == "..")
    return fail(fmt::format("invalid container ID format: {}", go_quote(id)));
  return {};
}

int run_command(const Command& cmd, RuntimeOptions runtime, std::span<const char* const> args) {
  po::options_description options;
  if (cmd.define_options) cmd.define_options(options);
  auto parsed = parse_args(args, options, cmd.after);
  if (!parsed) {
    const std::string& reason = parsed.error().message;
    return usage_failure(fmt::format("Incorrect Usage: {}", reason), command_help(cmd, options),
                         reason);
  }
  if (parsed->help) {
    print(command_help(cmd, options));
    return 0;
  }
  if (const auto error = arg_count_error(cmd, parsed->positionals.size()))
    return usage_failure("Incorrect Usage.", command_help(cmd, options), *error);
  if (cmd.takes_id) {
    if (auto valid = validate_id(parsed->positionals.front()); !valid) {
      report(valid.error().what());
      return 1;
    }
  }
  if (cmd.starts_container_process) {
    if (auto protected_view = run_from_protected_view(g_argv); !protected_view) {
      report(protected_view.error().what());
      return cmd.failure_exit;
    }
  }
  Context ctx{std::move(runtime), std::move(*parsed)};
  const Result<int> result = cmd.run(ctx);
  if (!result) {
    report(result.error().what());
    return cmd.failure_exit;
  }
  return *result;
}

// `nucleus help [verb]` (and `h`), as urfave/cli provides it.
int help_command(std::span<const std::string> topics) {
  if (topics.empty()) {
    print(global_help());
    return 0;
  }
  const Command* cmd = find_command(topics.front());
  if (!cmd) {
    report(fmt::format("No help topic for '{}'", topics.front()));
    return kUnknownCommandExit;
  }
  po::options_description options;
  if (cmd->define_options) cmd->define_options(options);
  print(command_help(*cmd, options));
  return 0;
}

Result<void> setup_logging(const ParsedArgs& globals) {
  const LogSettings settings = TRY(log_settings(globals));
  return configure_logging(settings);
}

int run_cli(std::span<const char* const> args) {
  install_log_sink();
  const po::options_description options = global_options();
  auto globals = parse_args(args, options, AfterPositional::positionals);
  if (!globals) {
    const std::string& reason = globals.error().message;
    return usage_failure(fmt::format("Incorrect Usage. {}", reason), global_help(), reason);
  }
  if (globals->flag("version")) {
    print(version_text());
    return 0;
  }
  if (globals->help || globals->flag("help") || globals->positionals.empty()) {
    print(global_help());
    return 0;
  }
  if (auto logging = setup_logging(*globals); !logging) {
    report(logging.error().what());
    return 1;
  }
  const std::vector<std::string>& words = globals->positionals;
  if (words.front() == "help" || words.front() == "h")
    return help_command(std::span(words).subspan(1));
  const Command* cmd = find_command(words.front());
  if (!cmd) {
    report(fmt::format("No help topic for '{}'", words.front()));
    return kUnknownCommandExit;
  }
  auto runtime = runtime_options(*globals);
  if (!runtime) {
    report(runtime.error().what());
    return 1;
  }
  std::vector<const char*> verb_args;
  for (std::size_t i = 1; i < words.size(); ++i) verb_args.push_back(words[i].c_str());
  return run_command(*cmd, std::move(*runtime), verb_args);
}

}  // namespace

}  // namespace nucleus::cli

int main(int argc, char** argv) {
  nucleus::cli::g_argv = argv;
  try {
    const int status = nucleus::cli::run_cli(
        std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0)));
    std::fflush(stdout);
    return status;
  } catch (const std::exception& e) {  // std and Boost throw; nothing may escape main
    nucleus::log::error("{}", e.what());
    return 1;
  }
}
