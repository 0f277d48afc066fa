#include "bundle.hpp"

#include <unistd.h>

#include <cerrno>
#include <limits>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "nucleus/rootless.hpp"

namespace nucleus::cli {

void define_create_options(po::options_description& options) {
  options.add_options()
      ("bundle,b", text(), "path to the root of the bundle directory, defaults to the current directory")
      ("console-socket", text(),
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
       "end of the console's pseudoterminal")
      ("pidfd-socket", text(),
       "path to an AF_UNIX socket which will receive a pidfd of the container's init process")
      ("pid-file", text(), "specify the file to write the process id to")
      ("no-pivot", flag(),
       "do not use pivot root to jail process inside rootfs (for a rootfs on a ramdisk)")
      ("no-new-keyring", flag(),
       "do not create a new session keyring for the container; it inherits the caller's")
      ("preserve-fds", uint_value(0),
       "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) "
       "(default: 0)");
}

std::filesystem::path absolute_path(std::string_view path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) return std::filesystem::path(path);
  p = p.lexically_normal();
  if (p.has_relative_path() && !p.has_filename()) p = p.parent_path();  // drop a trailing '/'
  return p;
}

std::optional<std::filesystem::path> optional_path(const ParsedArgs& args, const char* name) {
  const auto value = args.optional_text(name);
  if (!value || value->empty()) return std::nullopt;
  return absolute_path(*value);
}

Result<CreateOptions> create_options(const Context& ctx) {
  const ParsedArgs& args = ctx.args;
  CreateOptions opts;
  opts.id = ctx.id();
  const std::string bundle = args.text("bundle");
  opts.bundle = absolute_path(bundle.empty() ? "." : bundle);
  opts.pid_file = optional_path(args, "pid-file");
  opts.console_socket = optional_path(args, "console-socket");
  opts.no_pivot = args.flag("no-pivot");
  opts.no_new_keyring = args.flag("no-new-keyring");
  if (args.values.count("preserve-fds")) {
    const std::uint64_t n = args.uint("preserve-fds");
    if (n > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
      return fail(fmt::format("invalid --preserve-fds {}: too many file descriptors", n));
    opts.preserve_fds = static_cast<unsigned>(n);
  }
  opts.pidfd_socket = optional_path(args, "pidfd-socket");
  return opts;
}

Result<oci::Config> load_bundle_config(const std::filesystem::path& bundle) {
  const std::filesystem::path file = bundle / "config.json";
  auto config = oci::load_config(file);
  if (!config) {
    if (::access(file.c_str(), F_OK) != 0 && errno == ENOENT)
      return fail(fmt::format("JSON specification file {} not found", file.string()));
    return fail(config.error().what());
  }
  if (rootless_euid() && config->linux && config->process) TRY_VOID(check_rootless_config(*config));
  if (auto valid = oci::validate(*config); !valid)
    return fail(fmt::format("{}: {}", file.string(), valid.error().what()));
  return std::move(*config);
}

}  // namespace nucleus::cli
