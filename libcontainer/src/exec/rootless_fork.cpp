#include "exec/rootless_fork.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include <fmt/format.h>

#include "exec/namespaces.hpp"
#include "nucleus/rootless.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

namespace {

// A runtime that is not root has no capabilities in the container's user
// namespace until it joins it.
bool join_user_namespace_first(int namespaces) {
  return (namespaces & CLONE_NEWUSER) && ::geteuid() != 0;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The first child: "P<pid>" or "E<error>" on `report`, then exit.
[[noreturn]] void first_child(SetnsInitConfig config, const init::SyncChannel& child_end, UniqueFd report) {
  const bool join_user = join_user_namespace_first(config.namespaces);  // before we become root
  Result<void> joined;
  if (join_user) joined = join_namespaces(config.init_pidfd, config.init_pid, CLONE_NEWUSER);
  std::optional<PidNamespaceForChildren> pid_ns;
  if (joined && (config.namespaces & CLONE_NEWPID)) {
    auto entered = PidNamespaceForChildren::enter(config.init_pidfd, config.init_pid);
    if (entered) pid_ns.emplace(std::move(*entered));
    else joined = std::unexpected(entered.error());
  }
  if (!joined) {
    write_all(report.get(), "E" + joined.error().what());
    ::_exit(1);
  }
  if (join_user) {
    config.namespaces &= ~CLONE_NEWUSER;
    config.user_namespace_joined = true;
  }
  pid_t pid =
      static_cast<pid_t>(::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) {
    report.reset();  // the runtime reads it to its end
    setns_init(config, child_end);
  }
  if (pid < 0) write_all(report.get(), fmt::format("Eclone into the container's pid namespace: {}",
                                                   Error::describe_errno(errno)));
  else write_all(report.get(), fmt::format("P{}", pid));
  ::_exit(pid < 0 ? 1 : 0);
}

}  // namespace

bool needs_helper_process(int namespaces) {
  return (namespaces & CLONE_NEWPID) && (::geteuid() != 0 || running_in_user_namespace());
}

Result<pid_t> fork_through_helper(SetnsInitConfig config, const init::SyncChannel& child_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t first = ::fork();
  if (first < 0) return fail_errno("fork");
  if (first == 0) {
    read_end.reset();
    first_child(config, child_end, std::move(write_end));
  }
  write_end.reset();
  std::string report;
  char buf[256];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n > 0) report.append(buf, static_cast<std::size_t>(n));
    else if (errno != EINTR) return fail_errno("read from the exec helper");
  }
  while (::waitpid(first, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (report.starts_with("E")) return fail(report.substr(1));
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(report.data() + std::min<std::size_t>(1, report.size()),
                                   report.data() + report.size(), pid);
  if (!report.starts_with("P") || ec != std::errc() || end != report.data() + report.size() || pid <= 0)
    return fail("the exec helper died before it could start the process");
  return pid;
}

}  // namespace nucleus::exec
