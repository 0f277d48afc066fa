#include "cgroups/oom_watch.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/stat_files.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

Result<UniqueFd> open_read(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open \"{}\"", file.native()));
  return fd;
}

Result<std::uint64_t> oom_kills_in(int fd, const fs::path& file) {
  char buf[512];
  ssize_t n;
  do n = ::pread(fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno(fmt::format("read \"{}\"", file.native()));
  auto value = keyed_value(std::string_view(buf, static_cast<size_t>(n)), "oom_kill");
  if (value.empty()) return 0;
  return parse_counter(value, file.native());
}

}  // namespace

Result<OomWatch> OomWatch::v1(const fs::path& memory_dir) {
  OomWatch w(Kind::eventfd, memory_dir);
  w.fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!w.fd_) return fail_errno("watch OOM events: eventfd");
  w.target_ = TRY(open_read(memory_dir / "memory.oom_control"));
  TRY_VOID(write_file(memory_dir / "cgroup.event_control", fmt::format("{} {}", w.fd_.get(), w.target_.get())));
  return w;
}

Result<OomWatch> OomWatch::v2(const fs::path& dir) {
  OomWatch w(Kind::memory_events, dir);
  w.fd_ = TRY(open_read(dir / "memory.events"));
  // Kills before the watch began are not news.
  w.oom_kills_ = TRY(oom_kills_in(w.fd_.get(), dir / "memory.events"));
  return w;
}

pollfd OomWatch::poll_entry() const {
  return pollfd{fd_.get(), static_cast<short>(kind_ == Kind::eventfd ? POLLIN : POLLPRI), 0};
}

Result<unsigned> OomWatch::take() {
  return kind_ == Kind::eventfd ? take_eventfd() : take_memory_events();
}

Result<unsigned> OomWatch::take_eventfd() {
  std::uint64_t count = 0;  // how many OOMs the kernel noticed meanwhile
  ssize_t n;
  do n = ::read(fd_.get(), &count, sizeof count);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return 0u;
  if (n != sizeof count) return fail_errno("watch OOM events: read eventfd");
  // The kernel signals the eventfd when the cgroup goes away, too.
  if (::access((dir_ / "cgroup.event_control").c_str(), F_OK) != 0) {
    gone_ = true;
    return 0u;
  }
  return 1u;  // one event per wakeup, as runc reads it, whatever the count
}

Result<unsigned> OomWatch::take_memory_events() {
  std::uint64_t kills = TRY(oom_kills_in(fd_.get(), dir_ / "memory.events"));
  std::uint64_t news = kills > oom_kills_ ? kills - oom_kills_ : 0;
  oom_kills_ = kills;
  return static_cast<unsigned>(news);
}

// Like runc, the v1 memory hierarchy; a hybrid host without one may still
// have the memory controller in its cgroup2 dir.
Result<OomWatch> V1Manager::watch_oom() const {
  if (auto* d = find("memory")) return OomWatch::v1(d->dir);
  if (auto* u = unified()) return OomWatch::v2(u->dir);
  return fail("watch OOM events: no memory cgroup hierarchy is mounted", ENOTSUP);
}

Result<OomWatch> V2Manager::watch_oom() const { return OomWatch::v2(dir_); }

}  // namespace nucleus::cgroups
