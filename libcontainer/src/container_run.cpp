// run: create + start + wait in one process, which stays the init's parent:
// it forwards signals to the init, proxies a terminal it allocated itself,
// reaps, and deletes the container afterwards (unless --keep).
#include <sys/prctl.h>

#include <optional>

#include "container_internal.hpp"
#include "exec/foreground.hpp"
#include "nucleus/container.hpp"
#include "nucleus/log.hpp"

namespace nucleus {

namespace {

Result<void> destroy_after_exit(const RuntimeOptions& rt, const std::string& id) {
  ContainerDir dir = TRY(ContainerDir::open(rt.root, id));
  ContainerRecord record = TRY(dir.read_record());
  return detail::destroy_container(dir, record);
}

}  // namespace

Result<int> run_container(const RuntimeOptions& rt, const oci::Config& config,
                          const CreateOptions& opts, const RunOptions& run) {
  // Orphans of the container (and an init whose parent exits) come to us.
  if (!run.no_subreaper && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return fail_errno("set child subreaper");
  exec::SignalBlock block;
  bool own_terminal = !run.detach && !opts.console_socket;
  auto created = TRY(detail::create_container_impl(rt, config, opts, run.detach, block.saved()));
  if (created.console_master && !own_terminal) created.console_master.reset();
  if (auto started = start_container(rt, opts.id); !started) {
    (void)delete_container(rt, opts.id, true);
    return std::unexpected(started.error());
  }
  if (run.detach) return 0;
  std::optional<exec::CallerTerminal> terminal;
  if (created.console_master) {
    auto found = exec::CallerTerminal::find();
    if (found) terminal.emplace(std::move(*found));
  }
  auto code = exec::wait_for_process(created.pid, block.blocked(), created.console_master.get(),
                                     terminal ? &*terminal : nullptr);
  created.console_master.reset();
  if (!run.keep) {
    if (auto destroyed = destroy_after_exit(rt, opts.id); !destroyed)
      log::warn("{}", destroyed.error().what());
  }
  return code;
}

}  // namespace nucleus
