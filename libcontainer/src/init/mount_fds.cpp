#include "init/mount_fds.hpp"

namespace nucleus::init {

void MountFds::add(const oci::Mount* mount, UniqueFd fd) { entries_.push_back({mount, std::move(fd)}); }

int MountFds::fd_for(const oci::Mount& mount) const {
  for (const auto& e : entries_)
    if (e.mount == &mount) return e.fd.get();
  return -1;
}

std::vector<int> MountFds::fds() const {
  std::vector<int> out;
  for (const auto& e : entries_) out.push_back(e.fd.get());
  return out;
}

}  // namespace nucleus::init
