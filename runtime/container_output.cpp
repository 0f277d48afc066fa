#include "container_output.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>
#include <oci/json.hpp>
#include <oci/parse.hpp>

namespace nucleus::cli {

namespace {

namespace json = oci::json;

// Go's text/tabwriter as runc's list configures it: NewWriter(out, 12, 1, 3, ' ', 0).
constexpr std::size_t kMinWidth = 12;
constexpr std::size_t kPadding = 3;

// Cells separated by tabs in Go; every cell but the last is padded to its
// column's width, the last is written as is.
std::string tabulate(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() + 1 < row.size()) widths.resize(row.size() - 1, kMinWidth);
    for (std::size_t i = 0; i + 1 < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size() + kPadding);
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      out += i + 1 < row.size() ? fmt::format("{:<{}}", row[i], widths[i]) : row[i];
    out += '\n';
  }
  return out;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (true) {
    i = line.find_first_not_of(" \t", i);
    if (i == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t", i), line.size());
    out.push_back(line.substr(i, end - i));
    i = end;
  }
  return out;
}

json::Value state_value(const ContainerState& c) {
  json::Object o{
      {"ociVersion", json::Value(oci::kSpecVersion)},
      {"id", json::Value(c.id)},
      {"pid", json::Value(static_cast<int>(c.pid))},
      {"status", json::Value(to_string(c.status))},
      {"bundle", json::Value(c.bundle.string())},
      {"rootfs", json::Value(c.rootfs.string())},
      {"created", json::Value(c.created)},
  };
  if (!c.annotations.empty()) {
    json::Object annotations;
    for (const auto& [key, value] : c.annotations) annotations.emplace_back(key, json::Value(value));
    o.emplace_back("annotations", json::Value(std::move(annotations)));
  }
  o.emplace_back("owner", json::Value(c.owner));
  return json::Value(std::move(o));
}

}  // namespace

oci::RuntimeState to_runtime_state(const ContainerState& s) {
  oci::RuntimeState out;
  out.oci_version = std::string(oci::kSpecVersion);
  out.id = s.id;
  out.pid = static_cast<int>(s.pid);
  out.status = std::string(to_string(s.status));
  out.bundle = s.bundle.string();
  out.rootfs = s.rootfs.string();
  out.created = s.created;
  out.annotations.insert(s.annotations.begin(), s.annotations.end());
  out.owner = s.owner;
  return out;
}

std::string list_table(std::span<const ContainerState> containers) {
  std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const ContainerState& c : containers)
    rows.push_back({c.id, std::to_string(c.pid), std::string(to_string(c.status)), c.bundle.string(),
                    c.created, c.owner});
  return tabulate(rows);
}

std::string list_json(std::span<const ContainerState> containers) {
  if (containers.empty()) return "null\n";  // Go marshals a nil slice as null
  json::Array items;
  for (const ContainerState& c : containers) items.push_back(state_value(c));
  return json::write(json::Value(std::move(items))) + '\n';
}

std::string list_ids(std::span<const ContainerState> containers) {
  std::string out;
  for (const ContainerState& c : containers) out += c.id + '\n';
  return out;
}

std::string pids_json(std::span<const pid_t> pids) {
  json::Array items;
  for (pid_t pid : pids) items.emplace_back(static_cast<int>(pid));
  return json::write(json::Value(std::move(items))) + '\n';
}

Result<std::string> filter_ps_output(std::string_view ps_output, std::span<const pid_t> pids) {
  const std::size_t eol = ps_output.find('\n');
  const std::string_view header = ps_output.substr(0, eol);
  const auto header_fields = fields(header);
  const auto pid_column = std::find(header_fields.begin(), header_fields.end(), "PID");
  if (pid_column == header_fields.end()) return fail("couldn't find PID field in ps output");
  const auto index = static_cast<std::size_t>(pid_column - header_fields.begin());

  std::string out = fmt::format("{}\n", header);
  std::string_view rest = eol == std::string_view::npos ? "" : ps_output.substr(eol + 1);
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    const auto line_fields = fields(line);
    if (line_fields.empty()) continue;
    int pid = 0;
    const std::string_view field = index < line_fields.size() ? line_fields[index] : "";
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), pid);
    if (ec != std::errc() || ptr != field.data() + field.size() || field.empty())
      return fail(fmt::format("unable to parse pid: {}", field));
    if (std::find(pids.begin(), pids.end(), pid) != pids.end()) out += fmt::format("{}\n", line);
  }
  return out;
}

}  // namespace nucleus::cli
