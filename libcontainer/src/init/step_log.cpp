#include "init/step_log.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "init/test_hooks_config.hpp"

namespace nucleus::init {

namespace {

double ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

#if NUCLEUS_TEST_HOOKS
// Compiled out of release builds (meson_options.txt): an env var that stops
// the runtime is no surface there. Parked rather than SIGSTOPped: the init
// may be pid 1 of its namespace, which ignores a signal it sends itself. The
// name lets the test find the process; pause() keeps every fd and mount held.
void park_if_asked(std::string_view who, std::string_view step) {
  const char* want = std::getenv("NUCLEUS_TEST_STOP_AFTER");
  if (!want) return;
  std::string_view w(want);
  if (w.size() != who.size() + 2 + step.size() || !w.starts_with(who) ||
      w.substr(who.size(), 2) != ": " || !w.ends_with(step))
    return;
  ::prctl(PR_SET_NAME, "nucleus-parked", 0, 0, 0);
  for (;;) ::pause();
}
#else
void park_if_asked(std::string_view, std::string_view) {}
#endif

void StepLog::report(std::string_view step, std::chrono::steady_clock::duration took, bool ok) {
  if (!channel_) return;  // the step was the one that stopped the reporting
  std::string line = fmt::format("{}: {}{} ({:.3f} ms)", who_, step, ok ? "" : " failed", ms(took));
  (void)channel_->send_text(SyncType::debug_line, line);
}

void StepClock::mark(std::string_view step) {
  if (log::debug_enabled) {
    auto now = std::chrono::steady_clock::now();
    log::debug("{}: {} ({:.3f} ms)", who_, step, ms(now - last_));
    last_ = now;
  }
  park_if_asked(who_, step);
}

}  // namespace nucleus::init
