// Semantic validation of the `linux` section of config.json.
#include <set>

#include "validate_resources.hpp"
#include "validate_util.hpp"

namespace oci::detail {
namespace {

Status validate_namespaces(const std::vector<Namespace>& namespaces, const Path& p) {
  std::set<NamespaceType> seen;
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    const Namespace& ns = namespaces[i];
    if (!seen.insert(ns.type).second)
      return fail_at(p.at(i).child("type"),
                     fmt::format("namespace {} listed twice", quote(namespace_type_name(ns.type))));
    if (ns.path) TRY_VOID(check_absolute(p.at(i).child("path"), *ns.path));
  }
  return {};
}

// What the kernel takes in uid_map and gid_map: non-empty ranges within 32
// bits, overlapping neither inside nor outside the namespace.
Status validate_id_mappings(const std::vector<IdMapping>& maps, const Path& p) {
  constexpr std::uint64_t kIds = std::uint64_t{1} << 32;
  for (std::size_t i = 0; i < maps.size(); ++i) {
    const IdMapping& m = maps[i];
    if (m.size == 0) return fail_at(p.at(i).child("size"), "must be greater than zero");
    if (std::uint64_t{m.container_id} + m.size > kIds || std::uint64_t{m.host_id} + m.size > kIds)
      return fail_at(p.at(i).child("size"), fmt::format("range of {} ids passes 2^32", m.size));
    for (std::size_t j = 0; j < i; ++j) {
      const IdMapping& o = maps[j];
      auto overlap = [&](std::uint32_t a, std::uint32_t b) {
        return std::uint64_t{a} < std::uint64_t{b} + o.size && std::uint64_t{b} < std::uint64_t{a} + m.size;
      };
      if (overlap(m.container_id, o.container_id) || overlap(m.host_id, o.host_id))
        return fail_at(p.at(i), fmt::format("overlaps entry {}", j));
    }
  }
  return {};
}

bool maps(const std::vector<IdMapping>& maps, std::uint32_t id) {
  return std::any_of(maps.begin(), maps.end(), [&](const IdMapping& m) {
    return id >= m.container_id && std::uint64_t{id} < std::uint64_t{m.container_id} + m.size;
  });
}

// A new user namespace: the init becomes root in it, then the process's user
// (setresuid, setresgid, setgroups take only mapped ids). runc also wants
// both maps.
Status validate_user_namespace(const Config& c, const Linux& l, const Path& root) {
  Path p = root.child("linux");
  const Namespace* user = l.find_namespace(NamespaceType::user);
  if (!user || user->path) return {};
  const std::pair<std::string_view, const std::vector<IdMapping>*> both[] = {
      {"uidMappings", &l.uid_mappings}, {"gidMappings", &l.gid_mappings}};
  for (const auto& [name, list] : both) {
    if (list->empty()) return fail_at(p.child(name), "required with a new user namespace");
    if (!maps(*list, 0)) return fail_at(p.child(name), "must map container id 0 (the init is root in the namespace first)");
  }
  if (!c.process) return {};
  const User& u = c.process->user;
  Path process = root.child("process");
  Path up = process.child("user");
  if (!maps(l.uid_mappings, u.uid)) return fail_at(up.child("uid"), fmt::format("{} is not mapped in linux.uidMappings", u.uid));
  if (!maps(l.gid_mappings, u.gid)) return fail_at(up.child("gid"), fmt::format("{} is not mapped in linux.gidMappings", u.gid));
  for (std::size_t i = 0; i < u.additional_gids.size(); ++i) {
    if (!maps(l.gid_mappings, u.additional_gids[i]))
      return fail_at(up.child("additionalGids").at(i),
                     fmt::format("{} is not mapped in linux.gidMappings", u.additional_gids[i]));
  }
  return {};
}

// Settings that only make sense inside a namespace of their own.
Status validate_namespace_needs(const Config& c, const Linux& l, const Path& root) {
  Path p = root.child("linux");
  auto needs = [&](bool used, NamespaceType t, const Path& where) -> Status {
    if (!used || l.find_namespace(t)) return {};
    return fail_at(where, fmt::format("requires a {} namespace", namespace_type_name(t)));
  };
  TRY_VOID(needs(!l.uid_mappings.empty(), NamespaceType::user, p.child("uidMappings")));
  TRY_VOID(needs(!l.gid_mappings.empty(), NamespaceType::user, p.child("gidMappings")));
  TRY_VOID(needs(!l.time_offsets.empty(), NamespaceType::time, p.child("timeOffsets")));
  TRY_VOID(needs(c.hostname && !c.hostname->empty(), NamespaceType::uts, root.child("hostname")));
  TRY_VOID(needs(c.domainname && !c.domainname->empty(), NamespaceType::uts, root.child("domainname")));
  TRY_VOID(needs(!l.net_devices.empty(), NamespaceType::network, p.child("netDevices")));
  // Without a mount namespace these would change the host's mount table (runc
  // and crun leave the mounts there) or be dropped.
  TRY_VOID(needs(!c.mounts.empty(), NamespaceType::mount, root.child("mounts")));
  TRY_VOID(needs(c.root && c.root->readonly, NamespaceType::mount, root.child("root").child("readonly")));
  TRY_VOID(needs(!l.masked_paths.empty(), NamespaceType::mount, p.child("maskedPaths")));
  TRY_VOID(needs(!l.readonly_paths.empty(), NamespaceType::mount, p.child("readonlyPaths")));
  TRY_VOID(needs(!l.devices.empty(), NamespaceType::mount, p.child("devices")));
  TRY_VOID(needs(!l.rootfs_propagation.empty(), NamespaceType::mount, p.child("rootfsPropagation")));
  for (const auto& [clock, offset] : l.time_offsets) {
    if (!contains(kClocks, clock))
      return fail_at(p.child("timeOffsets").child(clock),
                     fmt::format("unknown clock {} (expected monotonic or boottime)", quote(clock)));
  }
  for (const auto& [host, dev] : l.net_devices) {
    if (!valid_ifname(host))
      return fail_at(p.child("netDevices").child(host), fmt::format("invalid interface name {}", quote(host)));
    if (!dev.name.empty() && !valid_ifname(dev.name))
      return fail_at(p.child("netDevices").child(host).child("name"),
                     fmt::format("invalid interface name {}", quote(dev.name)));
  }
  return {};
}

Status validate_devices(const std::vector<Device>& devices, const Path& p) {
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Device& d = devices[i];
    TRY_VOID(check_name(p.at(i).child("type"), d.type, kDeviceTypes, "device type"));
    TRY_VOID(check_absolute(p.at(i).child("path"), d.path));
    if (d.type != "p" && (!d.major || !d.minor))
      return fail_at(p.at(i), fmt::format("major and minor are required for type {}", quote(d.type)));
    if ((d.major && *d.major < 0) || (d.minor && *d.minor < 0))
      return fail_at(p.at(i).child(d.major && *d.major < 0 ? "major" : "minor"), "must not be negative");
    if (d.file_mode && *d.file_mode > 0777)
      return fail_at(p.at(i).child("fileMode"), fmt::format("must be at most 511 (0777), got {}", *d.file_mode));
  }
  return {};
}

