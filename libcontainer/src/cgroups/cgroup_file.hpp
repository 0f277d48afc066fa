// Reading and writing cgroup control files and dirs, with errors that name
// the file: `write "42" to "/sys/fs/cgroup/pids/x/cgroup.procs": no such process`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

// The whole (small) file; err() is the errno on failure.
Result<std::string> read_file(const std::filesystem::path& path);
// The file's content without surrounding whitespace; "" when it is missing.
Result<std::string> read_value_or_empty(const std::filesystem::path& path);
// One write(2) of value: cgroupfs acts on each write, so it must not be split.
Result<void> write_file(const std::filesystem::path& path, std::string_view value);

std::string_view trim(std::string_view s);

// The entries of dir; none when it is gone (also while being read).
Result<std::vector<std::filesystem::directory_entry>> dir_entries(const std::filesystem::path& dir);

// mkdir -p with mode 0755.
Result<void> make_dirs(const std::filesystem::path& dir);

// The pids in dir/cgroup.procs and in those of every cgroup below dir.
// A dir that vanishes meanwhile contributes nothing.
Result<std::vector<pid_t>> read_procs_recursive(const std::filesystem::path& dir);

// rmdir dir and the child cgroups below it, deepest first, retrying EBUSY
// (a cgroup stays busy for a moment after its last task exits) until
// busy_timeout. A missing dir is fine.
Result<void> remove_cgroup_tree(const std::filesystem::path& dir,
                                std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(500));

}  // namespace nucleus::cgroups
