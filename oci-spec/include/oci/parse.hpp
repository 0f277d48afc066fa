// Reading, writing and validating the OCI documents.
//
// Parsing checks JSON syntax, the type of every known property (bool, integer
// and its range, string, array, object; strictly: 1 is not true, "1" is not 1)
// and the properties the schemas mark required. Unknown properties are
// ignored; null counts as absent. Errors name the JSON path:
//   linux.resources.memory.limit: expected an integer, got "1g"
//   process.args[1]: expected a string, got 5
//   ociVersion: required property missing
// validate() then checks the spec's semantic rules (MUST / REQUIRED).
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "oci/config.hpp"
#include "oci/features.hpp"
#include "oci/json.hpp"
#include "oci/state.hpp"

namespace oci {

// path: JSON path of the offending value ("" for the whole document);
// what(): "<path>: <message>".
using SpecError = json::ParseError;

template <typename T>
using SpecResult = std::expected<T, SpecError>;

// ---- config.json ------------------------------------------------------------
SpecResult<Config> parse_config(std::string_view json);
SpecResult<Config> config_from_value(const json::Value& v);
// Reads and parses a file. Errors are prefixed with the path as given:
//   "config.json: ociVersion: required property missing"
//   "open config.json: no such file or directory"
SpecResult<Config> load_config(const std::filesystem::path& file);
// Compact, fields in the spec's (runc's) order, empty/absent fields omitted.
std::string to_json(const Config& c, json::WriteOptions opts = {});
json::Value to_value(const Config& c);

// Semantic checks (spec MUSTs); the first violation, naming its path:
//   linux.namespaces[2].type: namespace "pid" listed twice
std::expected<void, SpecError> validate(const Config& c);

// What `runc spec` (or `runc spec --rootless`) writes, with ociVersion
// kSpecVersion. The rootless variant maps the caller's euid/egid to 0.
// cgroup_namespace: runc adds one on a pure cgroup v2 host (the caller knows
// the host; this library does not look).
Config default_config(bool rootless, bool cgroup_namespace = false);
inline constexpr std::string_view kSpecVersion = "1.3.0";

// ---- process.json (exec --process) ----------------------------------------
SpecResult<Process> parse_process(std::string_view json);
std::string to_json(const Process& p, json::WriteOptions opts = {});
// The checks validate() applies to config.process, with paths relative to
// the process object ("args: ...", "cwd: ...").
std::expected<void, SpecError> validate(const Process& p);

// ---- linux.resources (update --resources, libcontainer's state record) ------
// A LinuxResources document; error paths are relative to it ("memory.limit: ...").
SpecResult<Resources> parse_resources(std::string_view json);
SpecResult<Resources> resources_from_value(const json::Value& v);
json::Value to_value(const Resources& r);
// The checks validate() applies to config.linux.resources, with the same
// paths ("linux.resources.memory.swappiness: ...").
std::expected<void, SpecError> validate(const Resources& r);

// ---- hooks (libcontainer keeps poststop hooks in its own state record) ------
json::Value to_value(const std::vector<Hook>& hooks);
SpecResult<std::vector<Hook>> hooks_from_value(const json::Value& v);

// ---- state ------------------------------------------------------------------
SpecResult<State> parse_state(std::string_view json);
std::string to_json(const State& s);  // compact: what hooks get on stdin

SpecResult<RuntimeState> parse_runtime_state(std::string_view json);
std::string to_json(const RuntimeState& s);  // 2-space indent, no trailing newline

std::string to_json(const ContainerProcessState& s);  // compact, as runc sends it

// ---- features ---------------------------------------------------------------
SpecResult<Features> parse_features(std::string_view json);
std::string to_json(const Features& f);  // 4-space indent, no trailing newline

}  // namespace oci