// A major or minor of a device cgroup rule: -1 means "*" (runc's reading),
// otherwise it must fit the kernel's dev_t (12-bit majors, 20-bit minors).
// runc hands any value to the kernel: below -1 or from 2^32 up the create
// fails late, 4294967295 silently becomes "*", and the rest can never match
// a device; refused here, naming the field.
Status check_device_number(const Path& p, const std::optional<std::int64_t>& n, std::int64_t max) {
  if (!n || *n == -1 || (*n >= 0 && *n <= max)) return {};
  return fail_at(p, fmt::format("must be -1 (any) or between 0 and {}, got {}", max, *n));
}

// Access as runc takes it: required, letters r, w and m in any order, repeats
// allowed. runc drops other letters ("rwx" is "rw") or fails at the cgroup
// write ("a", "RW"); refused here.
Status check_device_access(const Path& p, const std::string& access) {
  if (access.empty()) return fail_at(p, "must not be empty (a combination of r, w and m)");
  if (access.find_first_not_of("rwm") != std::string::npos)
    return fail_at(p, fmt::format("expected a combination of r, w and m, got {}", quote(access)));
  return {};
}

}  // namespace

Status validate_device_rules(const std::vector<DeviceRule>& rules, const Path& p) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const DeviceRule& r = rules[i];
    if (!r.type.empty()) TRY_VOID(check_name(p.at(i).child("type"), r.type, kCgroupDeviceTypes, "device type"));
    TRY_VOID(check_device_number(p.at(i).child("major"), r.major, 4095));
    TRY_VOID(check_device_number(p.at(i).child("minor"), r.minor, 1048575));
    TRY_VOID(check_device_access(p.at(i).child("access"), r.access));
  }
  return {};
}

