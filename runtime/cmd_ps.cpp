#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "container_output.hpp"
#include "nucleus/unique_fd.hpp"
#include "nucleus/container.hpp"

extern char** environ;

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()("format,f", text(), "select one of: table or json (default: \"table\")");
}

// The host's `ps <args>` with stdout and stderr combined, as runc runs it.
Result<std::string> run_host_ps(const std::vector<std::string>& ps_args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("create pipe for ps");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  std::vector<char*> argv{const_cast<char*>("ps")};
  for (const std::string& a : ps_args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int err = ::posix_spawnp(&pid, "ps", &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return fail_errno("exec: \"ps\"", err);
  write_end.reset();
  std::string output;
  char buf[8192];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(fmt::format("ps: exit status {}: {}", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output));
  return output;
}

Result<int> ps(Context& ctx) {
  const std::string format = ctx.args.optional_text("format").value_or("table");
  if (format != "table" && format != "json") return fail("invalid format option");

  const std::vector<pid_t> pids = TRY(container_processes(ctx.runtime, ctx.id()));
  std::string out;
  if (format == "json") {
    out = pids_json(pids);
  } else {
    std::vector<std::string> ps_args(ctx.args.positionals.begin() + 1, ctx.args.positionals.end());
    if (ps_args.empty()) ps_args = {"-ef"};
    const std::string ps_output = TRY(run_host_ps(ps_args));
    out = TRY(filter_ps_output(ps_output, pids));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

const Command cmd_ps = {
    .name = "ps",
    .summary = "ps displays the processes running inside a container",
    .usage = "[command options] <container-id> [ps options]",
    .description =
        "The ps command lists the container's processes: as a JSON array of pids with\n"
        "--format json, or as the lines of the host's `ps` (default arguments: -ef) that\n"
        "belong to the container. Flags after <container-id> are passed to ps.",
    .max_args = kAnyNumber,
    .after = AfterPositional::positionals,
    .define_options = define_options,
    .run = ps,
};

}  // namespace nucleus::cli
