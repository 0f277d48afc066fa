#include "cgroups/bpf_cgroup.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cgroups/cgroup_file.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

std::uint64_t pointer(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

std::string on(std::string_view cmd, const fs::path& dir) { return fmt::format("{} on \"{}\"", cmd, dir.native()); }

// The last non-empty line of a verifier log.
std::string_view last_line(std::string_view log) {
  log = trim(log.substr(0, log.find('\0')));
  auto nl = log.rfind('\n');
  return nl == std::string_view::npos ? log : log.substr(nl + 1);
}

long load(std::span<const bpf_insn> program, const char* license, std::string* log) {
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = pointer(program.data());
  attr.insn_cnt = static_cast<std::uint32_t>(program.size());
  attr.license = pointer(license);
  if (log) {
    attr.log_level = 1;
    attr.log_buf = pointer(log->data());
    attr.log_size = static_cast<std::uint32_t>(log->size());
  }
  long fd;
  do {
    fd = bpf(BPF_PROG_LOAD, attr);
  } while (fd < 0 && errno == EAGAIN);
  return fd;
}

Result<std::vector<std::uint32_t>> attached_ids(int cgroup_fd, const fs::path& dir) {
  std::vector<std::uint32_t> ids;
  for (;;) {
    bpf_attr attr{};
    attr.query.target_fd = static_cast<std::uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = pointer(ids.data());
    attr.query.prog_cnt = static_cast<std::uint32_t>(ids.size());
    long rc = bpf(BPF_PROG_QUERY, attr);
    if (rc < 0 && errno != ENOSPC) return fail_errno(on("BPF_PROG_QUERY (BPF_CGROUP_DEVICE)", dir));
    if (rc == 0 && attr.query.prog_cnt <= ids.size()) {
      ids.resize(attr.query.prog_cnt);
      return ids;
    }
    ids.resize(attr.query.prog_cnt);  // the first call only counts; ENOSPC: more came meanwhile
  }
}

}  // namespace

Result<UniqueFd> load_device_program(std::span<const bpf_insn> program, const char* license) {
  long fd = load(program, license, nullptr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  int err = errno;
  std::string log(64 * 1024, '\0');  // load again, for the verifier's reason
  if (long again = load(program, license, &log); again >= 0) ::close(static_cast<int>(again));
  auto reason = last_line(log);
  if (reason.empty()) return fail_errno("BPF_PROG_LOAD of the device cgroup program", err);
  return fail_errno(fmt::format("BPF_PROG_LOAD of the device cgroup program ({})", reason), err);
}

Result<std::vector<UniqueFd>> attached_device_programs(int cgroup_fd, const fs::path& dir) {
  std::vector<UniqueFd> out;
  for (std::uint32_t id : TRY(attached_ids(cgroup_fd, dir))) {
    bpf_attr attr{};
    attr.prog_id = id;
    long fd = bpf(BPF_PROG_GET_FD_BY_ID, attr);
    if (fd < 0 && errno == ENOENT) continue;  // detached meanwhile
    if (fd < 0) return fail_errno(fmt::format("BPF_PROG_GET_FD_BY_ID {} (attached to \"{}\")", id, dir.native()));
    out.emplace_back(static_cast<int>(fd));
  }
  return out;
}

Result<void> attach_device_program(int cgroup_fd, const fs::path& dir, int prog_fd, int replace_fd) {
  bpf_attr attr{};
  attr.target_fd = static_cast<std::uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<std::uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (replace_fd >= 0) {
    attr.attach_flags |= BPF_F_REPLACE;
    attr.replace_bpf_fd = static_cast<std::uint32_t>(replace_fd);
  }
  if (bpf(BPF_PROG_ATTACH, attr) == 0) return {};
  return fail_errno(on(replace_fd >= 0 ? "BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_REPLACE)"
                                       : "BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)",
                       dir));
}

Result<void> detach_device_program(int cgroup_fd, const fs::path& dir, int prog_fd) {
  bpf_attr attr{};
  attr.target_fd = static_cast<std::uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<std::uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (bpf(BPF_PROG_DETACH, attr) == 0) return {};
  return fail_errno(on("BPF_PROG_DETACH (BPF_CGROUP_DEVICE)", dir));
}

}  // namespace nucleus::cgroups
