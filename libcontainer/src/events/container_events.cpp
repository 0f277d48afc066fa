// `events`: the container's usage (cgroup stats and its network namespace's
// interfaces), once or every interval, and its OOM kills, until it stops.
#include "nucleus/events.hpp"

#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cgroups/manager.hpp"
#include "container_internal.hpp"
#include "events/net_dev.hpp"
#include "nucleus/log.hpp"
#include "state/process.hpp"

namespace nucleus {

namespace {

// A container that is not stopped, as events reads it: without the lock.
struct Watched {
  ContainerRecord record;
  std::unique_ptr<cgroups::CgroupManager> cgroup;
};

Result<Watched> open_live(const RuntimeOptions& rt, const std::string& id) {
  detail::RecordView view = TRY(detail::read_record_unlocked(rt.root, id));
  if (detail::derive_status(view.record, view.dir.get()) == Status::stopped)
    return fail(fmt::format("container with id {} is not running", id));
  auto cgroup = TRY(cgroups::open_cgroup_manager(view.record.cgroup_paths,
                                                 detail::driver_from_name(view.record.cgroup_driver)));
  return Watched{std::move(view.record), std::move(cgroup)};
}

Result<ContainerStats> read_stats(const Watched& w) {
  ContainerStats s;
  auto cgroup = w.cgroup->stats();
  if (!cgroup) return std::unexpected(std::move(cgroup).error().context("unable to get container cgroup stats"));
  s.cgroup = std::move(*cgroup);
  auto interfaces = events::namespace_interfaces(w.record.init_pid);
  if (!interfaces)
    return std::unexpected(std::move(interfaces).error().context("unable to get container network stats"));
  s.interfaces = std::move(*interfaces);
  return s;
}

Result<UniqueFd> interval_timer(std::chrono::nanoseconds interval) {
  UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!fd) return fail_errno("events: timerfd_create");
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(interval);
  timespec ts{static_cast<time_t>(secs.count()), static_cast<long>((interval - secs).count())};
  itimerspec spec{ts, ts};
  if (::timerfd_settime(fd.get(), 0, &spec, nullptr) != 0) return fail_errno("events: timerfd_settime");
  return fd;
}

// The init, pinned: its pidfd turns readable when it exits.
Result<UniqueFd> pin_init(const ContainerRecord& r, const std::string& id) {
  auto pidfd = pidfd_open(r.init_pid);
  if (!pidfd || !process_alive(r.init_pid, r.init_start_time))
    return fail(fmt::format("container with id {} is not running", id));
  return std::move(*pidfd);
}

void emit_ooms(unsigned count, const EventSink& sink) {
  for (unsigned i = 0; i < count; ++i) sink(ContainerEvent{ContainerEvent::Type::oom, {}});
}

void emit_stats(const Watched& w, int timer, const EventSink& sink) {
  std::uint64_t expirations;
  (void)!::read(timer, &expirations, sizeof expirations);  // a missed tick is not made up (runc's ticker)
  auto stats = read_stats(w);
  if (!stats) return log::error("{}", stats.error().what());
  sink(ContainerEvent{ContainerEvent::Type::stats, std::move(*stats)});
}

}  // namespace

Result<ContainerStats> container_stats(const RuntimeOptions& rt, const std::string& id) {
  Watched w = TRY(open_live(rt, id));
  return read_stats(w);
}

Result<void> watch_container_events(const RuntimeOptions& rt, const std::string& id,
                                    std::chrono::nanoseconds interval, const EventSink& sink) {
  Watched w = TRY(open_live(rt, id));
  UniqueFd init = TRY(pin_init(w.record, id));
  cgroups::OomWatch oom = TRY(w.cgroup->watch_oom());
  UniqueFd timer = TRY(interval_timer(interval));
  for (;;) {
    pollfd fds[3] = {oom.poll_entry(), {timer.get(), POLLIN, 0}, {init.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("events: poll");
    }
    if (fds[0].revents) {
      emit_ooms(TRY(oom.take()), sink);
      if (oom.cgroup_gone()) return {};
    }
    if (fds[1].revents) emit_stats(w, timer.get(), sink);
    if (fds[2].revents) {
      // The OOM kill that ended it may not have been read yet.
      emit_ooms(TRY(oom.take()), sink);
      return {};
    }
  }
}

}  // namespace nucleus
