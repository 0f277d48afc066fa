#include "help.hpp"

#include <seccomp.h>

#include <algorithm>

#include <boost/program_options/cmdline.hpp>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "build_info.hpp"

namespace nucleus::cli {

namespace {

constexpr std::string_view kIntro =
    "nucleus is an Open Container Initiative runtime: it creates and runs containers\n"
    "from bundles (a directory with a config.json and a root filesystem), as a\n"
    "drop-in replacement for runc.\n"
    "\n"
    "To start a new instance of a container:\n"
    "\n"
    "    # nucleus run [ -b bundle ] <container-id>\n";

// "--bundle value, -b value" / "--force, -f"
std::string flag_column(const po::option_description& d) {
  const bool takes_value = d.semantic()->max_tokens() > 0;
  const std::string suffix = takes_value ? " value" : "";
  std::string column = fmt::format("--{}{}", d.long_name(), suffix);
  const std::string shorter = d.canonical_display_name(po::command_line_style::allow_dash_for_short);
  if (shorter.size() == 2 && shorter[0] == '-') column += fmt::format(", {}{}", shorter, suffix);
  return column;
}

std::string options_block(const po::options_description& options) {
  std::size_t width = 0;
  for (const auto& d : options.options()) width = std::max(width, flag_column(*d).size());
  std::string out;
  for (const auto& d : options.options())
    out += fmt::format("   {:<{}}  {}\n", flag_column(*d), width, d->description());
  return out;
}

// Each line of `text` indented by three spaces, like the rest of the help.
std::string indented(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    out += line.empty() ? "\n" : fmt::format("   {}\n", line);
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return out;
}

}  // namespace

po::options_description global_options() {
  po::options_description d;
  d.add_options()
      ("debug", flag(), "enable debug logging")
      ("log", text(), "set the log file to write nucleus logs to (default is stderr)")
      ("log-format", text(), "set the log format ('text' (default), or 'json')")
      ("root", text(),
       "root directory for storage of container state (this should be located in tmpfs) "
       "(default: \"/run/nucleus\", or \"$XDG_RUNTIME_DIR/nucleus\" when not root)")
      ("criu", text(), "path to the criu binary (accepted for compatibility, ignored)")
      ("systemd-cgroup", flag(),
       "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" "
       "for e.g. \"system.slice:nucleus:434234\"")
      ("cgroup-manager", text(), "cgroup manager: 'cgroupfs' (default), 'systemd' or 'disabled'")
      ("rootless", text(),
       "ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")")
      ("help,h", flag(), "show help")
      ("version,v", flag(), "print the version");
  return d;
}

std::string command_help(const Command& cmd, const po::options_description& options) {
  std::string out = fmt::format("NAME:\n   nucleus {} - {}\n\nUSAGE:\n   nucleus {}{}{}\n", cmd.name,
                                cmd.summary, cmd.name, cmd.usage.empty() ? "" : " ", cmd.usage);
  if (!cmd.description.empty()) out += fmt::format("\nDESCRIPTION:\n{}", indented(cmd.description));
  if (!options.options().empty()) out += fmt::format("\nOPTIONS:\n{}", options_block(options));
  return out;
}

std::string global_help() {
  std::string commands;
  for (const Command* cmd : all_commands())
    commands += fmt::format("   {:<10}  {}\n", cmd->name, cmd->summary);
  commands += fmt::format("   {:<10}  {}\n", "help, h", "show a list of commands or help for one command");
  return fmt::format(
      "NAME:\n   nucleus - Open Container Initiative runtime\n\n{}\n"
      "USAGE:\n   nucleus [global options] command [command options] [arguments...]\n\n"
      "VERSION:\n{}\nCOMMANDS:\n{}\nGLOBAL OPTIONS:\n{}",
      indented(kIntro), indented(version_text()), commands, options_block(global_options()));
}

std::string version_text() {
  const scmp_version* seccomp = seccomp_version();
  return fmt::format("nucleus version {}\ncommit: {}\nspec: {}\nlibseccomp: {}.{}.{}\n",
                     kNucleusVersion, kNucleusCommit, oci::kSpecVersion, seccomp->major,
                     seccomp->minor, seccomp->micro);
}

}  // namespace nucleus::cli
