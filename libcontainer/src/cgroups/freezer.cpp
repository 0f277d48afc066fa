#include "cgroups/freezer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <thread>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/stat_files.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

class CgroupFreezerState final : public FreezerStateFile {
 public:
  explicit CgroupFreezerState(fs::path file) : file_(std::move(file)) {}
  Result<void> write(std::string_view state) override { return write_file(file_, state); }
  Result<std::string> read() override {
    auto text = TRY(read_file(file_));
    return std::string(trim(text));
  }
  std::string name() const override { return file_.native(); }

 private:
  fs::path file_;
};

// One attempt of runc's loop: true once FROZEN.
Result<bool> try_freeze(FreezerStateFile& file, unsigned attempt) {
  if (attempt % 50 == 49) {
    // New tasks keep the cgroup FREEZING; a thaw and a pause let them settle.
    (void)file.write("THAWED");
    std::this_thread::sleep_for(milliseconds(10));
  }
  TRY_VOID(file.write("FROZEN"));
  if (attempt % 25 == 24) std::this_thread::sleep_for(std::chrono::microseconds(10));
  std::string state = TRY(file.read());
  if (state == "FROZEN") return true;
  if (state == "FREEZING") return false;
  return fail(fmt::format("freeze \"{}\": unexpected state \"{}\" while freezing", file.name(), state), EIO);
}

Result<bool> events_frozen(int fd, const fs::path& file) {
  char buf[256];
  ssize_t n;
  do n = ::pread(fd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno(fmt::format("read \"{}\"", file.native()));
  return keyed_value(std::string_view(buf, static_cast<size_t>(n)), "frozen") == "1";
}

// cgroup.events changes wake a poll for POLLPRI (kernfs notify).
Result<bool> wait_events_frozen(const fs::path& dir, milliseconds timeout) {
  const fs::path file = dir / "cgroup.events";
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open \"{}\"", file.native()));
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (TRY(events_frozen(fd.get(), file))) return true;
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock::now());
    if (left <= milliseconds::zero()) return false;
    // Capped: a plain file (tests) never signals POLLPRI.
    pollfd p{fd.get(), POLLPRI, 0};
    int wait = static_cast<int>(std::min(left, milliseconds(10)).count());
    if (::poll(&p, 1, wait) < 0 && errno != EINTR) return fail_errno(fmt::format("poll \"{}\"", file.native()));
  }
}

}  // namespace

Result<void> freeze_v1(FreezerStateFile& file) {
  for (unsigned attempt = 0; attempt < freeze_v1_attempts; ++attempt) {
    auto frozen = try_freeze(file, attempt);
    if (frozen && *frozen) return {};
    if (!frozen) {
      (void)file.write("THAWED");  // never leave it FROZEN or FREEZING on failure
      return std::unexpected(std::move(frozen).error());
    }
  }
  (void)file.write("THAWED");
  return fail(fmt::format("unable to freeze \"{}\": still FREEZING after {} attempts", file.name(),
                          freeze_v1_attempts),
              EBUSY);
}

Result<void> freeze_v1(const fs::path& dir) {
  CgroupFreezerState file(dir / "freezer.state");
  return freeze_v1(file);
}

Result<void> thaw_v1(const fs::path& dir) { return write_file(dir / "freezer.state", "THAWED"); }

Result<bool> frozen_v1(const fs::path& dir) {
  std::string state = TRY(read_value_or_empty(dir / "freezer.state"));
  if (state.empty() || state == "THAWED") return false;
  // FROZEN or FREEZING also when only an ancestor is frozen.
  std::string self = TRY(read_value_or_empty(dir / "freezer.self_freezing"));
  return self != "0";
}

Result<void> freeze_v2(const fs::path& dir, milliseconds timeout) {
  TRY_VOID(write_file(dir / "cgroup.freeze", "1"));
  auto frozen = wait_events_frozen(dir, timeout);
  if (frozen && *frozen) return {};
  (void)write_file(dir / "cgroup.freeze", "0");
  if (!frozen) return std::unexpected(std::move(frozen).error());
  return fail(fmt::format("freeze \"{}\": not frozen after {} ms", dir.native(), timeout.count()), EBUSY);
}

Result<void> thaw_v2(const fs::path& dir) { return write_file(dir / "cgroup.freeze", "0"); }

Result<bool> frozen_v2(const fs::path& dir) {
  std::string wanted = TRY(read_value_or_empty(dir / "cgroup.freeze"));
  return wanted == "1";
}

}  // namespace nucleus::cgroups
