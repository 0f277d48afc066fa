// bpf(2) for cgroup device programs, over the raw syscall: load one, find
// those attached to a cgroup, attach and detach. Errors name the command and
// the cgroup dir ("BPF_PROG_ATTACH to \"/sys/fs/cgroup/c1\": ...").
#pragma once

#include <linux/bpf.h>

#include <filesystem>
#include <span>
#include <vector>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups {

// BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program; a rejection by the
// verifier carries the last line of its log.
Result<UniqueFd> load_device_program(std::span<const bpf_insn> program, const char* license);

// The BPF_CGROUP_DEVICE programs attached to the cgroup itself (not those
// inherited from its parents), as fds (BPF_PROG_QUERY, BPF_PROG_GET_FD_BY_ID).
Result<std::vector<UniqueFd>> attached_device_programs(int cgroup_fd, const std::filesystem::path& dir);

// BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI, and BPF_F_REPLACE of replace_fd
// when it is given (>= 0).
Result<void> attach_device_program(int cgroup_fd, const std::filesystem::path& dir, int prog_fd,
                                   int replace_fd = -1);

Result<void> detach_device_program(int cgroup_fd, const std::filesystem::path& dir, int prog_fd);

}  // namespace nucleus::cgroups
