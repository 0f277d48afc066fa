// Where libcontainer's warnings and debug lines go. The runtime installs a
// sink that writes runc's text or JSON log lines; by default they go to stderr.
#pragma once

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

namespace nucleus::log {

enum class Level { debug, info, warning, error };

using Sink = void (*)(Level, std::string_view message);

inline void default_sink(Level level, std::string_view message) {
  if (level == Level::debug) return;
  fmt::print(stderr, "{}\n", message);
}

inline Sink sink = default_sink;
inline bool debug_enabled = false;

inline void set_sink(Sink s) { sink = s ? s : default_sink; }

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (debug_enabled) sink(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  sink(Level::warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  sink(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace nucleus::log
