#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <oci/parse.hpp>

#include "args.hpp"
#include "bundle.hpp"
#include "command.hpp"
#include "go_syntax.hpp"
#include "nucleus/exec.hpp"
#include "verb_options.hpp"

namespace nucleus::cli {

namespace {

void define_options(po::options_description& options) {
  options.add_options()
      ("console-socket", text(),
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
       "end of the console's pseudoterminal")
      ("pidfd-socket", text(),
       "path to an AF_UNIX socket which will receive a pidfd of the new process")
      ("cwd", text(), "current working directory in the container")
      ("env,e", texts(), "set environment variables (repeatable)")
      ("tty,t", flag(), "allocate a pseudo-TTY")
      ("user,u", text(), "UID (format: <uid>[:<gid>])")
      ("additional-gids,g", uints(), "additional gids (repeatable)")
      ("process,p", text(), "path to the process.json")
      ("detach,d", flag(), "detach from the container's process")
      ("pid-file", text(), "specify the file to write the process id to")
      ("process-label", text(), "set the SELinux label of the process")
      ("apparmor", text(), "set the apparmor profile for the process")
      ("no-new-privs", flag(), "set the no new privileges value for the process")
      ("cap,c", texts(), "add a capability to the bounding set for the process (repeatable)")
      ("preserve-fds", uint_value(0),
       "pass N additional file descriptors to the process (stdio + $LISTEN_FDS + N in total) "
       "(default: 0)")
      ("cgroup", texts(),
       "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.")
      ("ignore-paused", flag(), "allow exec in a paused container");
}

std::optional<std::uint32_t> parse_id(std::string_view s) {
  const auto v = parse_go_uint(s);
  if (!v || *v > 0xffffffffU) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

// -u <uid>[:<gid>]
Result<void> parse_user(std::string_view user, ExecOptions& opts) {
  const std::size_t colon = user.find(':');
  opts.uid = parse_id(user.substr(0, colon));
  if (colon != std::string_view::npos) opts.gid = parse_id(user.substr(colon + 1));
  if (!opts.uid || (colon != std::string_view::npos && !opts.gid))
    return fail(fmt::format("invalid --user {}: expected <uid>[:<gid>]", go_quote(user)));
  return {};
}

// One --cgroup value: "path" (all controllers) or "ctrl[,ctrl]:path".
Result<ExecCgroup> parse_cgroup(const std::string& value) {
  ExecCgroup cgroup;
  const std::size_t colon = value.find(':');
  cgroup.path = colon == std::string::npos ? value : value.substr(colon + 1);
  if (colon != std::string::npos) {
    std::string_view list = std::string_view(value).substr(0, colon);
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view controller = list.substr(0, comma);
      if (controller.empty())
        return fail(fmt::format("invalid --cgroup argument: {} (empty <controller> prefix)", value));
      cgroup.controllers.emplace_back(controller);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (cgroup.path.empty()) return fail(fmt::format("invalid --cgroup argument: {} (empty path)", value));
  return cgroup;
}

// --cgroup is repeatable; each controller may be named once, and a bare path
// given once.
Result<std::vector<ExecCgroup>> parse_cgroups(const std::vector<std::string>& values) {
  std::vector<ExecCgroup> out;
  std::vector<std::string> seen;  // controllers; "" for a bare path
  for (const std::string& value : values) {
    ExecCgroup cgroup = TRY(parse_cgroup(value));
    const std::vector<std::string> keys =
        cgroup.controllers.empty() ? std::vector<std::string>{""} : cgroup.controllers;
    for (const std::string& key : keys) {
      if (std::find(seen.begin(), seen.end(), key) != seen.end())
        return fail(fmt::format("invalid --cgroup argument(s): {} given more than once",
                                key.empty() ? "a path for all controllers" : "controller " + key));
      seen.push_back(key);
    }
    out.push_back(std::move(cgroup));
  }
  return out;
}

Result<ExecOptions> exec_options(const Context& ctx) {
  const ParsedArgs& args = ctx.args;
  ExecOptions opts;
  opts.id = ctx.id();
  opts.process_file = optional_path(args, "process");
  opts.args.assign(args.positionals.begin() + 1, args.positionals.end());
  if (!opts.process_file && opts.args.empty())
    return fail("exec: no command given (pass one, or a process.json with --process)");
  opts.cwd = args.optional_text("cwd");
  opts.env = args.texts("env");
  opts.tty = args.flag("tty");
  if (const auto user = args.optional_text("user")) TRY_VOID(parse_user(*user, opts));
  for (std::uint64_t gid : args.uints("additional-gids")) {
    if (gid > 0xffffffffU) return fail(fmt::format("invalid --additional-gids {}", gid));
    opts.additional_gids.push_back(static_cast<std::uint32_t>(gid));
  }
  opts.process_label = args.optional_text("process-label");
  opts.apparmor_profile = args.optional_text("apparmor");
  opts.no_new_privs = args.flag("no-new-privs");
  opts.caps = args.texts("cap");
  opts.detach = args.flag("detach");
  opts.pid_file = optional_path(args, "pid-file");
  opts.console_socket = optional_path(args, "console-socket");
  opts.pidfd_socket = optional_path(args, "pidfd-socket");
  const std::uint64_t preserve = args.uint("preserve-fds");
  if (preserve > 0x7fffffffU) return fail(fmt::format("invalid --preserve-fds {}", preserve));
  opts.preserve_fds = static_cast<unsigned>(preserve);
  opts.cgroups = TRY(parse_cgroups(args.texts("cgroup")));
  opts.ignore_paused = args.flag("ignore-paused");
  return opts;
}

// -p: the whole process comes from the file; the process flags are ignored.
Result<oci::Process> load_process_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return fail_errno(fmt::format("open {}", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  auto process = oci::parse_process(text.str());
  if (!process) return fail(fmt::format("{}: {}", file.string(), process.error().what()));
  return std::move(*process);
}

// -c adds to the bounding, effective and permitted sets, and to the ambient
// set only when the process has an inheritable set (ambient needs it), as runc.
void add_capabilities(oci::Process& p, const std::vector<std::string>& caps) {
  if (caps.empty()) return;
  if (!p.capabilities) p.capabilities.emplace();
  oci::Capabilities& c = *p.capabilities;
  auto add = [](std::optional<std::vector<std::string>>& set, const std::string& cap) {
    if (!set) set.emplace();
    set->push_back(cap);
  };
  for (const std::string& cap : caps) {
    add(c.bounding, cap);
    add(c.effective, cap);
    add(c.permitted, cap);
    if (c.inheritable) add(c.ambient, cap);
  }
}

// config.json's process with the flags applied; terminal only by -t.
Result<oci::Process> process_from_config(const Context& ctx, const ExecOptions& o) {
  const ContainerState state = TRY(container_state(ctx.runtime, o.id));
  oci::Config config = TRY(load_bundle_config(state.bundle));
  if (!config.process) return fail("process: required property missing");
  oci::Process p = std::move(*config.process);
  p.args = o.args;
  if (o.cwd) p.cwd = *o.cwd;
  p.env.insert(p.env.end(), o.env.begin(), o.env.end());  // later entries win
  p.terminal = o.tty;
  if (o.uid) p.user.uid = *o.uid;
  if (o.gid) p.user.gid = *o.gid;
  p.user.additional_gids.insert(p.user.additional_gids.end(), o.additional_gids.begin(),
                                o.additional_gids.end());
  if (o.process_label) p.selinux_label = *o.process_label;
  if (o.apparmor_profile) p.apparmor_profile = *o.apparmor_profile;
  if (o.no_new_privs) p.no_new_privileges = true;
  add_capabilities(p, o.caps);
  return p;
}

ExecRunOptions run_options(const ExecOptions& o) {
  ExecRunOptions r;
  r.detach = o.detach;
  r.pid_file = o.pid_file;
  r.console_socket = o.console_socket;
  r.pidfd_socket = o.pidfd_socket;
  r.preserve_fds = o.preserve_fds;
  for (const ExecCgroup& c : o.cgroups) r.cgroups.push_back({c.controllers, c.path});
  r.ignore_paused = o.ignore_paused;
  return r;
}

Result<int> exec_process(Context& ctx) {
  const ExecOptions opts = TRY(exec_options(ctx));
  oci::Process process;
  if (opts.process_file) {
    // The container is looked up first, so a missing one is reported as such.
    TRY(container_state(ctx.runtime, opts.id));
    process = TRY(load_process_file(*opts.process_file));
  } else {
    process = TRY(process_from_config(ctx, opts));
  }
  if (auto valid = oci::validate(process); !valid) return fail(valid.error().what());
  return exec_in_container(ctx.runtime, opts.id, process, run_options(opts));
}

// Failures of nucleus itself exit 255 as "exec failed: ...", so that callers
// can tell them from the process's own exit status (runc).
Result<int> exec(Context& ctx) {
  auto code = exec_process(ctx);
  if (!code) return std::unexpected(std::move(code).error().context("exec failed"));
  return code;
}

}  // namespace

const Command cmd_exec = {
    .name = "exec",
    .summary = "execute new process inside the container",
    .usage = "[command options] <container-id> <command> [command options]  || -p process.json <container-id>",
    .description =
        "The exec command runs a new process in a running container. The process is the\n"
        "container's own (config.json) with <command> as its arguments and the flags\n"
        "applied, or the one in process.json given with -p (the other process flags are\n"
        "then ignored). Flags must come before <container-id>: everything after\n"
        "<command> is the command's.\n"
        "\n"
        "    # nucleus exec <container-id> ps\n"
        "\n"
        "It exits with the process's exit status.",
    .max_args = kAnyNumber,
    .after = AfterPositional::positionals,
    .define_options = define_options,
    .run = exec,
    .failure_exit = 255,
    .starts_container_process = true,
};

}  // namespace nucleus::cli
