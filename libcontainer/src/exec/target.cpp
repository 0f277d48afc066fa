#include "exec/target.hpp"

#include <fcntl.h>
#include <sched.h>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "container_internal.hpp"
#include "exec/namespaces.hpp"
#include "state/container_dir.hpp"
#include "state/process.hpp"

namespace nucleus::exec {

namespace {

constexpr const char* kStopped = "cannot exec in a stopped container";

Result<void> check_status(Status status, bool ignore_paused) {
  if (status == Status::stopped) return fail(kStopped);
  if (status == Status::paused && !ignore_paused)
    return fail("cannot exec in a paused container (use --ignore-paused to override)");
  return {};
}

// A pidfd keeps a recycled pid from being mistaken for the init once the
// identity check below has passed.
Result<UniqueFd> pin_init(const ContainerRecord& r) {
  auto pidfd = pidfd_open(r.init_pid);
  if (!pidfd && pidfd.error().err() != ENOSYS) return fail(kStopped);
  if (!process_alive(r.init_pid, r.init_start_time)) return fail(kStopped);
  return pidfd ? std::move(*pidfd) : UniqueFd();
}

// The container's config as created: its bundle's config.json (nucleus keeps
// no copy). Unreadable is an error: an exec must not escape the filter.
Result<std::optional<oci::Seccomp>> container_seccomp(const ContainerRecord& r) {
  auto config = oci::load_config(r.bundle / "config.json");
  if (!config) return fail(fmt::format("read the container's seccomp profile: {}", config.error().what()));
  if (!config->linux) return std::nullopt;
  return std::move(config->linux->seccomp);
}

}  // namespace

Result<ExecTarget> open_exec_target(const RuntimeOptions& rt, const std::string& id,
                                    const ExecRunOptions& opts) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord record = TRY(dir.read_record());
  TRY_VOID(check_status(detail::derive_status(record, dir.fd()), opts.ignore_paused));
  ExecTarget t;
  t.init_pid = record.init_pid;
  t.init_pidfd = TRY(pin_init(record));
  t.namespaces = TRY(differing_namespaces(fmt::format("/proc/{}/ns", t.init_pid)));
  if (!(t.namespaces & CLONE_NEWNS)) {
    std::string root = fmt::format("/proc/{}/root", t.init_pid);
    t.root.reset(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!t.root) return fail_errno(fmt::format("open {}", root));
  }
  // The init may have gone while /proc was read by its pid.
  if (!process_alive(record.init_pid, record.init_start_time)) return fail(kStopped);
  t.cgroups = TRY(exec_cgroup_targets(record.cgroup_paths, opts.cgroups));
  t.rootless_cgroups = record.rootless;
  t.seccomp = TRY(container_seccomp(record));
  t.state = detail::spec_state(record, "running");
  return t;
}

}  // namespace nucleus::exec
