#include "cgroups/device_emulator.hpp"

#include <charconv>

#include <fmt/format.h>

#include "cgroups/cgroup_file.hpp"

namespace nucleus::cgroups {

namespace {

bool covers(std::int64_t pattern, std::uint32_t n) { return pattern == any_number || pattern == n; }

// "1", "*"; nullopt when neither.
std::optional<std::int64_t> parse_number(std::string_view s) {
  if (s == "*") return any_number;
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

// One devices.list line, "c 1:3 rwm" or "a *:* rwm".
std::optional<DeviceRule> parse_list_line(std::string_view line) {
  if (line == "a *:* rwm") return DeviceRule{true, DeviceType::all, any_number, any_number, access_all};
  if (line.size() < 7 || (line[0] != 'c' && line[0] != 'b') || line[1] != ' ') return std::nullopt;
  auto colon = line.find(':', 2);
  auto space = line.find(' ', 2);
  if (colon == std::string_view::npos || space == std::string_view::npos || colon > space) return std::nullopt;
  auto major = parse_number(line.substr(2, colon - 2));
  auto minor = parse_number(line.substr(colon + 1, space - colon - 1));
  auto letters = line.substr(space + 1);
  DeviceAccess access = parse_access(letters);
  if (!major || !minor || access == 0 || access_letters(access).size() != letters.size()) return std::nullopt;
  return DeviceRule{true, static_cast<DeviceType>(line[0]), *major, *minor, access};
}

}  // namespace

Result<DeviceEmulator> DeviceEmulator::from_rules(std::span<const DeviceRule> rules) {
  DeviceEmulator e;
  for (const auto& r : rules) TRY_VOID(e.apply(r));
  return e;
}

Result<DeviceEmulator> DeviceEmulator::from_list(std::string_view devices_list) {
  DeviceEmulator e;
  while (!devices_list.empty()) {
    auto eol = devices_list.find('\n');
    auto line = trim(devices_list.substr(0, eol));
    devices_list = eol == std::string_view::npos ? std::string_view() : devices_list.substr(eol + 1);
    if (line.empty()) continue;
    auto rule = parse_list_line(line);
    if (!rule) return fail(fmt::format("unexpected devices.list line \"{}\"", line));
    TRY_VOID(e.apply(*rule));  // the list is of allow exceptions
  }
  return e;
}

Result<void> DeviceEmulator::apply(const DeviceRule& rule) {
  if (rule.type == DeviceType::all) {
    default_allow_ = rule.allow;
    exceptions_.clear();
    return {};
  }
  if (rule.allow == default_allow_) return remove(rule);
  add(rule);
  return {};
}

DeviceAccess DeviceEmulator::access_of(const Pattern& p) const {
  auto it = exceptions_.find(p);
  return it == exceptions_.end() ? 0 : it->second;
}

void DeviceEmulator::add(const DeviceRule& rule) {
  if (rule.access == 0) return;
  exceptions_[pattern_of(rule)] |= rule.access;
}

Result<void> DeviceEmulator::remove(const DeviceRule& rule) {
  const Pattern p = pattern_of(rule);
  for (Pattern wider : {Pattern{p.type, any_number, p.minor}, Pattern{p.type, p.major, any_number},
                        Pattern{p.type, any_number, any_number}}) {
    if (wider == p || !(access_of(wider) & rule.access)) continue;
    return fail(fmt::format("rule \"{}\" would punch a hole in the wider exception \"{}\", which the "
                            "devices cgroup cannot do",
                            to_cgroup_line(rule), to_cgroup_line(rule_of(wider, access_of(wider), true))));
  }
  auto it = exceptions_.find(p);
  if (it == exceptions_.end()) return {};
  it->second &= ~rule.access;
  if (it->second == 0) exceptions_.erase(it);
  return {};
}

bool DeviceEmulator::allows(DeviceType type, std::uint32_t major, std::uint32_t minor,
                            DeviceAccess access) const {
  for (const auto& [p, granted] : exceptions_) {
    if (p.type != type || !covers(p.major, major) || !covers(p.minor, minor)) continue;
    if (default_allow_ && (granted & access)) return false;
    if (!default_allow_ && (access & ~granted) == 0) return true;
  }
  return default_allow_;
}

std::vector<DeviceRule> DeviceEmulator::exceptions() const {
  std::vector<DeviceRule> out;
  for (const auto& [p, access] : exceptions_) out.push_back(rule_of(p, access, !default_allow_));
  return out;
}

std::vector<DeviceRule> DeviceEmulator::transition_to(const DeviceEmulator& target) const {
  std::vector<DeviceRule> out;
  const DeviceEmulator* known = this;
  const DeviceEmulator reset{};  // no exceptions left after a reset
  if (default_allow_ || default_allow_ != target.default_allow_) {
    out.push_back({target.default_allow_, DeviceType::all, any_number, any_number, access_all});
    known = &reset;
  }
  for (const auto& [p, access] : known->exceptions_) {
    if (DeviceAccess dropped = access & ~target.access_of(p)) out.push_back(rule_of(p, dropped, target.default_allow_));
  }
  for (const auto& [p, access] : target.exceptions_) {
    if (DeviceAccess gained = access & ~known->access_of(p)) out.push_back(rule_of(p, gained, !target.default_allow_));
  }
  return out;
}

}  // namespace nucleus::cgroups
