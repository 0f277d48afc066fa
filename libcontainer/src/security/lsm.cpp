#include "security/lsm.hpp"

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus {

namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

// The AppArmor-specific file when the kernel stacks LSMs (5.8+), else the shared one.
Result<void> set_apparmor_exec(const std::string& profile, const ProcfsHandle& proc) {
  std::string text = "exec " + profile;
  auto set = proc.write("thread-self/attr/apparmor/exec", text, true);
  if (!set && set.error().err() == ENOENT) set = proc.write("thread-self/attr/exec", text, true);
  if (!set) return std::unexpected(set.error().context("apparmor failed to apply profile"));
  return {};
}

Result<void> set_selinux_exec(const std::string& label, const ProcfsHandle& proc) {
  if (auto set = proc.write("thread-self/attr/exec", label, true); !set)
    return std::unexpected(set.error().context(fmt::format("set selinux exec label \"{}\"", label)));
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

Result<void> check_lsm_labels(const oci::Process& process, std::string_view mount_label) {
  if (!process.apparmor_profile.empty() && !apparmor_enabled())
    return fail(fmt::format("process.apparmorProfile: apparmor profile \"{}\" is specified, but AppArmor is not "
                            "enabled on this host",
                            process.apparmor_profile));
  // runc's words, with the field.
  if (!process.selinux_label.empty() && !selinux_enabled())
    return fail("process.selinuxLabel: selinux label is specified in config, but selinux is disabled or "
                "not supported");
  if (!mount_label.empty() && !selinux_enabled())
    return fail("linux.mountLabel: selinux mount label is specified in config, but selinux is disabled or "
                "not supported");
  return {};
}

Result<void> set_exec_labels(const oci::Process& process, const ProcfsHandle& proc) {
  if (!process.selinux_label.empty()) TRY_VOID(set_selinux_exec(process.selinux_label, proc));
  if (!process.apparmor_profile.empty()) TRY_VOID(set_apparmor_exec(process.apparmor_profile, proc));
  return {};
}

}  // namespace nucleus
