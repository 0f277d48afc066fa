// exec: run one more process in an existing container, as runc's exec does.
// The CLI builds the oci::Process (from --process, or config.json's process
// plus the flags); libcontainer joins the container's namespaces and cgroup,
// applies the process's attributes in a child of the caller and execs it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/container.hpp"
#include "nucleus/error.hpp"

namespace nucleus {

// exec --cgroup [ctrl[,ctrl]:]path: a sub-cgroup of the container's, which
// must exist. No controllers means every hierarchy of the container.
struct ExecSubCgroup {
  std::vector<std::string> controllers;
  std::string path;  // relative to the container's cgroup
};

// How the process runs (not what it is): these apply with --process too.
struct ExecRunOptions {
  bool detach = false;
  std::optional<std::filesystem::path> pid_file;
  std::optional<std::filesystem::path> console_socket;
  std::optional<std::filesystem::path> pidfd_socket;
  unsigned preserve_fds = 0;  // fds 3..3+N-1 are passed on
  std::vector<ExecSubCgroup> cgroups;
  bool ignore_paused = false;
};

// Runs `process` in container `id`. In the foreground the process is this
// process's child: signals are forwarded to it, a terminal it asked for is
// proxied to the caller's (when there is no console socket), and the result
// is its exit status (128+signal when killed). With detach the result is 0
// once the process has exec'd; it is re-parented to the caller's subreaper
// when this process exits. Errors are nucleus's own (runc exits 255 on them):
// "container does not exist", "cannot exec in a stopped container",
// "cannot exec in a paused container (use --ignore-paused to override)",
// "unable to start container process: exec: \"x\": executable file not found in $PATH".
Result<int> exec_in_container(const RuntimeOptions& rt, const std::string& id,
                              const oci::Process& process, const ExecRunOptions& opts);

}  // namespace nucleus
