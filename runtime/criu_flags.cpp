#include "criu_flags.hpp"

#include <fmt/format.h>

#include "bundle.hpp"

namespace nucleus::cli {

namespace {

Result<std::optional<CgroupsMode>> cgroups_mode(const ParsedArgs& args) {
  const auto mode = args.optional_text("manage-cgroups-mode");
  if (!mode || mode->empty()) return std::nullopt;
  if (*mode == "soft") return CgroupsMode::soft;
  if (*mode == "full") return CgroupsMode::full;
  if (*mode == "strict") return CgroupsMode::strict;
  if (*mode == "ignore") return CgroupsMode::ignore;
  return fail(fmt::format("invalid manage cgroups mode: {}", *mode));
}

}  // namespace

void define_criu_options(po::options_description& options, std::string_view image_path_help) {
  // Boost keeps the description as a std::string copy.
  const std::string image_help(image_path_help);
  options.add_options()
      ("image-path", text(), image_help.c_str())
      ("work-path", text(), "path for saving work files and logs")
      ("tcp-established", flag(), "allow open tcp connections")
      ("ext-unix-sk", flag(), "allow external unix sockets")
      ("shell-job", flag(), "allow shell jobs")
      ("file-locks", flag(), "handle file locks, for safety")
      ("lazy-pages", flag(), "use userfaultfd to lazily restore memory pages")
      ("auto-dedup", flag(), "enable auto deduplication of memory images")
      ("manage-cgroups-mode", text(), "cgroups mode: soft|full|strict|ignore (default: soft)")
      ("empty-ns", texts(), "create a namespace, but don't restore its properties (repeatable)");
}

Result<CriuOptions> criu_options(const ParsedArgs& args) {
  CriuOptions criu;
  criu.image_path = optional_path(args, "image-path").value_or(absolute_path("checkpoint"));
  criu.work_path = optional_path(args, "work-path");
  criu.tcp_established = args.flag("tcp-established");
  criu.ext_unix_sk = args.flag("ext-unix-sk");
  criu.shell_job = args.flag("shell-job");
  criu.file_locks = args.flag("file-locks");
  criu.lazy_pages = args.flag("lazy-pages");
  criu.auto_dedup = args.flag("auto-dedup");
  criu.manage_cgroups_mode = TRY(cgroups_mode(args));
  criu.empty_ns = args.texts("empty-ns");
  return criu;
}

}  // namespace nucleus::cli
