// The platform sections are checked against a condensed form of their JSON
// schemas (config-{solaris,windows,vm,zos,freebsd}.json with $refs inlined):
//   "s" string, "b" boolean, "u8".."u64" unsigned ints, "mode" a file mode,
//   "enum:a|b" one of the strings, {} any object, [node] or [node, minItems]
//   an array, {"key": node, "req!": node} an object ("!" marks required).
#include "platforms.hpp"

#include <limits>

namespace oci::detail {

namespace {

constexpr std::string_view kSharing = R"("enum:disable|new|inherit")";

const char kSchema[] = R"({
"solaris": {"milestone": "s", "limitpriv": "s", "maxShmMemory": "s",
  "cappedCPU": {"ncpus": "s"}, "cappedMemory": {"physical": "s", "swap": "s"},
  "anet": [{"linkname": "s", "lowerLink": "s", "allowedAddress": "s",
            "configureAllowedAddress": "s", "defrouter": "s", "macAddress": "s",
            "linkProtection": "s"}]},
"windows": {"layerFolders!": ["s", 1], "devices": [{"id!": "s", "idType!": "enum:class"}],
  "resources": {"memory": {"limit": "u64"},
    "cpu": {"count": "u64", "shares": "u16", "maximum": "u16",
            "affinity": {"mask": "u64", "group": "u32"}},
    "storage": {"iops": "u64", "bps": "u64", "sandboxSize": "u64"}},
  "network": {"endpointList": ["s"], "allowUnqualifiedDNSQuery": "b", "DNSSearchList": ["s"],
              "networkSharedContainerName": "s", "networkNamespace": "s"},
  "credentialSpec": {}, "servicing": "b", "ignoreFlushesDuringBoot": "b",
  "hyperv": {"utilityVMPath": "s"}},
"vm": {"hypervisor": {"path!": "s", "parameters": ["s"]},
  "kernel!": {"path!": "s", "parameters": ["s"], "initrd": "s"},
  "image": {"path!": "s", "format!": "enum:raw|qcow2|vdi|vmdk|vhd"},
  "hwConfig": {"deviceTree": "s", "vcpus": "u32", "memory": "u64", "dtdevs": ["s"],
    "iomems": [{"firstGFN": "u64", "firstMFN!": "u64", "nrMFNs!": "u64"}], "irqs": ["u32"]}},
"zos": {"namespaces": [{"type!": "enum:mount|pid|uts|ipc", "path": "s"}]},
"freebsd": {"devices": [{"path": "s", "mode": "mode"}],
  "jail": {"parent": "s", "host": "enum:new|inherit", "ip4": SHARING, "ip4Addr": ["s"],
    "ip6": SHARING, "ip6Addr": ["s"], "vnet": "enum:new|inherit", "interface": "s",
    "vnetInterfaces": ["s"], "sysvmsg": SHARING, "sysvsem": SHARING, "sysvshm": SHARING,
    "enforceStatfs": "u8",
    "allow": {"setHostname": "b", "rawSockets": "b", "chflags": "b", "mount": ["s"],
              "quotas": "b", "socketAf": "b", "mlock": "b", "reservedPorts": "b",
              "suser": "b"}}}
})";

const json::Value& schema() {
  static const json::Value s = [] {
    std::string text = kSchema;
    for (auto pos = text.find("SHARING"); pos != std::string::npos; pos = text.find("SHARING"))
      text.replace(pos, 7, kSharing);
    return json::parse(text).value();
  }();
  return s;
}

Status check(const json::Value& v, const json::Value& node, const Path& p);

Status check_uint(const json::Value& v, std::uint64_t max, const Path& p) {
  if (!v.is_int()) return type_error(p, "an integer", v);
  if (v.as_int() < 0 && std::holds_alternative<std::int64_t>(v.storage()))
    return fail_at(p, fmt::format("expected an integer between 0 and {}, got {}", max, v.describe()));
  if (v.as_uint() > max)
    return fail_at(p, fmt::format("expected an integer between 0 and {}, got {}", max, v.describe()));
  return {};
}

Status check_enum(const json::Value& v, std::string_view values, const Path& p) {
  if (!v.is_string()) return type_error(p, "a string", v);
  std::string_view rest = values;
  while (!rest.empty()) {
    auto bar = rest.find('|');
    if (rest.substr(0, bar) == v.as_string()) return {};
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  std::string list(values);
  for (auto& c : list) c = c == '|' ? ',' : c;
  return fail_at(p, fmt::format("expected one of {}, got {}", list, v.describe()));
}

Status check_scalar(const json::Value& v, std::string_view kind, const Path& p) {
  if (kind == "s") return v.is_string() ? Status() : type_error(p, "a string", v);
  if (kind == "b") return v.is_bool() ? Status() : type_error(p, "a boolean", v);
  if (kind == "mode") return check_uint(v, 0777, p);
  if (kind.starts_with("enum:")) return check_enum(v, kind.substr(5), p);
  static constexpr std::pair<std::string_view, std::uint64_t> kUints[] = {
      {"u8", 0xFF}, {"u16", 0xFFFF}, {"u32", 0xFFFFFFFF}, {"u64", ~std::uint64_t{0}}};
  for (const auto& [name, max] : kUints)
    if (kind == name) return check_uint(v, max, p);
  return {};
}

Status check_object(const json::Value& v, const json::Object& props, const Path& p) {
  if (!v.is_object()) return type_error(p, "an object", v);
  for (const auto& [key, sub] : props) {
    bool required = key.ends_with('!');
    std::string_view name = required ? std::string_view(key).substr(0, key.size() - 1) : key;
    const json::Value* member = v.find(name);
    if (member == nullptr) {
      if (required) return fail_at(p.child(name), "required property missing");
      continue;
    }
    if (auto st = check(*member, sub, p.child(name)); !st) return st;
  }
  return {};
}

Status check(const json::Value& v, const json::Value& node, const Path& p) {
  if (node.is_string()) return check_scalar(v, node.as_string(), p);
  if (node.is_object()) return check_object(v, node.as_object(), p);
  const auto& spec = node.as_array();  // [items] or [items, minItems]
  if (!v.is_array()) return type_error(p, "an array", v);
  const auto& a = v.as_array();
  if (spec.size() > 1 && a.size() < spec[1].as_uint())
    return fail_at(p, fmt::format("expected at least {} item(s)", spec[1].as_uint()));
  for (std::size_t i = 0; i < a.size(); ++i)
    if (auto st = check(a[i], spec[0], p.at(i)); !st) return st;
  return {};
}

}  // namespace

Status check_platform_sections(const json::Value& config) {
  for (const auto& [name, node] : schema().as_object()) {
    const json::Value* section = config.find(name);
    if (section == nullptr || section->is_null()) continue;
    if (auto st = check(*section, node, Path().child(name)); !st) return st;
  }
  return {};
}

}  // namespace oci::detail