namespace {

bool takes_errno(std::string_view action) {
  return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE";
}

Status check_errno_ret(const Path& p, std::string_view action, bool has_errno) {
  if (!has_errno || takes_errno(action)) return {};
  return fail_at(p, fmt::format("not supported by action {}", quote(action)));
}

Status validate_syscall(const Syscall& s, const Path& p) {
  if (s.names.empty()) return fail_at(p.child("names"), "must not be empty");
  TRY_VOID(check_name(p.child("action"), s.action, kSeccompActions, "seccomp action"));
  TRY_VOID(check_errno_ret(p.child("errnoRet"), s.action, s.errno_ret.has_value()));
  for (std::size_t j = 0; j < s.args.size(); ++j) {
    TRY_VOID(check_name(p.child("args").at(j).child("op"), s.args[j].op, kSeccompOperators,
                        "seccomp operator"));
    if (s.args[j].index > 5)
      return fail_at(p.child("args").at(j).child("index"),
                     fmt::format("must be between 0 and 5, got {}", s.args[j].index));
  }
  return {};
}

Status validate_seccomp(const Seccomp& s, const Path& p) {
  TRY_VOID(check_name(p.child("defaultAction"), s.default_action, kSeccompActions, "seccomp action"));
  if (s.default_action == "SCMP_ACT_NOTIFY")
    return fail_at(p.child("defaultAction"), "SCMP_ACT_NOTIFY cannot be used as default action");
  TRY_VOID(check_errno_ret(p.child("defaultErrnoRet"), s.default_action, s.default_errno_ret.has_value()));
  TRY_VOID(check_names(p.child("architectures"), s.architectures, kSeccompArchs, "seccomp architecture"));
  TRY_VOID(check_names(p.child("flags"), s.flags, kSeccompFlags, "seccomp flag"));
  if (!s.listener_metadata.empty() && s.listener_path.empty())
    return fail_at(p.child("listenerMetadata"), "must not be set without listenerPath");
  for (std::size_t i = 0; i < s.syscalls.size(); ++i)
    TRY_VOID(validate_syscall(s.syscalls[i], p.child("syscalls").at(i)));
  return {};
}

Status validate_intel_rdt(const IntelRdt& rdt, const Path& p) {
  if (!rdt.mem_bw_schema.empty() &&
      (!rdt.mem_bw_schema.starts_with("MB:") || rdt.mem_bw_schema.find('\n') != std::string::npos))
    return fail_at(p.child("memBwSchema"),
                   fmt::format("must start with \"MB:\" and be one line, got {}", quote(rdt.mem_bw_schema)));
  if (rdt.l3_cache_schema.find('\n') != std::string::npos)
    return fail_at(p.child("l3CacheSchema"), "must not contain newlines");
  for (std::size_t i = 0; i < rdt.schemata.size(); ++i) {
    if (rdt.schemata[i].find('\n') != std::string::npos)
      return fail_at(p.child("schemata").at(i), "must not contain newlines");
  }
  return {};
}

// A ".." that climbs above where the path starts would leave the runtime's
// cgroup tree: the cgroup code refuses it too, but only once the state dir
// exists; runc cleans it away instead.
Status check_cgroups_path(const Path& p, const std::string& path) {
  std::string_view rest = path;
  int depth = 0;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part == ".." && --depth < 0)
      return fail_at(p, fmt::format("{}: \"..\" leaves the runtime's cgroup", quote(path)));
    if (!part.empty() && part != "." && part != "..") ++depth;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return {};
}

Status validate_linux_misc(const Linux& l, const Path& p) {
  TRY_VOID(check_no_empty_key(p.child("sysctl"), l.sysctl));
  if (!l.rootfs_propagation.empty())
    TRY_VOID(check_name(p.child("rootfsPropagation"), l.rootfs_propagation, kPropagations,
                        "rootfs propagation"));
  TRY_VOID(check_absolute_all(p.child("maskedPaths"), l.masked_paths));
  TRY_VOID(check_absolute_all(p.child("readonlyPaths"), l.readonly_paths));
  if (const auto& pers = l.personality) {
    TRY_VOID(check_name(p.child("personality").child("domain"), pers->domain, kPersonalityDomains,
                        "personality domain"));
    TRY_VOID(check_names(p.child("personality").child("flags"), pers->flags, {}, "personality flag"));
  }
  if (const auto& mp = l.memory_policy) {
    TRY_VOID(check_name(p.child("memoryPolicy").child("mode"), mp->mode, kMemoryPolicyModes,
                        "memory policy mode"));
    TRY_VOID(check_names(p.child("memoryPolicy").child("flags"), mp->flags, kMemoryPolicyFlags,
                         "memory policy flag"));
  }
  if (l.intel_rdt) TRY_VOID(validate_intel_rdt(*l.intel_rdt, p.child("intelRdt")));
  return {};
}

}  // namespace

Status validate_linux(const Config& c, const Path& root) {
  static const Linux kNone;
  const Linux& l = c.linux ? *c.linux : kNone;  // hostname still needs a UTS namespace
  Path p = root.child("linux");
  TRY_VOID(validate_namespaces(l.namespaces, p.child("namespaces")));
  TRY_VOID(validate_namespace_needs(c, l, root));
  TRY_VOID(validate_id_mappings(l.uid_mappings, p.child("uidMappings")));
  TRY_VOID(validate_id_mappings(l.gid_mappings, p.child("gidMappings")));
  TRY_VOID(validate_user_namespace(c, l, root));
  TRY_VOID(check_cgroups_path(p.child("cgroupsPath"), l.cgroups_path));
  TRY_VOID(validate_devices(l.devices, p.child("devices")));
  if (l.resources) TRY_VOID(validate_resources(*l.resources, p.child("resources")));
  if (l.seccomp) TRY_VOID(validate_seccomp(*l.seccomp, p.child("seccomp")));
  return validate_linux_misc(l, p);
}

}  // namespace oci::detail
