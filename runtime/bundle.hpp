// What create, run and restore share: the bundle flags and loading the
// bundle's config.json (parsed and validated before anything is touched).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include <oci/config.hpp>

#include "command.hpp"

namespace nucleus::cli {

// --bundle/-b, --console-socket, --pid-file, --no-pivot, --no-new-keyring,
// --preserve-fds, --pidfd-socket.
void define_create_options(po::options_description& options);

// The CreateOptions from whichever of those flags the verb defines; paths
// are made absolute (the bundle defaults to the current directory).
Result<CreateOptions> create_options(const Context& ctx);

// <bundle>/config.json, parsed and validated.
Result<oci::Config> load_bundle_config(const std::filesystem::path& bundle);

// `path` made absolute against the current directory and normalised.
std::filesystem::path absolute_path(std::string_view path);
// The flag's value as an absolute path; nullopt when not given or empty.
std::optional<std::filesystem::path> optional_path(const ParsedArgs& args, const char* name);

}  // namespace nucleus::cli
