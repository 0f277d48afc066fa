#include "init/proc_mounts.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

// runc 1.1's list, plus the pressure files newer lxcfs emulates.
constexpr std::array<std::string_view, 13> kEmulatedProcFiles = {
    "cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg", "slabinfo",
    "net/dev", "sys/kernel/ns_last_pid", "pressure/cpu", "pressure/io", "pressure/memory",
};

constexpr ino_t kProcRootIno = 1;

bool is_procfs_root(int fd) {
  struct statfs fs {};
  struct stat st {};
  return ::fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC && ::fstat(fd, &st) == 0 &&
         st.st_ino == kProcRootIno;
}

}  // namespace

Result<void> check_proc_destination(const std::filesystem::path& rootfs, const std::filesystem::path& resolved,
                                    int bind_source) {
  std::filesystem::path rel = resolved.lexically_relative(rootfs / "proc");
  if (rel.empty() || *rel.begin() == "..") return {};
  if (rel == ".") {
    if (bind_source >= 0 && is_procfs_root(bind_source)) return {};
    return fail(fmt::format("\"{}\" cannot be {} because it is not {}", resolved.native(),
                            bind_source >= 0 ? "bind-mounted" : "mounted",
                            bind_source >= 0 ? "the root of a procfs mount" : "of type proc"));
  }
  if (std::find(kEmulatedProcFiles.begin(), kEmulatedProcFiles.end(), rel.native()) != kEmulatedProcFiles.end())
    return {};
  return fail(fmt::format("\"{}\" cannot be mounted because it is inside /proc", resolved.native()));
}

}  // namespace nucleus::init
