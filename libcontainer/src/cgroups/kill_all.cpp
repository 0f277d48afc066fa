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
    if (auto r = m.freeze(); !r) log::warn("signal all processes: {}; signalling them unfrozen", r.error().what());
  }
  auto pids = m.pids();
  Result<void> sent = pids ? signal_pids(*pids, signal) : std::unexpected(pids.error());
  if (can_freeze) {
    auto thawed = m.thaw();
    if (sent && !thawed) return thawed;
  }
  return sent;
}

}  // namespace nucleus::cgroups
