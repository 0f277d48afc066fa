// process.terminal: a pty from the container's own devpts. The master goes
// to the runtime (and on to --console-socket); the slave becomes the init's
// controlling terminal and its stdin/stdout/stderr, and is bound onto
// /dev/console.
#pragma once

#include <optional>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

struct Pty {
  UniqueFd master;
  UniqueFd slave;
  int index = -1;  // the N of /dev/pts/N
};

// Open /dev/pts/ptmx (after pivot_root: the container's devpts), unlock it,
// take the slave, apply the console size.
Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size);

// Bind the pty `slave` onto /dev/console (made if missing), both taken by fd:
// neither a /dev/pts/N nor a /dev/console that is a symlink can redirect the
// mount (CVE-2025-52565). After pivot_root.
Result<void> bind_console(int slave);

// Controlling terminal (the caller is a session leader) and stdio.
Result<void> attach_stdio_to_pty(UniqueFd slave);

}  // namespace nucleus::init
