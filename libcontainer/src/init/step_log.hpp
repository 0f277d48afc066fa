// --debug: each named step of create's init and exec's child, with how long
// it took, sent to the runtime (which owns the log) while it listens. With
// debug off a step is just a call.
#pragma once

#include <chrono>
#include <string_view>

#include "init/sync.hpp"
#include "nucleus/error.hpp"
#include "nucleus/log.hpp"

namespace nucleus::init {

// Crash tests only: in a build with -Dtest_hooks=true, a process whose
// NUCLEUS_TEST_STOP_AFTER is "<who>: <step>" (a --debug line without its
// time) parks there for the test to SIGKILL. A no-op in other builds.
void park_if_asked(std::string_view who, std::string_view step);

class StepLog {
 public:
  StepLog(std::string_view who, const SyncChannel& channel) : who_(who), channel_(&channel) {}

  template <typename F>
  Result<void> run(std::string_view step, F&& body) {
    Result<void> result = timed(step, std::forward<F>(body));
    if (result) park_if_asked(who_, step);
    return result;
  }

  // The runtime stops listening at `ready`: nothing is sent after this.
  void stop_reporting() { channel_ = nullptr; }

 private:
  template <typename F>
  Result<void> timed(std::string_view step, F&& body) {
    if (!log::debug_enabled || !channel_) return body();
    auto start = std::chrono::steady_clock::now();
    Result<void> result = body();
    report(step, std::chrono::steady_clock::now() - start, result.has_value());
    return result;
  }

  void report(std::string_view step, std::chrono::steady_clock::duration took, bool ok);

  std::string_view who_;
  const SyncChannel* channel_;
};

// Runtime side: the time since the previous mark, for the runtime's own steps.
class StepClock {
 public:
  explicit StepClock(std::string_view who) : who_(who), last_(std::chrono::steady_clock::now()) {}
  void mark(std::string_view step);

 private:
  std::string_view who_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace nucleus::init
