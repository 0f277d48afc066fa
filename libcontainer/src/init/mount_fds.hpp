// Fds the runtime opens for the config's mounts before the clone, keyed by
// the mount they are for: the idmapped trees (idmap.hpp) and, in a user
// namespace, the bind sources (bind_sources.hpp). The clone copies the fd
// table and memory, so the init finds them by the same mount pointers.
#pragma once

#include <vector>

#include <oci/config.hpp>

#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

class MountFds {
 public:
  void add(const oci::Mount* mount, UniqueFd fd);
  // The fd for `mount` (an element of the same config), or -1.
  int fd_for(const oci::Mount& mount) const;
  bool empty() const { return entries_.empty(); }
  // Every fd, for the init to keep until its mounts are made.
  std::vector<int> fds() const;

 private:
  struct Entry {
    const oci::Mount* mount;
    UniqueFd fd;
  };
  std::vector<Entry> entries_;
};

}  // namespace nucleus::init
