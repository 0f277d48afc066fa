#include "exec/lsm.hpp"

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus::exec {

namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

Result<void> write_attr(const char* file, std::string_view text) {
  UniqueFd fd(::open(file, O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", file));
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno(fmt::format("write {}", file));
  return {};
}

}  // namespace

bool apparmor_enabled() {
  UniqueFd fd(::open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC));
  char c = 0;
  return fd && ::read(fd.get(), &c, 1) == 1 && c == 'Y';
}

bool selinux_enabled() {
  struct statfs fs {};
  return ::statfs("/sys/fs/selinux", &fs) == 0 && static_cast<long>(fs.f_type) == kSelinuxMagic;
}

Result<void> check_exec_labels(const oci::Process& process) {
  if (!process.apparmor_profile.empty() && !apparmor_enabled())
    return fail(fmt::format("apparmor profile \"{}\" is specified, but AppArmor is not enabled on this host",
                            process.apparmor_profile));
  // runc's words.
  if (!process.selinux_label.empty() && !selinux_enabled())
    return fail("selinux label is specified in config, but selinux is disabled or not supported");
  return {};
}

Result<void> set_exec_labels(const oci::Process& process) {
  if (!process.selinux_label.empty()) {
    if (auto set = write_attr("/proc/self/attr/exec", process.selinux_label); !set)
      return std::unexpected(set.error().context(
          fmt::format("set selinux exec label \"{}\"", process.selinux_label)));
  }
  if (!process.apparmor_profile.empty()) {
    std::string text = "exec " + process.apparmor_profile;
    // The AppArmor-specific file when the kernel stacks LSMs, else the shared one.
    const char* file = ::access("/proc/self/attr/apparmor/exec", F_OK) == 0
                           ? "/proc/self/attr/apparmor/exec"
                           : "/proc/self/attr/exec";
    if (auto set = write_attr(file, text); !set)
      return std::unexpected(set.error().context("apparmor failed to apply profile"));
  }
  return {};
}

}  // namespace nucleus::exec
