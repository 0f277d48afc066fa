// The exec FIFO in <root>/<id>/ holds a created container's init back: the
// init blocks opening it for writing until `start` opens it for reading.
// A container whose FIFO still exists has not been started ("created").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus {

class ExecFifo {
 public:
  static constexpr const char* kName = "exec.fifo";
  static constexpr uid_t kKeepOwner = static_cast<uid_t>(-1);
  static constexpr gid_t kKeepGroup = static_cast<gid_t>(-1);

  // mkfifo <dir>/exec.fifo, mode 0622 whatever the umask, owned by the
  // container's root when given (an init in a user namespace opens it).
  static Result<void> create(int dirfd, uid_t owner = kKeepOwner, gid_t group = kKeepGroup);
  static bool exists(int dirfd);

  // An O_PATH fd on the FIFO, taken by the init before pivot_root so it can
  // reach the FIFO once the host's paths are gone.
  static Result<UniqueFd> open_path(int dirfd);

  // Init side: open the FIFO for writing through /proc/self/fd/<fifo_path_fd>
  // (blocks until `start` opens the read side) and write one byte. The
  // returned fd is close-on-exec: keep it until exec, so `start` sees EOF only
  // once the user process has been exec'd (or the init has died).
  // The O_PATH fd is reopened through `proc_dir_fd`, a procfs the process
  // holds (after pivot_root the container may have none at /proc).
  static Result<UniqueFd> open_for_write_blocking(int proc_dir_fd, int fifo_path_fd);
  static Result<UniqueFd> open_for_write_blocking(const std::filesystem::path& fifo);

  // Start side: read the byte the init writes and wait for EOF, then remove
  // the FIFO. Never hangs on a dead init: the init's liveness (pid + start
  // time) is checked while waiting.
  static Result<void> release(const std::filesystem::path& fifo, pid_t init_pid,
                              std::uint64_t init_start_time);
};

}  // namespace nucleus
