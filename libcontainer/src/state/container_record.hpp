// What nucleus keeps about a container in <root>/<id>/state.json: everything
// later verbs need that cannot be derived from the host (the status is not
// stored; it is derived from the init pid, the exec FIFO and the freezer).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oci/config.hpp>
#include <oci/json.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

struct ContainerRecord {
  std::string id;
  pid_t init_pid = 0;
  std::uint64_t init_start_time = 0;  // field 22 of /proc/<pid>/stat, clock ticks
  std::filesystem::path bundle;       // absolute
  std::filesystem::path rootfs;       // absolute
  std::string created;                // RFC 3339 with nanoseconds, UTC
  std::string owner;
  std::vector<std::pair<std::string, std::string>> annotations;  // config order
  std::vector<oci::Hook> poststart_hooks;  // run by `start`, after create
  std::vector<oci::Hook> poststop_hooks;
  // Cgroup as resolved at create: the configured path, and controller -> dir.
  std::string cgroup_path;
  std::map<std::string, std::string> cgroup_paths;
  bool rootless = false;
  std::string cgroup_driver;
  // linux.resources as applied: the config's at create, merged with each
  // update since (update changes only the fields it is given).
  std::optional<oci::Resources> resources;

  bool operator==(const ContainerRecord&) const = default;
};

oci::json::Value to_value(const ContainerRecord& r);
std::string encode_record(const ContainerRecord& r);

// Errors name the offending member ("initPid: expected an integer, got \"x\"");
// the caller adds the file name.
Result<ContainerRecord> record_from_value(const oci::json::Value& v);
Result<ContainerRecord> decode_record(std::string_view text);

}  // namespace nucleus
