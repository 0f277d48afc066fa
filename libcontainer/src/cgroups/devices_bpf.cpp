// cgroup v2 devices: the BPF device program attached to the cgroup dir.
#include <fcntl.h>

#include "cgroups/bpf_cgroup.hpp"
#include "cgroups/device_filter.hpp"
#include "cgroups/devices.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

Result<void> replace_device_programs(int cgroup_fd, const fs::path& dir, int prog_fd) {
  auto old = TRY(attached_device_programs(cgroup_fd, dir));
  if (old.size() == 1) {
    auto replaced = attach_device_program(cgroup_fd, dir, prog_fd, old.front().get());
    // EINVAL: a kernel before 5.6, without BPF_F_REPLACE.
    if (replaced || replaced.error().err() != EINVAL) return replaced;
  }
  TRY_VOID(attach_device_program(cgroup_fd, dir, prog_fd));
  for (const auto& o : old) TRY_VOID(detach_device_program(cgroup_fd, dir, o.get()));
  return {};
}

}  // namespace

Result<void> set_devices_bpf(const fs::path& dir, const DeviceEmulator& target) {
  auto program = TRY(device_filter_program(target));
  UniqueFd prog = TRY(load_device_program(program, device_filter_license));
  UniqueFd cgroup(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) return fail_errno(fmt::format("open \"{}\"", dir.native()));
  // Attached, the program stays with the cgroup after its fd is closed.
  return replace_device_programs(cgroup.get(), dir, prog.get());
}

}  // namespace nucleus::cgroups
