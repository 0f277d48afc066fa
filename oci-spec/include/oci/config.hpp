// Typed model of config.json (runtime-spec v1.3, config.md + config-linux.md).
// Member names are the JSON names in snake_case. Conventions:
//  - std::optional where the spec makes a field optional and absence means
//    something different from a zero value;
//  - std::string / std::vector / std::map fields are "absent" when empty (the
//    encoder omits them);
//  - every member has an initialiser, so designated initialisers may name
//    just a few (no -Wmissing-field-initializers);
//  - sections of other platforms (solaris, windows, vm, zos, freebsd) are
//    checked for well-formedness by the parser but not kept.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// GNU dialects predefine `linux` as a macro, which would clobber Config::linux.
#if defined(linux)
#error "build with -std=c++23 (not gnu++23): the macro `linux` clashes with oci::Config::linux"
#endif

namespace oci {

using StringMap = std::map<std::string, std::string>;

// ---- process --------------------------------------------------------------

struct ConsoleSize {
  std::uint32_t height = 0;
  std::uint32_t width = 0;
  bool operator==(const ConsoleSize&) const = default;
};

struct User {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::optional<std::uint32_t> umask{};
  std::vector<std::uint32_t> additional_gids{};
  std::string username{};  // Windows only
  bool operator==(const User&) const = default;
};

// Each set is optional: an absent set and an empty set are both "no caps",
// but runc distinguishes them when printing and so do we.
struct Capabilities {
  std::optional<std::vector<std::string>> bounding{};
  std::optional<std::vector<std::string>> effective{};
  std::optional<std::vector<std::string>> inheritable{};
  std::optional<std::vector<std::string>> permitted{};
  std::optional<std::vector<std::string>> ambient{};
  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type{};  // "RLIMIT_NOFILE"
  std::uint64_t hard = 0;
  std::uint64_t soft = 0;
  bool operator==(const Rlimit&) const = default;
};

struct IoPriority {
  std::string io_class{};  // JSON "class": IOPRIO_CLASS_RT | _BE | _IDLE
  std::int32_t priority = 0;
  bool operator==(const IoPriority&) const = default;
};

struct Scheduler {
  std::string policy{};  // SCHED_OTHER, SCHED_FIFO, ...
  std::optional<std::int32_t> nice{};
  std::optional<std::int32_t> priority{};
  std::vector<std::string> flags{};  // SCHED_FLAG_*
  std::optional<std::uint64_t> runtime{};
  std::optional<std::uint64_t> deadline{};
  std::optional<std::uint64_t> period{};
  bool operator==(const Scheduler&) const = default;
};

struct ExecCpuAffinity {
  std::string initial{};  // "0-3,7"
  std::string final{};
  bool operator==(const ExecCpuAffinity&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size{};
  User user{};
  std::vector<std::string> args{};
  std::string command_line{};  // Windows only
  std::vector<std::string> env{};
  std::string cwd{};  // required
  std::optional<Capabilities> capabilities{};
  std::vector<Rlimit> rlimits{};
  bool no_new_privileges = false;
  std::string apparmor_profile{};
  std::optional<int> oom_score_adj{};
  std::optional<Scheduler> scheduler{};
  std::string selinux_label{};
  std::optional<IoPriority> io_priority{};
  std::optional<ExecCpuAffinity> exec_cpu_affinity{};
  bool operator==(const Process&) const = default;
};

// ---- root, mounts, hooks ----------------------------------------------------

struct Root {
  std::string path{};  // required
  bool readonly = false;
  bool operator==(const Root&) const = default;
};

struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct Mount {
  std::string destination{};  // required
  std::string type{};
  std::string source{};
  std::vector<std::string> options{};
  std::vector<IdMapping> uid_mappings{};  // idmapped mount
  std::vector<IdMapping> gid_mappings{};
  bool operator==(const Mount&) const = default;
};

struct Hook {
  std::string path{};  // required
  std::vector<std::string> args{};
  std::vector<std::string> env{};
  std::optional<int> timeout{};  // seconds, >= 1
  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart{};  // deprecated by the spec, still run
  std::vector<Hook> create_runtime{};
  std::vector<Hook> create_container{};
  std::vector<Hook> start_container{};
  std::vector<Hook> poststart{};
  std::vector<Hook> poststop{};
  bool empty() const {
    return prestart.empty() && create_runtime.empty() && create_container.empty() &&
           start_container.empty() && poststart.empty() && poststop.empty();
  }
  bool operator==(const Hooks&) const = default;
};

// ---- linux ----------------------------------------------------------------

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

// "pid", "network", ... (the config.json spelling).
std::string_view namespace_type_name(NamespaceType t);
std::optional<NamespaceType> namespace_type_from_name(std::string_view name);

struct Namespace {
  NamespaceType type = NamespaceType::mount;
  std::optional<std::string> path{};  // join this namespace instead of creating one
  bool operator==(const Namespace&) const = default;
};

struct TimeOffset {
  std::int64_t secs = 0;
  std::uint32_t nanosecs = 0;
  bool operator==(const TimeOffset&) const = default;
};

struct Device {
  std::string type{};  // "c", "b", "u" or "p"
  std::string path{};  // absolute, in the container
  std::optional<std::int64_t> major{};
  std::optional<std::int64_t> minor{};
  std::optional<std::uint32_t> file_mode{};  // decimal, not octal, in JSON
  std::optional<std::uint32_t> uid{};
  std::optional<std::uint32_t> gid{};
  bool operator==(const Device&) const = default;
};

struct NetDevice {
  std::string name{};  // name inside the container; empty: keep the host name
  bool operator==(const NetDevice&) const = default;
};

// One entry of the device cgroup allow/deny list.
struct DeviceRule {
  bool allow = false;
  std::string type{};  // "a", "c", "b"; empty means all
  std::optional<std::int64_t> major{};  // absent means all (*)
  std::optional<std::int64_t> minor{};
  std::string access{};  // "rwm"
  bool operator==(const DeviceRule&) const = default;
};

struct MemoryResources {
  std::optional<std::int64_t> limit{};
  std::optional<std::int64_t> reservation{};
  std::optional<std::int64_t> swap{};
  std::optional<std::int64_t> kernel{};
  std::optional<std::int64_t> kernel_tcp{};
  std::optional<std::uint64_t> swappiness{};
  std::optional<bool> disable_oom_killer{};
  std::optional<bool> use_hierarchy{};
  std::optional<bool> check_before_update{};
  bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
  std::optional<std::uint64_t> shares{};
  std::optional<std::int64_t> quota{};
  std::optional<std::uint64_t> burst{};
  std::optional<std::uint64_t> period{};
  std::optional<std::int64_t> realtime_runtime{};
  std::optional<std::uint64_t> realtime_period{};
  std::string cpus{};
  std::string mems{};
  std::optional<std::int64_t> idle{};
  bool operator==(const CpuResources&) const = default;
};

struct WeightDevice {
  std::int64_t major = 0;
  std::int64_t minor = 0;
  std::optional<std::uint16_t> weight{};
  std::optional<std::uint16_t> leaf_weight{};
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  std::int64_t major = 0;
  std::int64_t minor = 0;
  std::uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIoResources {
  std::optional<std::uint16_t> weight{};
  std::optional<std::uint16_t> leaf_weight{};
  std::vector<WeightDevice> weight_device{};
  std::vector<ThrottleDevice> throttle_read_bps_device{};
  std::vector<ThrottleDevice> throttle_write_bps_device{};
  std::vector<ThrottleDevice> throttle_read_iops_device{};
  std::vector<ThrottleDevice> throttle_write_iops_device{};
  bool operator==(const BlockIoResources&) const = default;
};

struct HugepageLimit {
  std::string page_size{};  // "2MB"
  std::uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

struct InterfacePriority {
  std::string name{};
  std::uint32_t priority = 0;
  bool operator==(const InterfacePriority&) const = default;
};

struct NetworkResources {
  std::optional<std::uint32_t> class_id{};
  std::vector<InterfacePriority> priorities{};
  bool operator==(const NetworkResources&) const = default;
};

struct PidsResources {
  std::int64_t limit = 0;  // required; <= 0 means unlimited
  bool operator==(const PidsResources&) const = default;
};

struct RdmaLimit {
  std::optional<std::uint32_t> hca_handles{};
  std::optional<std::uint32_t> hca_objects{};
  bool operator==(const RdmaLimit&) const = default;
};

struct Resources {
  std::vector<DeviceRule> devices{};
  std::optional<MemoryResources> memory{};
  std::optional<CpuResources> cpu{};
  std::optional<BlockIoResources> block_io{};
  std::vector<HugepageLimit> hugepage_limits{};
  std::optional<NetworkResources> network{};
  std::optional<PidsResources> pids{};
  std::map<std::string, RdmaLimit> rdma{};  // device name -> limits
  StringMap unified{};                      // cgroup v2 file -> value
  bool operator==(const Resources&) const = default;
};

struct IntelRdt {
  std::string clos_id{};
  std::string l3_cache_schema{};
  std::string mem_bw_schema{};
  std::vector<std::string> schemata{};
  bool enable_monitoring = false;
  bool enable_cmt = false;  // v1.1.0..v1.2.1 names, replaced by enable_monitoring
  bool enable_mbm = false;
  bool operator==(const IntelRdt&) const = default;
};

struct SyscallArg {
  std::uint32_t index = 0;
  std::uint64_t value = 0;
  std::uint64_t value_two = 0;
  std::string op{};  // SCMP_CMP_*
  bool operator==(const SyscallArg&) const = default;
};

struct Syscall {
  std::vector<std::string> names{};
  std::string action{};  // SCMP_ACT_*
  std::optional<std::uint32_t> errno_ret{};
  std::vector<SyscallArg> args{};
  bool operator==(const Syscall&) const = default;
};

struct Seccomp {
  std::string default_action{};  // required
  std::optional<std::uint32_t> default_errno_ret{};
  std::vector<std::string> architectures{};  // SCMP_ARCH_*
  std::vector<std::string> flags{};          // SECCOMP_FILTER_FLAG_*
  std::string listener_path{};
  std::string listener_metadata{};
  std::vector<Syscall> syscalls{};
  bool operator==(const Seccomp&) const = default;
};

struct Personality {
  std::string domain{};  // LINUX | LINUX32
  std::vector<std::string> flags{};
  bool operator==(const Personality&) const = default;
};

struct MemoryPolicy {
  std::string mode{};  // MPOL_*
  std::string nodes{};
  std::vector<std::string> flags{};  // MPOL_F_*
  bool operator==(const MemoryPolicy&) const = default;
};

struct Linux {
  std::vector<IdMapping> uid_mappings{};
  std::vector<IdMapping> gid_mappings{};
  StringMap sysctl{};
  std::optional<Resources> resources{};
  std::string cgroups_path{};
  std::vector<Namespace> namespaces{};
  std::vector<Device> devices{};
  std::map<std::string, NetDevice> net_devices{};  // host name -> device
  std::optional<Seccomp> seccomp{};
  std::string rootfs_propagation{};  // private | shared | slave | unbindable
  std::vector<std::string> masked_paths{};
  std::vector<std::string> readonly_paths{};
  std::string mount_label{};
  std::optional<IntelRdt> intel_rdt{};
  std::optional<MemoryPolicy> memory_policy{};
  std::optional<Personality> personality{};
  std::map<std::string, TimeOffset> time_offsets{};  // "monotonic" / "boottime"

  // The entry for a namespace type, or nullptr.
  const Namespace* find_namespace(NamespaceType t) const;
  bool operator==(const Linux&) const = default;
};

// ---- the document -----------------------------------------------------------

struct Config {
  std::string oci_version{};  // required
  std::optional<Process> process{};
  std::optional<Root> root{};
  std::optional<std::string> hostname{};
  std::optional<std::string> domainname{};
  std::vector<Mount> mounts{};
  Hooks hooks{};
  StringMap annotations{};
  std::optional<Linux> linux{};
  bool operator==(const Config&) const = default;
};

}  // namespace oci
