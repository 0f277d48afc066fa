// config.json and process.json <-> structs: the field tables (in the order
// runc writes them) and the public entry points.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "codec.hpp"
#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"
#include "platforms.hpp"

namespace oci {
namespace detail {

// clang-format off
OCI_FIELDS(ConsoleSize, field("height", &T::height, kRequired), field("width", &T::width, kRequired));
OCI_FIELDS(User, field("uid", &T::uid), field("gid", &T::gid), field("umask", &T::umask),
           field("additionalGids", &T::additional_gids), field("username", &T::username));
OCI_FIELDS(Capabilities, field("bounding", &T::bounding), field("effective", &T::effective),
           field("inheritable", &T::inheritable), field("permitted", &T::permitted),
           field("ambient", &T::ambient));
OCI_FIELDS(Rlimit, field("type", &T::type, kRequired), field("hard", &T::hard, kRequired),
           field("soft", &T::soft, kRequired));
OCI_FIELDS(Scheduler, field("policy", &T::policy, kRequired), field("nice", &T::nice),
           field("priority", &T::priority), field("flags", &T::flags), field("runtime", &T::runtime),
           field("deadline", &T::deadline), field("period", &T::period));
OCI_FIELDS(IoPriority, field("class", &T::io_class, kRequired), field("priority", &T::priority));
OCI_FIELDS(ExecCpuAffinity, field("initial", &T::initial), field("final", &T::final));
OCI_FIELDS(Process, field("terminal", &T::terminal), field("consoleSize", &T::console_size),
           field("user", &T::user), field("args", &T::args), field("commandLine", &T::command_line),
           field("env", &T::env), field("cwd", &T::cwd, kRequired),
           field("capabilities", &T::capabilities), field("rlimits", &T::rlimits),
           field("noNewPrivileges", &T::no_new_privileges),
           field("apparmorProfile", &T::apparmor_profile), field("oomScoreAdj", &T::oom_score_adj),
           field("scheduler", &T::scheduler), field("selinuxLabel", &T::selinux_label),
           field("ioPriority", &T::io_priority), field("execCPUAffinity", &T::exec_cpu_affinity));

OCI_FIELDS(Root, field("path", &T::path, kRequired), field("readonly", &T::readonly));
OCI_FIELDS(IdMapping, field("containerID", &T::container_id, kRequired),
           field("hostID", &T::host_id, kRequired), field("size", &T::size, kRequired));
OCI_FIELDS(Mount, field("destination", &T::destination, kRequired), field("type", &T::type),
           field("source", &T::source), field("options", &T::options),
           field("uidMappings", &T::uid_mappings), field("gidMappings", &T::gid_mappings));
OCI_FIELDS(Hook, field("path", &T::path, kRequired), field("args", &T::args), field("env", &T::env),
           field("timeout", &T::timeout));
OCI_FIELDS(Hooks, field("prestart", &T::prestart), field("createRuntime", &T::create_runtime),
           field("createContainer", &T::create_container),
           field("startContainer", &T::start_container), field("poststart", &T::poststart),
           field("poststop", &T::poststop));

OCI_FIELDS(Namespace, field("type", &T::type, kRequired), field("path", &T::path));
OCI_FIELDS(TimeOffset, field("secs", &T::secs, kOmitZero), field("nanosecs", &T::nanosecs, kOmitZero));
OCI_FIELDS(Device, field("path", &T::path, kRequired), field("type", &T::type, kRequired),
           field("major", &T::major), field("minor", &T::minor), field("fileMode", &T::file_mode),
           field("uid", &T::uid), field("gid", &T::gid));
OCI_FIELDS(NetDevice, field("name", &T::name));
OCI_FIELDS(DeviceRule, field("allow", &T::allow, kRequired), field("type", &T::type),
           field("major", &T::major), field("minor", &T::minor), field("access", &T::access));
OCI_FIELDS(MemoryResources, field("limit", &T::limit), field("reservation", &T::reservation),
           field("swap", &T::swap), field("kernel", &T::kernel), field("kernelTCP", &T::kernel_tcp),
           field("swappiness", &T::swappiness), field("disableOOMKiller", &T::disable_oom_killer),
           field("useHierarchy", &T::use_hierarchy),
           field("checkBeforeUpdate", &T::check_before_update));
OCI_FIELDS(CpuResources, field("shares", &T::shares), field("quota", &T::quota),
           field("burst", &T::burst), field("period", &T::period),
           field("realtimeRuntime", &T::realtime_runtime),
           field("realtimePeriod", &T::realtime_period), field("cpus", &T::cpus),
           field("mems", &T::mems), field("idle", &T::idle));
OCI_FIELDS(WeightDevice, field("major", &T::major, kRequired), field("minor", &T::minor, kRequired),
           field("weight", &T::weight), field("leafWeight", &T::leaf_weight));
OCI_FIELDS(ThrottleDevice, field("major", &T::major, kRequired),
           field("minor", &T::minor, kRequired), field("rate", &T::rate));
OCI_FIELDS(BlockIoResources, field("weight", &T::weight), field("leafWeight", &T::leaf_weight),
           field("weightDevice", &T::weight_device),
           field("throttleReadBpsDevice", &T::throttle_read_bps_device),
           field("throttleWriteBpsDevice", &T::throttle_write_bps_device),
           field("throttleReadIOPSDevice", &T::throttle_read_iops_device),
           field("throttleWriteIOPSDevice", &T::throttle_write_iops_device));
OCI_FIELDS(HugepageLimit, field("pageSize", &T::page_size, kRequired),
           field("limit", &T::limit, kRequired));
OCI_FIELDS(InterfacePriority, field("name", &T::name, kRequired),
           field("priority", &T::priority, kRequired));
OCI_FIELDS(NetworkResources, field("classID", &T::class_id), field("priorities", &T::priorities));
OCI_FIELDS(PidsResources, field("limit", &T::limit, kRequired));
OCI_FIELDS(RdmaLimit, field("hcaHandles", &T::hca_handles), field("hcaObjects", &T::hca_objects));
OCI_FIELDS(Resources, field("devices", &T::devices), field("memory", &T::memory),
           field("cpu", &T::cpu), field("pids", &T::pids), field("blockIO", &T::block_io),
           field("hugepageLimits", &T::hugepage_limits), field("network", &T::network),
           field("rdma", &T::rdma), field("unified", &T::unified));
OCI_FIELDS(IntelRdt, field("closID", &T::clos_id), field("schemata", &T::schemata),
           field("l3CacheSchema", &T::l3_cache_schema), field("memBwSchema", &T::mem_bw_schema),
           field("enableMonitoring", &T::enable_monitoring), field("enableCMT", &T::enable_cmt),
           field("enableMBM", &T::enable_mbm));
OCI_FIELDS(SyscallArg, field("index", &T::index, kRequired), field("value", &T::value, kRequired),
           field("valueTwo", &T::value_two, kOmitZero), field("op", &T::op, kRequired));
OCI_FIELDS(Syscall, field("names", &T::names, kRequired), field("action", &T::action, kRequired),
           field("errnoRet", &T::errno_ret), field("args", &T::args));
OCI_FIELDS(Seccomp, field("defaultAction", &T::default_action, kRequired),
           field("defaultErrnoRet", &T::default_errno_ret),
           field("architectures", &T::architectures), field("flags", &T::flags),
           field("listenerPath", &T::listener_path),
           field("listenerMetadata", &T::listener_metadata), field("syscalls", &T::syscalls));
OCI_FIELDS(Personality, field("domain", &T::domain), field("flags", &T::flags));
OCI_FIELDS(MemoryPolicy, field("mode", &T::mode), field("nodes", &T::nodes), field("flags", &T::flags));
OCI_FIELDS(Linux, field("uidMappings", &T::uid_mappings), field("gidMappings", &T::gid_mappings),
           field("sysctl", &T::sysctl), field("resources", &T::resources),
           field("cgroupsPath", &T::cgroups_path), field("namespaces", &T::namespaces),
           field("devices", &T::devices), field("netDevices", &T::net_devices),
           field("seccomp", &T::seccomp), field("rootfsPropagation", &T::rootfs_propagation),
           field("maskedPaths", &T::masked_paths), field("readonlyPaths", &T::readonly_paths),
           field("mountLabel", &T::mount_label), field("intelRdt", &T::intel_rdt),
           field("memoryPolicy", &T::memory_policy), field("personality", &T::personality),
           field("timeOffsets", &T::time_offsets));

OCI_FIELDS(Config, field("ociVersion", &T::oci_version, kRequired), field("process", &T::process),
           field("root", &T::root), field("hostname", &T::hostname),
           field("domainname", &T::domainname), field("mounts", &T::mounts),
           field("hooks", &T::hooks, kOmitZero), field("annotations", &T::annotations),
           field("linux", &T::linux));
// clang-format on

}  // namespace detail

namespace {

constexpr std::array<std::pair<NamespaceType, std::string_view>, 8> kNamespaceNames{{
    {NamespaceType::pid, "pid"},
    {NamespaceType::network, "network"},
    {NamespaceType::mount, "mount"},
    {NamespaceType::ipc, "ipc"},
    {NamespaceType::uts, "uts"},
    {NamespaceType::user, "user"},
    {NamespaceType::cgroup, "cgroup"},
    {NamespaceType::time, "time"},
}};

// Reads a whole file; the error text is Go's ("open X: no such file or directory").
std::expected<std::string, SpecError> read_file(const std::filesystem::path& file) {
  nucleus::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return std::unexpected(SpecError{
        "", fmt::format("open {}: {}", file.string(), nucleus::Error::describe_errno(errno))});
  }
  std::string data;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) != 0) {
    if (n > 0) {
      data.append(buf, static_cast<std::size_t>(n));
    } else if (errno != EINTR) {
      return std::unexpected(SpecError{
          "", fmt::format("read {}: {}", file.string(), nucleus::Error::describe_errno(errno))});
    }
  }
  return data;
}

}  // namespace

