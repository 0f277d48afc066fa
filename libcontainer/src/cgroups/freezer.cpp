#include "cgroups/freezer.hpp"

#include <thread>

#include "cgroups/cgroup_file.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// Polls done() with a growing sleep until it holds or the timeout passes.
template <typename Done>
Result<bool> wait_until(Done done, milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  auto delay = std::chrono::microseconds(100);
  for (unsigned round = 0;; ++round) {
    if (TRY(done(round))) return true;
    if (clock::now() >= deadline) return false;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::microseconds(10000));
  }
}

// The value of `key` in a flat-keyed file such as cgroup.events.
std::string_view keyed_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    auto eol = text.find('\n');
    auto line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ' ')
      return trim(line.substr(key.size() + 1));
  }
  return {};
}

Result<bool> events_frozen(const fs::path& dir) {
  auto events = TRY(read_file(dir / "cgroup.events"));
  return keyed_value(events, "frozen") == "1";
}

}  // namespace

Result<void> freeze_v1(const fs::path& dir, milliseconds timeout) {
  const auto state = dir / "freezer.state";
  TRY_VOID(write_file(state, "FROZEN"));
  // A task in uninterruptible sleep can hold the cgroup in FREEZING; asking
  // again now and then lets the kernel retry it.
  auto is_frozen = [&](unsigned round) -> Result<bool> {
    if (round > 0 && round % 50 == 0) TRY_VOID(write_file(state, "FROZEN"));
    std::string now = TRY(read_value_or_empty(state));
    return now == "FROZEN";
  };
  bool done = TRY(wait_until(is_frozen, timeout));
  if (done) return {};
  (void)write_file(state, "THAWED");
  return fail(fmt::format("freeze \"{}\": still not FROZEN after {} ms", dir.native(), timeout.count()),
              EBUSY);
}

Result<void> thaw_v1(const fs::path& dir) { return write_file(dir / "freezer.state", "THAWED"); }

Result<bool> frozen_v1(const fs::path& dir) {
  std::string state = TRY(read_value_or_empty(dir / "freezer.state"));
  return state == "FROZEN";
}

Result<void> freeze_v2(const fs::path& dir, milliseconds timeout) {
  TRY_VOID(write_file(dir / "cgroup.freeze", "1"));
  auto is_frozen = [&](unsigned) { return events_frozen(dir); };
  bool done = TRY(wait_until(is_frozen, timeout));
  if (done) return {};
  (void)write_file(dir / "cgroup.freeze", "0");
  return fail(fmt::format("freeze \"{}\": not frozen after {} ms", dir.native(), timeout.count()), EBUSY);
}

Result<void> thaw_v2(const fs::path& dir) { return write_file(dir / "cgroup.freeze", "0"); }

Result<bool> frozen_v2(const fs::path& dir) {
  std::string wanted = TRY(read_value_or_empty(dir / "cgroup.freeze"));
  if (wanted != "1") return false;
  // Asked to freeze, but frozen only once the kernel says so.
  return events_frozen(dir);
}

}  // namespace nucleus::cgroups
