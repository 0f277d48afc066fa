// Noticing OOM kills in a container's cgroup as they happen, for `events`:
// on v1 an eventfd registered for memory.oom_control through
// cgroup.event_control (the kernel signals it on each OOM, and once more when
// the cgroup is removed); on v2 memory.events, whose changes wake a poll for
// POLLPRI, counted by its oom_kill line.
#pragma once

#include <poll.h>

#include <cstdint>
#include <filesystem>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups {

class OomWatch {
 public:
  static Result<OomWatch> v1(const std::filesystem::path& memory_dir);
  static Result<OomWatch> v2(const std::filesystem::path& dir);

  // What to poll(2) for.
  pollfd poll_entry() const;
  // The OOM events since the last call (0 if none); never blocks. Call it
  // when poll reports the fd, and once more before giving up on the
  // container, since its last OOM kill may be what ended it.
  Result<unsigned> take();
  // v1: the cgroup was removed; no more events will come.
  bool cgroup_gone() const { return gone_; }

 private:
  enum class Kind { eventfd, memory_events };
  OomWatch(Kind kind, std::filesystem::path dir) : kind_(kind), dir_(std::move(dir)) {}
  Result<unsigned> take_eventfd();
  Result<unsigned> take_memory_events();

  Kind kind_;
  std::filesystem::path dir_;
  UniqueFd fd_;       // the eventfd (v1) or memory.events (v2)
  UniqueFd target_;   // v1: memory.oom_control, open while registered
  std::uint64_t oom_kills_ = 0;  // v2: the last oom_kill count seen
  bool gone_ = false;
};

}  // namespace nucleus::cgroups
