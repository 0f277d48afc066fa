#include "nucleus/hooks.hpp"

#include <string.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nucleus/log.hpp"
#include "supervise.hpp"

namespace nucleus::hooks {
namespace {

// Go's names for signals ("killed", "segmentation fault"): glibc's
// descriptions with the first letter lowered.
std::string describe_signal(int sig) {
  const char* d = ::sigdescr_np(sig);
  std::string s = d ? d : fmt::format("signal {}", sig);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// The text of a failed hook as runc (Go's exec.ExitError) words it.
std::string describe_end(const detail::ExitStatus& st) {
  if (!st.signaled) return fmt::format("exit status {}", st.code);
  return fmt::format("signal: {}{}", describe_signal(st.code),
                     st.core_dumped ? " (core dumped)" : "");
}

}  // namespace

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::prestart:
      return "prestart";
    case Kind::create_runtime:
      return "createRuntime";
    case Kind::create_container:
      return "createContainer";
    case Kind::start_container:
      return "startContainer";
    case Kind::poststart:
      return "poststart";
    case Kind::poststop:
      return "poststop";
  }
  return "unknown";
}

bool failure_is_fatal(Kind kind) { return kind != Kind::poststop; }

Result<void> run_hook(const oci::Hook& hook, std::string_view state_json) {
  std::optional<std::chrono::milliseconds> timeout;
  if (hook.timeout) {
    if (*hook.timeout <= 0)
      return fail(
          fmt::format("{}: timeout must be greater than zero, not {}", hook.path, *hook.timeout));
    timeout = std::chrono::seconds(*hook.timeout);
  }
  detail::SpawnedHook spawned = TRY(detail::spawn_hook(hook));
  auto supervised = detail::supervise(spawned, state_json, timeout);
  if (!supervised) return std::unexpected(std::move(supervised).error().context(hook.path));
  const detail::HookOutcome& outcome = *supervised;
  if (outcome.timed_out)
    return fail(fmt::format("{}: hook ran past specified timeout of {:.1f}s", hook.path,
                            static_cast<double>(*hook.timeout)));
  if (!outcome.status.signaled && outcome.status.code == 0) return {};
  return fail(fmt::format("{}: {}, stdout: {}, stderr: {}", hook.path, describe_end(outcome.status),
                          outcome.out, outcome.err));
}

Result<void> run_hooks(Kind kind, const std::vector<oci::Hook>& hooks,
                       std::string_view state_json) {
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    auto result = run_hook(hooks[i], state_json);
    if (result) continue;
    Error err = std::move(result).error().context(
        fmt::format("hooks.{}[{}]: error running {} hook #{}", to_string(kind), i, to_string(kind), i));
    if (failure_is_fatal(kind)) return std::unexpected(std::move(err));
    log::warn("{}", err.what());
  }
  return {};
}

}  // namespace nucleus::hooks
