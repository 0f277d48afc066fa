// A procfs the container cannot have tampered with (CVE-2025-52881 class).
//
// Once the config's mounts are made, anything under the container's /proc
// may be a mount the bundle put there (a bind of another procfs file over
// /proc/sys/kernel/..., of a regular file over /proc/self/attr/exec), and a
// write meant for a sysctl or an LSM label would land elsewhere. The init's
// procfs writes go through this handle instead: a fresh, detached procfs
// instance made with fsopen in the init's own pid namespace (no mount lies on
// it), falling back to a non-recursive clone of /proc (no submounts), then to
// /proc itself, both taken before the container's mounts exist. Paths are
// resolved beneath it without crossing a mount or following a magic link.
#pragma once

#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus {

class ProcfsHandle {
 public:
  ProcfsHandle() = default;
  // Before the container's mounts: see above for the order of attempts.
  static Result<ProcfsHandle> open_private();
  // The runtime's own /proc, for a process still in the host's mount namespace.
  static Result<ProcfsHandle> open_host();

  // `path` relative to the procfs root ("sys/net/ipv4/ip_forward",
  // "thread-self/attr/exec"); `follow_symlinks` allows procfs's own
  // self/thread-self links, never magic links.
  Result<UniqueFd> open(std::string_view path, int flags, bool follow_symlinks) const;
  Result<void> write(std::string_view path, std::string_view text, bool follow_symlinks) const;

  int fd() const { return fd_.get(); }
  explicit operator bool() const { return static_cast<bool>(fd_); }

 private:
  explicit ProcfsHandle(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace nucleus
