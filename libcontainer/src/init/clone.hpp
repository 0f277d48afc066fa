// Starting the container's init: one raw clone3 (namespaces, CLONE_INTO_CGROUP)
// after which the child continues in-process, like fork. The process must be
// single-threaded whenever it clones: a multi-threaded fork copies other
// threads' locks in whatever state they were.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "nucleus/error.hpp"

namespace nucleus::init {

struct CloneRequest {
  std::uint64_t flags = 0;          // CLONE_NEW*, CLONE_PARENT
  std::optional<int> cgroup_fd;     // CLONE_INTO_CGROUP
};

// Returns 0 in the child and the child's pid in the parent. The child must
// not rely on glibc's cached thread id (raise(), pthread_* on itself): glibc
// does not know about the clone.
Result<pid_t> clone_process(const CloneRequest& request);

// Error unless the calling process has exactly one thread.
Result<void> ensure_single_threaded();

}  // namespace nucleus::init
