#include "global_flags.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "go_syntax.hpp"

namespace nucleus::cli {

namespace {

std::filesystem::path default_root() {
  if (::geteuid() != 0) {
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
      return std::filesystem::path(xdg) / "nucleus";
  }
  return "/run/nucleus";
}

Result<bool> rootless(const ParsedArgs& globals) {
  const std::string value = globals.optional_text("rootless").value_or("auto");
  if (value == "auto") return ::geteuid() != 0;
  if (const auto b = parse_go_bool(value)) return *b;
  return fail(fmt::format("invalid value {} for flag -rootless: expected true, false or auto",
                          go_quote(value)));
}

Result<CgroupDriver> cgroup_driver(const ParsedArgs& globals) {
  const auto manager = globals.optional_text("cgroup-manager");
  if (!manager) return globals.flag("systemd-cgroup") ? CgroupDriver::systemd : CgroupDriver::cgroupfs;
  if (*manager == "cgroupfs") return CgroupDriver::cgroupfs;
  if (*manager == "systemd") return CgroupDriver::systemd;
  if (*manager == "disabled") return CgroupDriver::disabled;
  return fail(fmt::format(
      "invalid value {} for flag -cgroup-manager: expected cgroupfs, systemd or disabled",
      go_quote(*manager)));
}

}  // namespace

Result<LogSettings> log_settings(const ParsedArgs& globals) {
  LogSettings settings;
  settings.debug = globals.flag("debug");
  settings.file = globals.optional_text("log");
  const std::string format = globals.optional_text("log-format").value_or("text");
  if (format == "json")
    settings.format = LogFormat::json;
  else if (format != "text")
    return fail(fmt::format("invalid log-format: {}", format));
  return settings;
}

Result<RuntimeOptions> runtime_options(const ParsedArgs& globals) {
  RuntimeOptions rt;
  const auto root = globals.optional_text("root");
  std::error_code ec;
  rt.root = std::filesystem::absolute(root ? std::filesystem::path(*root) : default_root(), ec);
  if (ec || rt.root.empty()) return fail(fmt::format("invalid --root {}", go_quote(root.value_or(""))));
  rt.rootless = TRY(rootless(globals));
  rt.cgroup_driver = TRY(cgroup_driver(globals));
  rt.debug = globals.flag("debug");
  return rt;
}

}  // namespace nucleus::cli
