#include "global_flags.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "go_syntax.hpp"
#include "nucleus/rootless.hpp"

namespace nucleus::cli {

namespace {

// runc's shouldHonorXDGRuntimeDir: a user's state lives in its runtime dir;
// the real root keeps /run (even with XDG_RUNTIME_DIR=/run/user/0), and so
// does a root in a user namespace that calls itself root.
std::optional<std::filesystem::path> xdg_state_root() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (!xdg || !*xdg) return std::nullopt;
  std::filesystem::path root = std::filesystem::path(xdg) / "nucleus";
  if (::geteuid() != 0) return root;
  if (!running_in_user_namespace()) return std::nullopt;
  const char* user = std::getenv("USER");
  if (user && std::string_view(user) == "root") return std::nullopt;
  return root;
}

// runc prints this hint before the error when the XDG root cannot be made.
Result<void> prepare_xdg_state_root(const std::filesystem::path& root) {
  auto made = prepare_user_state_root(root);
  if (!made) std::fputs("the path in $XDG_RUNTIME_DIR must be writable by the user\n", stderr);
  return made;
}

// runc's shouldUseRootlessCgroupManager for "auto": not root, or root in a
// user namespace (whose cgroups it may well not own).
Result<bool> rootless(const ParsedArgs& globals) {
  const std::string value = globals.optional_text("rootless").value_or("auto");
  if (value == "auto") return ::geteuid() != 0 || running_in_user_namespace();
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
  const auto xdg_root = root ? std::nullopt : xdg_state_root();
  std::error_code ec;
  const std::filesystem::path chosen = root ? std::filesystem::path(*root) : xdg_root.value_or("/run/nucleus");
  rt.root = std::filesystem::absolute(chosen, ec);
  if (ec || rt.root.empty()) return fail(fmt::format("invalid --root {}", go_quote(root.value_or(""))));
  if (xdg_root) TRY_VOID(prepare_xdg_state_root(rt.root));
  rt.rootless = TRY(rootless(globals));
  rt.cgroup_driver = TRY(cgroup_driver(globals));
  rt.debug = globals.flag("debug");
  return rt;
}

}  // namespace nucleus::cli
