#include "init/id_maps.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

namespace {

struct MapKind {
  const char* file;  // in /proc/<pid>
  const char* tool;  // its setuid helper
};
constexpr MapKind kUidMap{"uid_map", "newuidmap"};
constexpr MapKind kGidMap{"gid_map", "newgidmap"};

std::string format_map(const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  return out;
}

// 0, or the errno of the open or the write. The kernel takes a map in one write.
int write_proc_file(pid_t pid, std::string_view file, std::string_view content) {
  std::string path = fmt::format("/proc/{}/{}", pid, file);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  ssize_t n = ::write(fd.get(), content.data(), content.size());
  if (n < 0) return errno;
  return static_cast<std::size_t>(n) == content.size() ? 0 : EIO;
}

// As runc (exec.LookPath in the runtime): the first executable in $PATH.
std::optional<std::string> find_in_path(const char* name) {
  const char* env = std::getenv("PATH");
  std::string_view path = env ? env : "/usr/bin:/bin";
  while (!path.empty()) {
    auto colon = path.find(':');
    std::string dir(path.substr(0, colon));
    path = colon == std::string_view::npos ? std::string_view{} : path.substr(colon + 1);
    std::string candidate = (std::filesystem::path(dir.empty() ? "." : dir) / name).native();
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// Run argv with an empty environment (as runc), stdout and stderr captured;
// an error quoting them unless it exits 0.
Result<void> run_mapping_tool(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  posix_spawnattr_t attr;
  ::posix_spawnattr_init(&attr);
  sigset_t none;
  ::sigemptyset(&none);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char* empty_env[] = {nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv.front().c_str(), &actions, &attr, args.data(), empty_env);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail_errno(fmt::format("fork/exec {}", argv.front()), rc);
  write_end.reset();
  std::string output;
  char buf[512];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n > 0) output.append(buf, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!output.empty() && output.back() == '\n') output.pop_back();
  std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                      : fmt::format("signal {}", WTERMSIG(status));
  return fail(fmt::format("{}: {}{}{}", argv.front(), how, output.empty() ? "" : ": ", output));
}

Result<void> write_map(pid_t pid, const MapKind& kind, const std::vector<oci::IdMapping>& maps) {
  if (maps.empty()) return {};
  int err = write_proc_file(pid, kind.file, format_map(maps));
  if (err == 0) return {};
  std::string what = fmt::format("write {} of pid {}", kind.file, pid);
  if (err != EPERM || ::geteuid() == 0) return fail_errno(what, err);
  // Not ours to map alone: the setuid helper checks /etc/subuid or /etc/subgid.
  auto tool = find_in_path(kind.tool);
  if (!tool)
    return fail(fmt::format("{}: operation not permitted, and {} (Debian package uidmap) is not in "
                            "$PATH to map more than your own id",
                            what, kind.tool));
  if (auto mapped = run_mapping_tool(mapping_tool_argv(*tool, pid, maps)); !mapped)
    return fail(fmt::format("{} with {}: {}", what, kind.tool, mapped.error().what()));
  return {};
}

}  // namespace

bool maps_only(const std::vector<oci::IdMapping>& maps, unsigned host_id) {
  return maps.size() == 1 && maps.front().host_id == host_id && maps.front().size == 1;
}

std::vector<std::string> mapping_tool_argv(const std::string& tool, pid_t pid,
                                           const std::vector<oci::IdMapping>& maps) {
  std::vector<std::string> argv{tool, std::to_string(pid)};
  for (const auto& m : maps) {
    argv.push_back(std::to_string(m.container_id));
    argv.push_back(std::to_string(m.host_id));
    argv.push_back(std::to_string(m.size));
  }
  return argv;
}

Result<void> write_id_maps(pid_t pid, const oci::Linux& linux) {
  if (::geteuid() != 0 && maps_only(linux.gid_mappings, ::getegid())) {
    if (int err = write_proc_file(pid, "setgroups", "deny"); err != 0)
      return fail_errno(fmt::format("write setgroups of pid {}", pid), err);
  }
  TRY_VOID(write_map(pid, kUidMap, linux.uid_mappings));
  return write_map(pid, kGidMap, linux.gid_mappings);
}

}  // namespace nucleus::init
