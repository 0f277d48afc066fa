// The Features structure (`features` verb output).
#include "codec.hpp"

namespace oci {
namespace detail {

// clang-format off
OCI_FIELDS(EnabledFeature, field("enabled", &T::enabled));
OCI_FIELDS(CgroupFeatures, field("v1", &T::v1), field("v2", &T::v2), field("systemd", &T::systemd),
           field("systemdUser", &T::systemd_user), field("rdma", &T::rdma));
OCI_FIELDS(SeccompFeatures, field("enabled", &T::enabled), field("actions", &T::actions),
           field("operators", &T::operators), field("archs", &T::archs),
           field("knownFlags", &T::known_flags), field("supportedFlags", &T::supported_flags));
OCI_FIELDS(IntelRdtFeatures, field("enabled", &T::enabled), field("schemata", &T::schemata),
           field("monitoring", &T::monitoring));
OCI_FIELDS(MemoryPolicyFeatures, field("modes", &T::modes), field("flags", &T::flags));
OCI_FIELDS(MountExtensionsFeatures, field("idmap", &T::idmap));
OCI_FIELDS(LinuxFeatures, field("namespaces", &T::namespaces),
           field("capabilities", &T::capabilities), field("cgroup", &T::cgroup),
           field("seccomp", &T::seccomp), field("apparmor", &T::apparmor),
           field("selinux", &T::selinux), field("intelRdt", &T::intel_rdt),
           field("memoryPolicy", &T::memory_policy),
           field("mountExtensions", &T::mount_extensions), field("netDevices", &T::net_devices));
OCI_FIELDS(Features, field("ociVersionMin", &T::oci_version_min, kRequired),
           field("ociVersionMax", &T::oci_version_max, kRequired),
           field("hooks", &T::hooks), field("mountOptions", &T::mount_options),
           field("linux", &T::linux), field("annotations", &T::annotations),
           field("potentiallyUnsafeConfigAnnotations", &T::potentially_unsafe_config_annotations));
// clang-format on

}  // namespace detail

SpecResult<Features> parse_features(std::string_view text) {
  return detail::parse_document<Features>(text);
}

std::string to_json(const Features& f) { return detail::encode_document(f, {.indent = 4}); }

}  // namespace oci
