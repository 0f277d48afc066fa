// Which fds the container inherits: 0-2 always, then (as runc) the socket
// activation fds when LISTEN_PID is the runtime's own pid, then --preserve-fds
// more. Every other fd of the runtime is closed before the initers resolve any
// path for the container (a leaked directory fd reached as /proc/self/fd/N was
// CVE-2024-21626); what they open afterwards is close-on-exec.
#pragma once

#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::init {

// LISTEN_FDS when LISTEN_PID names this process, else 0.
unsigned listen_fds_for_us();

// Runtime side, before anything is created: fds 3+first .. 3+first+count-1 must be open.
Result<void> check_preserved_fds(unsigned first, unsigned count);

// Initer side: closes every fd from `first` up, except those in `keep`.
Result<void> close_fds_except(unsigned first, std::vector<int> keep);

// Initer side, just before exec: fds 3..3+keep-1 survive exec (close-on-exec
// cleared). Only fcntl, which no seccomp profile can sensibly deny: the
// filter may already be loaded.
Result<void> prepare_inherited_fds(unsigned keep);

}  // namespace nucleus::init
