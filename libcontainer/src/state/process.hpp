// Small facts about host processes: identity across pid reuse, and pidfds.
#pragma once

#include <sys/types.h>

#include <filesystem>

#include <cstdint>
#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus {

struct ProcStat {
  char state = '?';             // field 3 of /proc/<pid>/stat: R, S, D, Z, X, ...
  std::uint64_t start_time = 0;  // field 22: clock ticks since boot
};

// Parse the contents of /proc/<pid>/stat (the comm field may hold spaces and
// parentheses, so fields are counted from the last ')').
Result<ProcStat> parse_proc_stat(std::string_view text);
Result<ProcStat> read_proc_stat(pid_t pid);

// Field 22 of /proc/<pid>/stat, in clock ticks since boot.
Result<std::uint64_t> process_start_time(pid_t pid);

// True when pid exists, is not a zombie, and started at start_time: a pid the
// kernel recycled for another process is never taken for the container.
bool process_alive(pid_t pid, std::uint64_t start_time);

// pidfd_open(2). The fd is close-on-exec. When the kernel lacks it, the error
// carries ENOSYS so the caller can fall back to plain pids.
Result<UniqueFd> pidfd_open(pid_t pid);

// --pidfd-socket (runc 1.2): a pidfd of `pid` to the AF_UNIX socket at `socket`.
Result<void> send_pidfd(const std::filesystem::path& socket, pid_t pid);

}  // namespace nucleus
