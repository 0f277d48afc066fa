// The rule list a container gets (runc 1.1's), and its cgroup line form.
#include <catch2/catch.hpp>

#include "cgroups/device_rules.hpp"
#include "devices_support.hpp"

using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

oci::DeviceRule config_rule(bool allow, std::string type, std::optional<std::int64_t> major,
                            std::optional<std::int64_t> minor, std::string access) {
  return {allow, std::move(type), major, minor, std::move(access)};
}

}  // namespace

TEST_CASE("device rules: the config's rules in order, then runc 1.1's defaults", "[cgroups][devices]") {
  auto rules = container_device_rules({config_rule(false, "", {}, {}, "rwm"),
                                       config_rule(true, "c", 1, 11, "rw"),
                                       config_rule(true, "b", 7, {}, "r")});
  CHECK(described(rules) == std::vector<std::string>{
                            "deny a *:* rwm", "allow c 1:11 rw", "allow b 7:* r",
                            // runc's AllowedDevices, in its order
                            "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:8 rwm",
                            "allow c 1:7 rwm", "allow c 5:0 rwm", "allow c 1:5 rwm", "allow c 1:9 rwm",
                            "allow c 136:* rwm", "allow c 5:2 rwm", "allow c 10:200 rwm"});
  // No config rules: the defaults alone (runc applies them to every container).
  CHECK(container_device_rules({}).size() == default_device_rules().size());
}

TEST_CASE("device rules: a missing type is a, a missing number or -1 is *", "[cgroups][devices]") {
  CHECK(from_config(config_rule(true, "", 5, 6, "r")) ==
        DeviceRule{true, DeviceType::all, 5, 6, access_read});
  CHECK(from_config(config_rule(false, "c", {}, -1, "mw")) ==
        DeviceRule{false, DeviceType::character, any_number, any_number, access_mknod | access_write});
  CHECK(from_config(config_rule(true, "b", -1, 3, "rrw")) ==
        DeviceRule{true, DeviceType::block, any_number, 3, access_read | access_write});
}

TEST_CASE("device rules: access letters in the kernel's order", "[cgroups][devices]") {
  CHECK(access_letters(parse_access("mwr")) == "rwm");
  CHECK(access_letters(parse_access("m")) == "m");
  CHECK(access_letters(parse_access("")) == "");
  CHECK(to_cgroup_line({true, DeviceType::block, 8, any_number, access_read}) == "b 8:* r");
  // type a: numbers and access mean nothing to the kernel.
  CHECK(to_cgroup_line({false, DeviceType::all, 1, 3, access_read}) == "a *:* rwm");
}
