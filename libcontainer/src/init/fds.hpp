// Which fds the container inherits: 0-2 always, then (as runc) the socket
// activation fds when LISTEN_PID is the runtime's own pid, then --preserve-fds
// more. Every other fd is closed at exec.
#pragma once

#include "nucleus/error.hpp"

namespace nucleus::init {

// LISTEN_FDS when LISTEN_PID names this process, else 0.
unsigned listen_fds_for_us();

// Runtime side, before anything is created: fds 3+first .. 3+first+count-1 must be open.
Result<void> check_preserved_fds(unsigned first, unsigned count);

// Init side, just before exec: fds 3..3+keep-1 survive exec, all above are
// marked close-on-exec (the init's own fds among them).
Result<void> prepare_inherited_fds(unsigned keep);

}  // namespace nucleus::init
