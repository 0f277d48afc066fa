#include "state/container_record.hpp"

#include <limits>

#include <oci/parse.hpp>

namespace nucleus {

namespace json = oci::json;

namespace {

// Bumped when the record changes incompatibly; newer records are refused.
constexpr std::int64_t kRecordVersion = 1;

json::Value string_map_value(const auto& pairs) {
  json::Object o;
  for (const auto& [k, v] : pairs) o.emplace_back(k, json::Value(v));
  return json::Value(std::move(o));
}

Error type_error(std::string_view key, std::string_view want, const json::Value& got) {
  return Error(fmt::format("{}: expected {}, got {}", key, want, got.describe()));
}

// A member that must be present (when `required`) and be a string.
Result<std::string> get_string(const json::Value& v, std::string_view key, bool required) {
  const json::Value* m = v.find(key);
  if (m == nullptr || m->is_null()) {
    if (required) return fail(fmt::format("{}: required property missing", key));
    return std::string();
  }
  if (!m->is_string()) return std::unexpected(type_error(key, "a string", *m));
  return m->as_string();
}

// A non-negative integer no larger than `max`.
Result<std::uint64_t> get_uint(const json::Value& v, std::string_view key, std::uint64_t max) {
  const json::Value* m = v.find(key);
  if (m == nullptr || m->is_null()) return fail(fmt::format("{}: required property missing", key));
  const auto& s = m->storage();
  std::uint64_t out = 0;
  if (const auto* u = std::get_if<std::uint64_t>(&s)) out = *u;
  else if (const auto* i = std::get_if<std::int64_t>(&s); i && *i >= 0) out = static_cast<std::uint64_t>(*i);
  else return std::unexpected(type_error(key, "a non-negative integer", *m));
  if (out > max) return fail(fmt::format("{}: {} out of range", key, out));
  return out;
}

Result<bool> get_bool(const json::Value& v, std::string_view key) {
  const json::Value* m = v.find(key);
  if (m == nullptr || m->is_null()) return false;
  if (!m->is_bool()) return std::unexpected(type_error(key, "a boolean", *m));
  return m->as_bool();
}

// An object of string values, in document order.
Result<std::vector<std::pair<std::string, std::string>>> get_string_pairs(const json::Value& v,
                                                                         std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::Value* m = v.find(key);
  if (m == nullptr || m->is_null()) return out;
  if (!m->is_object()) return std::unexpected(type_error(key, "an object", *m));
  for (const auto& [k, val] : m->as_object()) {
    if (!val.is_string())
      return std::unexpected(type_error(fmt::format("{}.{}", key, k), "a string", val));
    out.emplace_back(k, val.as_string());
  }
  return out;
}

// A member oci-spec decodes (absent: nullopt), its errors prefixed with the key.
template <typename T, typename Decode>
Result<std::optional<T>> get_decoded(const json::Value& v, std::string_view key, Decode decode) {
  const json::Value* m = v.find(key);
  if (m == nullptr || m->is_null()) return std::optional<T>{};
  auto decoded = decode(*m);
  if (!decoded) {
    const auto& e = decoded.error();
    return fail(e.path.empty() ? fmt::format("{}: {}", key, e.message)
                               : fmt::format("{}{}{}: {}", key, e.path.starts_with('[') ? "" : ".", e.path,
                                             e.message));
  }
  return std::optional<T>(std::move(*decoded));
}

Result<std::vector<oci::Hook>> get_hooks(const json::Value& v, std::string_view key) {
  auto hooks = TRY(get_decoded<std::vector<oci::Hook>>(v, key, oci::hooks_from_value));
  return hooks.value_or(std::vector<oci::Hook>{});
}

}  // namespace

json::Value to_value(const ContainerRecord& r) {
  json::Object o;
  o.emplace_back("version", json::Value(kRecordVersion));
  o.emplace_back("id", json::Value(r.id));
  o.emplace_back("initPid", json::Value(static_cast<std::int64_t>(r.init_pid)));
  o.emplace_back("initStartTime", json::Value(r.init_start_time));
  o.emplace_back("bundle", json::Value(r.bundle.string()));
  o.emplace_back("rootfs", json::Value(r.rootfs.string()));
  o.emplace_back("created", json::Value(r.created));
  o.emplace_back("owner", json::Value(r.owner));
  o.emplace_back("annotations", string_map_value(r.annotations));
  if (!r.poststart_hooks.empty())
    o.emplace_back("poststartHooks", oci::to_value(r.poststart_hooks));
  o.emplace_back("poststopHooks", oci::to_value(r.poststop_hooks));
  o.emplace_back("cgroupPath", json::Value(r.cgroup_path));
  o.emplace_back("cgroupPaths", string_map_value(r.cgroup_paths));
  o.emplace_back("rootless", json::Value(r.rootless));
  o.emplace_back("cgroupDriver", json::Value(r.cgroup_driver));
  if (r.resources) o.emplace_back("resources", oci::to_value(*r.resources));
  return json::Value(std::move(o));
}

std::string encode_record(const ContainerRecord& r) { return json::write(to_value(r)); }

Result<ContainerRecord> record_from_value(const json::Value& v) {
  if (!v.is_object()) return fail(fmt::format("expected an object, got {}", v.describe()));
  std::uint64_t version = TRY(get_uint(v, "version", std::numeric_limits<std::int64_t>::max()));
  if (version != static_cast<std::uint64_t>(kRecordVersion))
    return fail(fmt::format("version: unsupported state record version {}", version));
  ContainerRecord r;
  r.id = TRY(get_string(v, "id", true));
  r.init_pid = static_cast<pid_t>(TRY(get_uint(v, "initPid", std::numeric_limits<pid_t>::max())));
  r.init_start_time = TRY(get_uint(v, "initStartTime", std::numeric_limits<std::uint64_t>::max()));
  r.bundle = TRY(get_string(v, "bundle", true));
  r.rootfs = TRY(get_string(v, "rootfs", true));
  r.created = TRY(get_string(v, "created", true));
  r.owner = TRY(get_string(v, "owner", false));
  r.annotations = TRY(get_string_pairs(v, "annotations"));
  r.poststart_hooks = TRY(get_hooks(v, "poststartHooks"));
  r.poststop_hooks = TRY(get_hooks(v, "poststopHooks"));
  r.cgroup_path = TRY(get_string(v, "cgroupPath", false));
  auto cgroup_paths = TRY(get_string_pairs(v, "cgroupPaths"));
  for (auto& [controller, dir] : cgroup_paths) r.cgroup_paths[controller] = std::move(dir);
  r.rootless = TRY(get_bool(v, "rootless"));
  r.cgroup_driver = TRY(get_string(v, "cgroupDriver", false));
  r.resources = TRY(get_decoded<oci::Resources>(v, "resources", oci::resources_from_value));
  return r;
}

Result<ContainerRecord> decode_record(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return fail(v.error().what());
  return record_from_value(*v);
}

}  // namespace nucleus
