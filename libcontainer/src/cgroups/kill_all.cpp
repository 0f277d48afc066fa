#include "cgroups/kill_all.hpp"

#include <csignal>
#include <unistd.h>

#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace {

Result<void> signal_pids(const std::vector<pid_t>& pids, int signal) {
  const pid_t self = ::getpid();
  for (pid_t pid : pids) {
    if (pid <= 0 || pid == self) continue;
    if (::kill(pid, signal) < 0 && errno != ESRCH) {
      int err = errno;
      return fail_errno(fmt::format("send signal {} to pid {}", signal, pid), err);
    }
  }
  return {};
}

}  // namespace

Result<void> signal_all(CgroupManager& m, int signal, bool can_freeze) {
  if (can_freeze) {
    auto frozen = m.freeze();
    // The cgroup is gone, so are its processes: systemd removes a scope's
    // cgroup as soon as its last process exits.
    if (!frozen && frozen.error().err() == ENOENT) return {};
    if (!frozen) log::warn("signal all processes: {}; signalling them unfrozen", frozen.error().what());
  }
  auto pids = m.pids();
  Result<void> sent = pids ? signal_pids(*pids, signal) : std::unexpected(pids.error());
  if (can_freeze) {
    auto thawed = m.thaw();
    if (sent && !thawed && thawed.error().err() != ENOENT) return thawed;
  }
  return sent;
}

}  // namespace nucleus::cgroups
