#include "init/step_log.hpp"

#include <fmt/format.h>

namespace nucleus::init {

namespace {

double ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

void StepLog::report(std::string_view step, std::chrono::steady_clock::duration took, bool ok) {
  if (!channel_) return;  // the step was the one that stopped the reporting
  std::string line = fmt::format("{}: {}{} ({:.3f} ms)", who_, step, ok ? "" : " failed", ms(took));
  (void)channel_->send_text(SyncType::debug_line, line);
}

void StepClock::mark(std::string_view step) {
  if (!log::debug_enabled) return;
  auto now = std::chrono::steady_clock::now();
  log::debug("{}: {} ({:.3f} ms)", who_, step, ms(now - last_));
  last_ = now;
}

}  // namespace nucleus::init
