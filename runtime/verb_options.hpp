// Option records for the verbs libcontainer's API (nucleus/container.hpp) does
// not cover yet: exec, update, events, checkpoint, restore, list, ps. The CLI
// fills them from argv; whoever implements a verb in libcontainer moves its
// record into container.hpp (namespace nucleus already) and takes it from
// there.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oci/config.hpp>

namespace nucleus {

// exec --cgroup [ctrl[,ctrl]:]path; an empty controller list means "all".
struct ExecCgroup {
  std::vector<std::string> controllers;
  std::string path;
};

struct ExecOptions {
  std::string id;
  // -p/--process given: the process comes from that file and the flags below
  // that describe the process are ignored (runc). Otherwise libcontainer
  // starts from config.json's process and applies the flags.
  std::optional<std::filesystem::path> process_file;
  std::vector<std::string> args;  // the command and its arguments
  std::optional<std::string> cwd;
  std::vector<std::string> env;  // appended, KEY=VALUE
  bool tty = false;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::vector<std::uint32_t> additional_gids;
  std::optional<std::string> process_label;
  std::optional<std::string> apparmor_profile;
  bool no_new_privs = false;
  std::vector<std::string> caps;  // CAP_* names added to the process's sets
  // Not process properties: they apply with -p as well.
  bool detach = false;
  std::optional<std::filesystem::path> pid_file;
  std::optional<std::filesystem::path> console_socket;
  std::optional<std::filesystem::path> pidfd_socket;
  unsigned preserve_fds = 0;
  std::vector<ExecCgroup> cgroups;
  bool ignore_paused = false;
};

struct EventsOptions {
  std::string id;
  std::chrono::nanoseconds interval{std::chrono::seconds(5)};
  bool stats_only = false;  // --stats: print the stats once and exit
};

enum class CgroupsMode { soft, full, strict, ignore };

// What checkpoint and restore share: how CRIU is driven.
struct CriuOptions {
  std::filesystem::path image_path;  // default: <cwd>/checkpoint
  std::optional<std::filesystem::path> work_path;
  bool tcp_established = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  bool file_locks = false;
  bool lazy_pages = false;
  bool auto_dedup = false;
  std::optional<CgroupsMode> manage_cgroups_mode;
  std::vector<std::string> empty_ns;  // namespace types
};

struct CheckpointOptions {
  std::string id;
  CriuOptions criu;
  std::optional<std::filesystem::path> parent_path;
  bool leave_running = false;
  bool pre_dump = false;
  int status_fd = -1;
  std::optional<std::string> page_server;  // ADDRESS:PORT
  bool tcp_skip_in_flight = false;
  bool link_remap = false;
};

struct RestoreOptions {
  CriuOptions criu;
  bool detach = false;
  bool no_subreaper = false;
  std::optional<std::string> lsm_profile;        // TYPE:NAME
  std::optional<std::string> lsm_mount_context;
};

enum class ListFormat { table, json };

}  // namespace nucleus
