#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "command.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()
      ("bundle,b", text(), "path to the root of the bundle directory")
      ("rootless", flag(), "generate a configuration for a rootless container");
}

// Creates `file` with `content`, refusing to replace an existing one.
Result<void> write_new_file(const std::filesystem::path& file, std::string_view content) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd && errno == EEXIST) return fail("File config.json exists. Remove it first");
  if (!fd) return fail_errno(fmt::format("open {}", file.string()));
  while (!content.empty()) {
    const ssize_t n = ::write(fd.get(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::unlink(file.c_str());  // leave no half-written config behind
      return fail_errno(fmt::format("write {}", file.string()), err);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// runc's IsCgroup2UnifiedMode: cgroup2 mounted at /sys/fs/cgroup itself.
bool cgroup2_unified() {
  struct statfs st {};
  return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

Result<int> spec(Context& ctx) {
  const std::string bundle = ctx.args.text("bundle");
  const std::filesystem::path file =
      bundle.empty() ? std::filesystem::path("config.json") : std::filesystem::path(bundle) / "config.json";
  const oci::Config config = oci::default_config(ctx.args.flag("rootless"), cgroup2_unified());
  TRY_VOID(write_new_file(file, oci::to_json(config, {.indent = 2}) + '\n'));
  return 0;
}

}  // namespace

const Command cmd_spec = {
    .name = "spec",
    .summary = "create a new specification file",
    .usage = "[command options]",
    .description =
        "The spec command writes a starter \"config.json\" for a bundle (in the current\n"
        "directory, or the one given with --bundle). It runs \"sh\" in a container with\n"
        "the usual namespaces, mounts and a minimal set of capabilities; edit it to suit.\n"
        "It refuses to overwrite an existing config.json.\n"
        "\n"
        "With --rootless the configuration maps your user to root in a new user\n"
        "namespace and does without what needs privileges, so you can run it as yourself.\n"
        "\n"
        "    mkdir -p bundle/rootfs && cd bundle\n"
        "    tar -C rootfs -xf image.tar\n"
        "    nucleus spec\n"
        "    nucleus run mycontainer",
    .min_args = 0,
    .max_args = 0,
    .takes_id = false,
    .define_options = define_options,
    .run = spec,
};

}  // namespace nucleus::cli
