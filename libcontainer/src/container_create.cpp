// create: validate, make the state dir, the exec FIFO and the cgroup, launch
// the init and record it. Any failure undoes all of it (guards below).
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "cgroups/manager.hpp"
#include "cgroups/reuse_check.hpp"
#include "container_internal.hpp"
#include "init/fds.hpp"
#include "init/launch.hpp"
#include "init/namespaces.hpp"
#include "init/step_log.hpp"
#include "init/sysctl_rules.hpp"
#include "nucleus/container.hpp"
#include "rootless_checks.hpp"
#include "security/lsm.hpp"
#include "security/seccomp.hpp"
#include "state/console_socket.hpp"
#include "state/exec_fifo.hpp"
#include "state/pid_file.hpp"
#include "state/process.hpp"
#include "state/rfc3339.hpp"

namespace nucleus {

namespace {

// Removes the container's cgroup unless the create succeeded.
class CgroupGuard {
 public:
  explicit CgroupGuard(cgroups::CgroupManager& cg) : cg_(&cg) {}
  CgroupGuard(const CgroupGuard&) = delete;
  CgroupGuard& operator=(const CgroupGuard&) = delete;
  ~CgroupGuard() {
    if (cg_) (void)cg_->destroy();
  }
  void release() { cg_ = nullptr; }

