#include "cgroups/device_rules.hpp"

#include <fmt/format.h>

namespace nucleus::cgroups {

namespace {

constexpr DeviceRule allow_char(std::int64_t major, std::int64_t minor, DeviceAccess access = access_all) {
  return {true, DeviceType::character, major, minor, access};
}

constexpr DeviceRule kDefaults[] = {
    allow_char(any_number, any_number, access_mknod),
    {true, DeviceType::block, any_number, any_number, access_mknod},
    allow_char(1, 3),            // /dev/null
    allow_char(1, 8),            // /dev/random
    allow_char(1, 7),            // /dev/full
    allow_char(5, 0),            // /dev/tty
    allow_char(1, 5),            // /dev/zero
    allow_char(1, 9),            // /dev/urandom
    allow_char(136, any_number),  // /dev/pts/*
    allow_char(5, 2),            // /dev/ptmx
    allow_char(10, 200),         // /dev/net/tun
};

std::string number(std::int64_t n) { return n == any_number ? "*" : std::to_string(n); }

}  // namespace

std::string access_letters(DeviceAccess access) {
  std::string out;
  if (access & access_read) out += 'r';
  if (access & access_write) out += 'w';
  if (access & access_mknod) out += 'm';
  return out;
}

DeviceAccess parse_access(std::string_view letters) {
  DeviceAccess out = 0;
  for (char c : letters) {
    if (c == 'r') out |= access_read;
    if (c == 'w') out |= access_write;
    if (c == 'm') out |= access_mknod;
  }
  return out;
}

std::string to_cgroup_line(const DeviceRule& rule) {
  if (rule.type == DeviceType::all) return "a *:* rwm";
  return fmt::format("{} {}:{} {}", static_cast<char>(rule.type), number(rule.major), number(rule.minor),
                     access_letters(rule.access));
}

std::span<const DeviceRule> default_device_rules() { return kDefaults; }

DeviceRule from_config(const oci::DeviceRule& rule) {
  DeviceRule out;
  out.allow = rule.allow;
  if (rule.type == "c") out.type = DeviceType::character;
  if (rule.type == "b") out.type = DeviceType::block;
  out.major = rule.major.value_or(any_number);
  out.minor = rule.minor.value_or(any_number);
  out.access = parse_access(rule.access);
  return out;
}

std::vector<DeviceRule> container_device_rules(const std::vector<oci::DeviceRule>& config_rules) {
  std::vector<DeviceRule> out;
  out.reserve(config_rules.size() + std::size(kDefaults));
  for (const auto& r : config_rules) out.push_back(from_config(r));
  out.insert(out.end(), std::begin(kDefaults), std::end(kDefaults));
  return out;
}

}  // namespace nucleus::cgroups