std::string_view namespace_type_name(NamespaceType t) {
  for (const auto& [type, name] : kNamespaceNames)
    if (type == t) return name;
  return "unknown";
}

std::optional<NamespaceType> namespace_type_from_name(std::string_view name) {
  for (const auto& [type, n] : kNamespaceNames)
    if (n == name) return type;
  return std::nullopt;
}

const Namespace* Linux::find_namespace(NamespaceType t) const {
  for (const auto& ns : namespaces)
    if (ns.type == t) return &ns;
  return nullptr;
}

SpecResult<Config> config_from_value(const json::Value& v) {
  auto config = detail::decode_document<Config>(v);
  if (!config) return config;
  // The other platforms' sections are not modelled, but must be well-formed.
  if (auto st = detail::check_platform_sections(v); !st) return std::unexpected(st.error());
  return config;
}

SpecResult<Config> parse_config(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return std::unexpected(v.error());
  return config_from_value(*v);
}

SpecResult<Config> load_config(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text) return std::unexpected(text.error());
  auto config = parse_config(*text);
  if (!config) {
    SpecError e = config.error();
    e.path = e.path.empty() ? file.string() : fmt::format("{}: {}", file.string(), e.path);
    return std::unexpected(std::move(e));
  }
  return config;
}

json::Value to_value(const Config& c) { return detail::Codec<Config>::encode(c); }
std::string to_json(const Config& c, json::WriteOptions opts) {
  return detail::encode_document(c, opts);
}

SpecResult<Process> parse_process(std::string_view text) {
  return detail::parse_document<Process>(text);
}
std::string to_json(const Process& p, json::WriteOptions opts) {
  return detail::encode_document(p, opts);
}

SpecResult<Resources> parse_resources(std::string_view text) {
  return detail::parse_document<Resources>(text);
}
SpecResult<Resources> resources_from_value(const json::Value& v) {
  return detail::decode_document<Resources>(v);
}
json::Value to_value(const Resources& r) { return detail::Codec<Resources>::encode(r); }

json::Value to_value(const std::vector<Hook>& hooks) {
  return detail::Codec<std::vector<Hook>>::encode(hooks);
}
SpecResult<std::vector<Hook>> hooks_from_value(const json::Value& v) {
  return detail::decode_document<std::vector<Hook>>(v);
}

}  // namespace oci
