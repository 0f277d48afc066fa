#include "init/kernel_settings.hpp"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

Result<void> set_hostname(const std::string& name) {
  if (::sethostname(name.data(), name.size()) != 0)
    return fail_errno(fmt::format("sethostname \"{}\"", name));
  return {};
}

Result<void> set_domainname(const std::string& name) {
  if (::setdomainname(name.data(), name.size()) != 0)
    return fail_errno(fmt::format("setdomainname \"{}\"", name));
  return {};
}

Result<void> apply_sysctls(const oci::StringMap& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return fail_errno(fmt::format("open {}", path));
    if (::write(fd.get(), value.data(), value.size()) < 0)
      return fail_errno(fmt::format("write sysctl {}={}", key, value));
  }
  return {};
}

Result<void> join_session_keyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) < 0 && errno != ENOSYS)
    return fail_errno("join session keyring");
  return {};
}

}  // namespace nucleus::init
