// /dev in the container: the spec's default devices, the config's devices,
// and the conventional symlinks. Device nodes are made with mknod, or bound
// from the host inside a user namespace (where mknod is not allowed).
#pragma once

#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

// Whether nucleus must populate /dev: not when the config bind-mounts a /dev
// of its own.
bool needs_dev_setup(const oci::Config& config);

// Whether `destination` is the container's /dev ("/dev", "/dev/", "//dev").
bool is_dev_destination(const std::string& destination);

// A filesystem mounted on /dev with "ro": made read-write, and read-only only
// once its contents (the mounts below it, devices, links) are made, as runc.
bool dev_mount_is_readonly(const oci::Config& config);

// The default devices (null, zero, full, random, urandom, tty) less those the
// config redefines by path (its entry wins, as in runc), then linux.devices in
// order. Paths need not be under /dev (runc allows it); all stay in the rootfs.
std::vector<oci::Device> devices_to_create(const oci::Linux* linux);

// Each of devices_to_create(linux): mknod with the exact type, major:minor,
// mode and owner; an existing node is left as it is. With bind_from_host (a
// user namespace) the host's node at the same path is bound instead.
Result<void> create_devices(int root_fd, const oci::Linux* linux, bool bind_from_host);

// /dev/fd, stdin, stdout, stderr, ptmx -> pts/ptmx, core (when /proc/kcore exists).
Result<void> create_dev_symlinks(int root_fd);

}  // namespace nucleus::init
