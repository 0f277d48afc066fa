#include "init/kernel_settings.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "init/sysctl_rules.hpp"
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

Result<void> bring_up_loopback() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return fail_errno("socket for the loopback interface");
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return fail_errno("read the flags of lo");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) return fail_errno("bring up lo");
  return {};
}

Result<void> apply_sysctls(const oci::StringMap& sysctl, const ProcfsHandle& proc) {
  for (const auto& [key, value] : sysctl) {
    // No symlinks: a key names a sysctl, nothing else.
    auto fd = proc.open("sys/" + sysctl_file(key), O_WRONLY | O_TRUNC, false);
    if (!fd) return std::unexpected(std::move(fd).error().context(fmt::format("linux.sysctl[\"{}\"]", key)));
    if (::write(fd->get(), value.data(), value.size()) < 0)
      return fail_errno(fmt::format("linux.sysctl[\"{}\"]: write sysctl {}={}", key, normalize_sysctl_key(key), value));
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
