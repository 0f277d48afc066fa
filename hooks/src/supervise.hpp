// Watching a running hook: feed it the state on stdin, collect what it prints,
// and wait for it to end or for its timeout, all in one poll loop so neither a
// big state, a chatty hook nor a hook that never reads stdin can deadlock us.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "spawn.hpp"

namespace nucleus::hooks::detail {

struct HookOutcome {
  bool timed_out = false;  // killed by us; `status` is then meaningless
  ExitStatus status;
  std::string out;  // captured stdout and stderr, each capped at kMaxCaptured
  std::string err;
};

inline constexpr std::size_t kMaxCaptured = 64 * 1024;

Result<HookOutcome> supervise(SpawnedHook& hook, std::string_view input,
                              std::optional<std::chrono::milliseconds> timeout);

}  // namespace nucleus::hooks::detail
