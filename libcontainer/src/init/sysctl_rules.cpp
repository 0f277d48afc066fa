#include "init/sysctl_rules.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

// The IPC namespace's own sysctls (ipc_sysctls.c), besides fs.mqueue.*.
constexpr std::array<std::string_view, 8> kIpcSysctls = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

bool is_ipc_sysctl(std::string_view key) {
  return key.starts_with("fs.mqueue.") ||
         std::find(kIpcSysctls.begin(), kIpcSysctls.end(), key) != kIpcSysctls.end();
}

// No empty, "." or ".." component: the key must name a file below /proc/sys
// ("net/../kernel/core_pattern" would pass the net.* rule and reach the host).
bool well_formed(std::string_view key) {
  char sep = key.find('/') != std::string_view::npos ? '/' : '.';
  std::size_t start = 0;
  while (true) {
    std::size_t end = key.find(sep, start);
    std::string_view part = key.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// A namespace entry scopes sysctls unless it joins the runtime's own one.
bool own_namespace(const oci::Linux& linux, oci::NamespaceType type, const char* self) {
  const oci::Namespace* ns = linux.find_namespace(type);
  if (!ns) return false;
  if (!ns->path || ns->path->empty()) return true;
  struct stat joined {}, ours {};
  // An unreadable path is reported when the namespaces are opened.
  if (::stat(ns->path->c_str(), &joined) != 0 || ::stat(self, &ours) != 0) return true;
  return joined.st_dev != ours.st_dev || joined.st_ino != ours.st_ino;
}

}  // namespace

std::string normalize_sysctl_key(std::string_view key) {
  std::string out(key);
  if (out.find('/') != std::string::npos) std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

std::string sysctl_file(std::string_view key) {
  std::string out(key);
  if (out.find('/') == std::string::npos) std::replace(out.begin(), out.end(), '.', '/');
  return out;
}

Result<void> check_sysctl(std::string_view key, const SysctlScope& scope) {
  if (!well_formed(key)) return fail(fmt::format("sysctl \"{}\" is not a valid sysctl name", key));
  std::string name = normalize_sysctl_key(key);
  if (is_ipc_sysctl(name)) {
    if (scope.ipc) return {};
    return fail(fmt::format("sysctl \"{}\" is not allowed in the hosts ipc namespace", name));
  }
  if (name.starts_with("net.")) {
    if (scope.net) return {};
    return fail(fmt::format("sysctl \"{}\" not allowed in host network namespace", name));
  }
  if (scope.uts && name == "kernel.domainname") return {};
  if (scope.uts && name == "kernel.hostname")
    return fail(fmt::format("sysctl \"{}\" is not allowed as it conflicts with the OCI \"hostname\" field",
                            name));
  return fail(fmt::format("sysctl \"{}\" is not in a separate kernel namespace", name));
}

SysctlScope sysctl_scope(const oci::Linux& linux) {
  SysctlScope s;
  s.ipc = own_namespace(linux, oci::NamespaceType::ipc, "/proc/self/ns/ipc");
  s.uts = own_namespace(linux, oci::NamespaceType::uts, "/proc/self/ns/uts");
  s.net = own_namespace(linux, oci::NamespaceType::network, "/proc/self/ns/net");
  return s;
}

Result<void> validate_sysctls(const oci::Linux& linux) {
  if (linux.sysctl.empty()) return {};
  SysctlScope scope = sysctl_scope(linux);
  for (const auto& [key, value] : linux.sysctl) {
    if (auto ok = check_sysctl(key, scope); !ok)
      return std::unexpected(std::move(ok).error().context(fmt::format("linux.sysctl[\"{}\"]", key)));
  }
  return {};
}

}  // namespace nucleus::init
