// The help texts, laid out like runc's: NAME, USAGE, DESCRIPTION, OPTIONS.
#pragma once

#include <string>

#include "args.hpp"
#include "command.hpp"

namespace nucleus::cli {

// The global flags, shared by the parser and `nucleus --help`.
po::options_description global_options();

std::string command_help(const Command& cmd, const po::options_description& options);
std::string global_help();
std::string version_text();

}  // namespace nucleus::cli
