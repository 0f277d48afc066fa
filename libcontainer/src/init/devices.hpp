// /dev in the container: the spec's default devices, the config's devices,
// and the conventional symlinks. Device nodes are made with mknod, or bound
// from the host inside a user namespace (where mknod is not allowed).
#pragma once

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

// Whether nucleus must populate /dev: not when the config bind-mounts a /dev
// of its own.
bool needs_dev_setup(const oci::Config& config);

// null, zero, full, random, urandom, tty, then linux.devices.
Result<void> create_devices(int root_fd, const oci::Linux* linux, bool bind_from_host);

// /dev/fd, stdin, stdout, stderr, ptmx -> pts/ptmx, core (when /proc/kcore exists).
Result<void> create_dev_symlinks(int root_fd);

}  // namespace nucleus::init
