// The features document (runtime-spec features.md). It lists only what nucleus
// implements now: each issue that lands a feature (a mount option, seccomp,
// an LSM, idmapped mounts, ...) extends nucleus_features() in the same change.
#include "features_doc.hpp"

#include <cap-ng.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <oci/config.hpp>
#include <oci/parse.hpp>

#include "build_info.hpp"
#include "nucleus/mount_options.hpp"

namespace nucleus::cli {

namespace {

// The capabilities libcap-ng knows for the running kernel, as CAP_* names.
std::vector<std::string> known_capabilities() {
  std::vector<std::string> caps;
  for (unsigned cap = 0; cap < 64; ++cap) {
    const char* name = ::capng_capability_to_name(cap);
    if (!name) break;  // past the kernel's last capability
    std::string upper = "CAP_";
    for (const char* p = name; *p; ++p) upper += static_cast<char>(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    if (upper.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos)
      caps.push_back(std::move(upper));  // skip numbered caps libcap-ng has no name for
  }
  return caps;
}

// What libcontainer/src/security/seccomp.cpp accepts, SCMP_ACT_NOTIFY with
// listenerPath included.
oci::SeccompFeatures seccomp_features() {
  oci::SeccompFeatures f{.enabled = true};
  f.actions = std::vector<std::string>{"SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
                                       "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                       "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP"};
  f.operators = std::vector<std::string>{"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                         "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                         "SCMP_CMP_NE"};
  std::vector<std::string> archs;
  for (const char* name : {"x86", "x86_64", "x32", "arm", "aarch64", "loongarch64", "m68k", "mips",
                           "mips64", "mips64n32", "mipsel", "mipsel64", "mipsel64n32", "ppc",
                           "ppc64", "ppc64le", "s390", "s390x", "parisc", "parisc64", "riscv64",
                           "sh", "sheb"}) {
    if (::seccomp_arch_resolve_name(name) == 0) continue;  // unknown to this libseccomp
    std::string upper = "SCMP_ARCH_";
    for (const char* p = name; *p; ++p) upper += static_cast<char>(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    archs.push_back(std::move(upper));
  }
  f.archs = std::move(archs);
  f.known_flags = std::vector<std::string>{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                           "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                           "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  // Supported: set through libseccomp 2.5 and known to this kernel (a NULL
  // filter gives EFAULT for a known flag, EINVAL for an unknown one).
  std::vector<std::string> supported;
  for (auto [name, bit] : {std::pair{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
                           std::pair{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
                           std::pair{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW}}) {
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bit, nullptr) < 0 && errno == EFAULT)
      supported.emplace_back(name);
  }
  f.supported_flags = std::move(supported);
  return f;
}

std::vector<std::string> all_namespaces() {
  std::vector<std::string> names;
  for (const auto type : {oci::NamespaceType::cgroup, oci::NamespaceType::ipc, oci::NamespaceType::mount,
                          oci::NamespaceType::network, oci::NamespaceType::pid, oci::NamespaceType::time,
                          oci::NamespaceType::user, oci::NamespaceType::uts})
    names.emplace_back(oci::namespace_type_name(type));
  return names;
}

}  // namespace

oci::Features nucleus_features() {
  oci::Features f;
  f.oci_version_min = "1.0.0";
  f.oci_version_max = std::string(oci::kSpecVersion);
  f.hooks = std::vector<std::string>{"prestart",       "createRuntime", "createContainer",
                                     "startContainer", "poststart",     "poststop"};
  f.mount_options = supported_mount_options();
  oci::LinuxFeatures linux_features;
  linux_features.namespaces = all_namespaces();
  linux_features.capabilities = known_capabilities();
  // Every linux.resources limit is written on v1, hybrid and v2, rdma.max
  // included; linux.intelRdt is not applied (resctrl is not driven).
  linux_features.cgroup =
      oci::CgroupFeatures{.v1 = true, .v2 = true, .systemd = true, .systemd_user = false, .rdma = true};
  linux_features.intel_rdt = oci::IntelRdtFeatures{.enabled = false};
  linux_features.seccomp = seccomp_features();
  linux_features.apparmor = oci::EnabledFeature{.enabled = false};
  linux_features.selinux = oci::EnabledFeature{.enabled = false};
  linux_features.mount_extensions =
      oci::MountExtensionsFeatures{.idmap = oci::EnabledFeature{.enabled = idmapped_mounts_supported()}};
  f.linux = std::move(linux_features);
  const scmp_version* seccomp = ::seccomp_version();
  f.annotations = std::map<std::string, std::string>{
      {"io.github.seccomp.libseccomp.version",
       fmt::format("{}.{}.{}", seccomp->major, seccomp->minor, seccomp->micro)},
      {"org.nucleus.version", std::string(kNucleusVersion)},
      {"org.nucleus.commit", std::string(kNucleusCommit)},
  };
  return f;
}

}  // namespace nucleus::cli
