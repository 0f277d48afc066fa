// The Features structure (features.md, features-linux.md): what `features`
// prints. Every property except the versions may be absent (or null, which
// the parser treats as absent), so everything else is optional.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#if defined(linux)
#error "build with -std=c++23 (not gnu++23): the macro `linux` clashes with oci::Features::linux"
#endif

namespace oci {

using OptStrings = std::optional<std::vector<std::string>>;

struct EnabledFeature {
  std::optional<bool> enabled{};
  bool operator==(const EnabledFeature&) const = default;
};

struct CgroupFeatures {
  std::optional<bool> v1{};
  std::optional<bool> v2{};
  std::optional<bool> systemd{};
  std::optional<bool> systemd_user{};
  std::optional<bool> rdma{};
  bool operator==(const CgroupFeatures&) const = default;
};

struct SeccompFeatures {
  std::optional<bool> enabled{};
  OptStrings actions{};
  OptStrings operators{};
  OptStrings archs{};
  OptStrings known_flags{};
  OptStrings supported_flags{};
  bool operator==(const SeccompFeatures&) const = default;
};

struct IntelRdtFeatures {
  std::optional<bool> enabled{};
  std::optional<bool> schemata{};
  std::optional<bool> monitoring{};
  bool operator==(const IntelRdtFeatures&) const = default;
};

struct MemoryPolicyFeatures {
  OptStrings modes{};
  OptStrings flags{};
  bool operator==(const MemoryPolicyFeatures&) const = default;
};

struct MountExtensionsFeatures {
  std::optional<EnabledFeature> idmap{};
  bool operator==(const MountExtensionsFeatures&) const = default;
};

struct LinuxFeatures {
  OptStrings namespaces{};    // "cgroup", "ipc", ...
  OptStrings capabilities{};  // "CAP_CHOWN", ...
  std::optional<CgroupFeatures> cgroup{};
  std::optional<SeccompFeatures> seccomp{};
  std::optional<EnabledFeature> apparmor{};
  std::optional<EnabledFeature> selinux{};
  std::optional<IntelRdtFeatures> intel_rdt{};
  std::optional<MemoryPolicyFeatures> memory_policy{};
  std::optional<MountExtensionsFeatures> mount_extensions{};
  std::optional<EnabledFeature> net_devices{};
  bool operator==(const LinuxFeatures&) const = default;
};

struct Features {
  std::string oci_version_min{};  // required
  std::string oci_version_max{};  // required
  OptStrings hooks{};
  OptStrings mount_options{};
  std::optional<LinuxFeatures> linux{};
  std::optional<std::map<std::string, std::string>> annotations{};
  OptStrings potentially_unsafe_config_annotations{};
  bool operator==(const Features&) const = default;
};

}  // namespace oci
