// The CRIU flags checkpoint and restore share.
#pragma once

#include "command.hpp"
#include "verb_options.hpp"

namespace nucleus::cli {

// --image-path, --work-path, --tcp-established, --ext-unix-sk, --shell-job,
// --file-locks, --lazy-pages, --auto-dedup, --manage-cgroups-mode, --empty-ns.
void define_criu_options(po::options_description& options, std::string_view image_path_help);
// --image-path defaults to <cwd>/checkpoint, as in runc.
Result<CriuOptions> criu_options(const ParsedArgs& args);

}  // namespace nucleus::cli