 private:
  cgroups::CgroupManager* cg_;
};

// The config as the init uses it: validated, with the defaults filled in.
struct Prepared {
  oci::Config config;
  std::filesystem::path rootfs;
  unsigned listen_fds = 0;
  SeccompFilter seccomp;  // empty without linux.seccomp
};

Result<void> check_console_flags(const oci::Process& p, const CreateOptions& o, bool detached) {
  if (p.terminal && !o.console_socket && detached)
    return fail("cannot allocate tty if runc will detach without setting console socket");
  if (!p.terminal && o.console_socket)
    return fail("cannot use console socket if runc will not allocate tty");
  return {};
}

Result<std::filesystem::path> resolve_rootfs(const oci::Root& root, const std::filesystem::path& bundle) {
  std::filesystem::path path(root.path);
  if (path.is_relative()) path = bundle / path;
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  if (ec) return fail(fmt::format("root.path: rootfs (\"{}\") does not exist", path.native()));
  if (!std::filesystem::is_directory(canonical, ec))
    return fail(fmt::format("root.path: rootfs (\"{}\") is not a directory", path.native()));
  return canonical;
}

Result<Prepared> prepare(const oci::Config& config, const CreateOptions& o, bool detached) {
  // First, as runc's validator does: a user learns what rootless mode needs.
  if (rootless_euid() && config.linux && config.process) TRY_VOID(check_rootless_config(config));
  if (auto valid = oci::validate(config); !valid) return fail(valid.error().what());
  if (!config.process) return fail("process: required property missing");
  if (!config.root) return fail("root: required property missing");
  TRY_VOID(check_console_flags(*config.process, o, detached));
  // Not TRY inside the braces: leaving a statement expression mid-initializer
  // skips the destructors of the members already made (LeakSanitizer caught
  // the config copy of a create refused for its rootfs).
  std::filesystem::path rootfs = TRY(resolve_rootfs(*config.root, o.bundle));
  Prepared p{config, std::move(rootfs), init::listen_fds_for_us(), {}};
  TRY_VOID(init::check_preserved_fds(p.listen_fds, o.preserve_fds));
  if (!p.config.linux) p.config.linux.emplace();
  TRY_VOID(check_lsm_labels(*p.config.process, p.config.linux->mount_label));
  // Not applied yet: refused, so nobody believes the cache/bandwidth limits hold.
  if (p.config.linux->intel_rdt)
    return fail("linux.intelRdt: Intel RDT (resctrl) is not supported by nucleus yet");
  // Here, before anything exists that a refusal would have to undo.
  TRY_VOID(init::validate_sysctls(*p.config.linux));
  if (p.config.linux->seccomp) p.seccomp = TRY(build_seccomp_filter(*p.config.linux->seccomp));
  return p;
}

// linux.resources; none at all still means runc's default device rules.
const oci::Resources& resources_of(const oci::Linux& linux) {
  static const oci::Resources none;
  return linux.resources ? *linux.resources : none;
}

ContainerRecord make_record(const RuntimeOptions& rt, const Prepared& p, const CreateOptions& o,
                            const cgroups::CgroupManager& cg) {
  ContainerRecord r;
  r.id = o.id;
  r.bundle = o.bundle;
  r.rootfs = p.rootfs;
  r.created = rfc3339_nano_now();
  for (const auto& kv : p.config.annotations) r.annotations.push_back(kv);
  r.poststart_hooks = p.config.hooks.poststart;
  r.poststop_hooks = p.config.hooks.poststop;
  r.cgroup_path = p.config.linux->cgroups_path;
  r.cgroup_paths = cg.paths();
  r.rootless = rt.rootless;
  r.cgroup_driver = std::string(detail::driver_name(rt.cgroup_driver));
  r.resources = p.config.linux->resources;
  return r;
}

// What delete needs to undo a create killed before state.json exists: the
// cgroups (no init pid yet, and no poststop hooks: nothing was created).
ContainerRecord make_journal(const RuntimeOptions& rt, const Prepared& p, const CreateOptions& o,
                             const cgroups::CgroupManager& cg) {
  ContainerRecord r = make_record(rt, p, o, cg);
  r.poststart_hooks.clear();
  r.poststop_hooks.clear();
  return r;
}

// An init killed for memory before ready leaves only "init exited before
// completing its setup": name the limit it ran into (issue 12).
Error explain_failed_launch(Error error, const cgroups::CgroupManager& cg, const oci::Resources& limits) {
  if (!limits.memory || !limits.memory->limit) return error;
  auto stats = cg.stats();
  if (!stats || stats->memory.usage.failcnt == 0) return error;
  return std::move(error).context(
      fmt::format("linux.resources.memory.limit: the init ran into the limit of {} bytes", *limits.memory->limit));
}

init::InitConfig make_init_config(const Prepared& p, const CreateOptions& o, int fifo_fd,
                                  const sigset_t& mask) {
  init::InitConfig c;
  c.config = &p.config;
  c.id = o.id;
  c.bundle = o.bundle;
  c.rootfs = p.rootfs;
  c.no_pivot = o.no_pivot;
  c.no_new_keyring = o.no_new_keyring;
  c.listen_fds = p.listen_fds;
  c.preserve_fds = o.preserve_fds;
  c.fifo_fd = fifo_fd;
  c.signal_mask = mask;
  c.seccomp = p.seccomp.empty() ? nullptr : &p.seccomp;
  c.rootless_euid = rootless_euid();
  c.runtime_in_user_namespace = running_in_user_namespace();
  return c;
}

}  // namespace

namespace detail {

Result<CreatedContainer> create_container_impl(const RuntimeOptions& rt, const oci::Config& config,
                                               const CreateOptions& opts, bool detached,
                                               const sigset_t& child_mask) {
  init::StepClock clock("create");
  Prepared p = TRY(prepare(config, opts, detached));
  init::NamespacePlan plan = TRY(init::plan_namespaces(&*p.config.linux));
  clock.mark("validate the config, plan the namespaces");
  // The host checks of the limits, too, before anything exists.
  auto cgroup = TRY(cgroups::make_cgroup_manager({opts.id, p.config.linux->cgroups_path,
                                                  rt.cgroup_driver, rt.rootless}));
  const oci::Resources& limits = resources_of(*p.config.linux);
  TRY_VOID(cgroup->check({limits, limits}));
  TRY_VOID(cgroups::check_reusable_cgroup(*cgroup));  // a frozen one fails now; not ours to remove
  clock.mark("check the cgroup and its limits");
  ContainerDir dir = TRY(ContainerDir::create(rt.root, opts.id));
  TRY_VOID(ExecFifo::create(dir.fd()));
  UniqueFd fifo = TRY(ExecFifo::open_path(dir.fd()));
  CgroupGuard cgroup_guard(*cgroup);  // also undoes a partial create()
  TRY_VOID(dir.write_journal(make_journal(rt, p, opts, *cgroup)));
  TRY_VOID(cgroup->create());
  TRY_VOID(cgroup->set_devices(limits.devices));
  TRY_VOID(cgroup->set({limits, limits}));
  clock.mark("make the state dir, the exec fifo and the cgroup");

  init::LaunchOptions launch{make_init_config(p, opts, fifo.get(), child_mask), cgroup.get(),
                             opts.console_socket};
  auto started = init::launch_init(launch, plan);
  if (!started) return std::unexpected(explain_failed_launch(std::move(started).error(), *cgroup, limits));
  init::LaunchedInit launched = std::move(*started);
  pid_t pid = launched.process.pid();
  clock.mark("launch the init (its steps are logged as init: ...)");

  ContainerRecord record = make_record(rt, p, opts, *cgroup);
  record.init_pid = pid;
  record.init_start_time = TRY(process_start_time(pid));
  TRY_VOID(dir.write_record(record));
  if (opts.pidfd_socket) TRY_VOID(send_pidfd(*opts.pidfd_socket, pid));
  // Last, after the console fd and the pidfd went out, as callers expect
  // (CLI-CONTRACT); nothing after it can fail and leave the file behind.
  if (opts.pid_file) TRY_VOID(write_pid_file(*opts.pid_file, pid));

  clock.mark("record the container");
  dir.commit();
  cgroup_guard.release();
  launched.process.release();
  return CreatedContainer{pid, std::move(launched.console_master)};
}

}  // namespace detail

Result<pid_t> create_container(const RuntimeOptions& rt, const oci::Config& config,
                               const CreateOptions& opts) {
  sigset_t mask;
  ::sigprocmask(SIG_BLOCK, nullptr, &mask);
  auto created = TRY(detail::create_container_impl(rt, config, opts, true, mask));
  return created.pid;
}

}  // namespace nucleus
