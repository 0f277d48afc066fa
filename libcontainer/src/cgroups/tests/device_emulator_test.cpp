// The devices cgroup emulator: rule semantics, devices.list, and the v1
// transition (current list + rules -> the writes), all pure logic.
#include <catch2/catch.hpp>

#include "cgroups/device_emulator.hpp"
#include "devices_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

TEST_CASE("emulator: deny-all plus the defaults is runc's devices.list", "[cgroups][devices]") {
  auto state = emulate({deny_all()});
  CHECK_FALSE(state.default_allow());
  auto listed = DeviceEmulator::from_list(runc_default_list);
  REQUIRE(listed);
  CHECK(*listed == state);
  // No rules at all is the same: runc starts every list from deny-all.
  CHECK(emulate({}) == state);
  CHECK(state.allows(DeviceType::character, 1, 3, access_read | access_write));
  CHECK(state.allows(DeviceType::character, 136, 7, access_read));
  CHECK(state.allows(DeviceType::block, 7, 0, access_mknod));  // mknod of anything
  CHECK_FALSE(state.allows(DeviceType::character, 1, 11, access_read));  // /dev/kmsg
  CHECK_FALSE(state.allows(DeviceType::character, 1, 1, access_read));   // /dev/mem
  CHECK_FALSE(state.allows(DeviceType::block, 7, 0, access_read));       // /dev/loop0
}

TEST_CASE("emulator: a later rule overrides an earlier one", "[cgroups][devices]") {
  auto state = emulate({deny_all(), allow('c', 1, 11, "rw"), deny('c', 1, 11, "w")});
  CHECK(state.allows(DeviceType::character, 1, 11, access_read));
  CHECK_FALSE(state.allows(DeviceType::character, 1, 11, access_write));
  CHECK_FALSE(state.allows(DeviceType::character, 1, 11, access_read | access_write));
  // Allowed in two rules is not allowed at once: one exception must grant it all (v1).
  auto split = emulate({deny_all(), allow('c', 1, 11, "r"), allow('c', 1, any_number, "w")});
  CHECK(split.allows(DeviceType::character, 1, 11, access_read));
  CHECK(split.allows(DeviceType::character, 1, 11, access_write));
  CHECK_FALSE(split.allows(DeviceType::character, 1, 11, access_read | access_write));
}

TEST_CASE("emulator: a type-a rule resets the default and drops every exception", "[cgroups][devices]") {
  auto opened = emulate({deny_all(), allow('c', 1, 11, "r"), allow_all()});
  CHECK(opened.default_allow());
  CHECK(opened.exceptions().empty());
  CHECK(opened.allows(DeviceType::block, 8, 0, access_read | access_write));
  auto closed = emulate({allow_all(), deny('c', 1, 11, "rwm"), deny_all()});
  CHECK_FALSE(closed.allows(DeviceType::character, 1, 11, access_read));
  CHECK_FALSE(closed.allows(DeviceType::block, 8, 0, access_read));
  CHECK(closed.allows(DeviceType::character, 1, 3, access_read));  // the defaults come after
}

TEST_CASE("emulator: in allow-all mode a deny exception denies any of its letters", "[cgroups][devices]") {
  auto state = emulate({allow_all(), deny('c', 1, 11, "w"), deny('b', 8, any_number, "rwm")});
  CHECK(state.default_allow());
  CHECK(state.allows(DeviceType::character, 1, 11, access_read));
  CHECK_FALSE(state.allows(DeviceType::character, 1, 11, access_write));
  CHECK_FALSE(state.allows(DeviceType::character, 1, 11, access_read | access_write));  // O_RDWR
  CHECK_FALSE(state.allows(DeviceType::block, 8, 1, access_read));
  CHECK(state.allows(DeviceType::block, 9, 1, access_read));
}

TEST_CASE("emulator: taking access out of a wider exception is refused", "[cgroups][devices]") {
  auto r = DeviceEmulator::from_rules(
      std::vector<DeviceRule>{deny_all(), allow('c', 1, any_number, "rw"), deny('c', 1, 11, "r")});
  REQUIRE_FALSE(r);
  CHECK(r.error().what() ==
        "rule \"c 1:11 r\" would punch a hole in the wider exception \"c 1:* rw\", which the devices cgroup "
        "cannot do");
  // Nothing overlapping: fine, and so is taking it from the exact pattern.
  CHECK(DeviceEmulator::from_rules(std::vector<DeviceRule>{deny_all(), allow('c', 1, any_number, "w"),
                                                           deny('c', 1, 11, "r"), deny('c', 1, any_number, "w")}));
}

TEST_CASE("emulator: devices.list lines, and refused malformed ones", "[cgroups][devices]") {
  auto all = DeviceEmulator::from_list("a *:* rwm\n");
  REQUIRE(all);
  CHECK(all->default_allow());
  auto empty = DeviceEmulator::from_list("");
  REQUIRE(empty);
  CHECK_FALSE(empty->default_allow());
  for (const char* bad : {"c 1:3", "x 1:3 rwm", "c 1-3 rwm", "c 1:3 rwx", "a 1:3 rwm", "c -1:3 r", "c 1:3 rr"}) {
    INFO(bad);
    auto r = DeviceEmulator::from_list(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == fmt::format("unexpected devices.list line \"{}\"", bad));
  }
}

TEST_CASE("transition: a new cgroup (allow-all) is denied everything first", "[cgroups][devices]") {
  auto fresh = DeviceEmulator::from_list("a *:* rwm\n");
  REQUIRE(fresh);
  auto target = emulate({deny_all(), allow('c', 1, 11, "r")});
  auto w = described(fresh->transition_to(target));
  REQUIRE(w.size() == 13);
  CHECK(w.front() == "deny a *:* rwm");
  CHECK(std::count(w.begin(), w.end(), "allow c 1:11 r") == 1);
  for (std::size_t i = 1; i < w.size(); ++i) CHECK((w[i].starts_with("allow c ") || w[i].starts_with("allow b ")));
}

TEST_CASE("transition: an allow-list cgroup changes without a reset", "[cgroups][devices]") {
  auto before = emulate({deny_all(), allow('c', 1, 11, "rw"), allow('b', 7, 0, "r")});
  auto after = emulate({deny_all(), allow('c', 1, 11, "r"), allow('c', 4, 1, "rw")});
  CHECK(described(before.transition_to(after)) ==
        std::vector<std::string>{"deny b 7:0 r", "deny c 1:11 w", "allow c 4:1 rw"});
  CHECK(before.transition_to(before).empty());  // applied again: nothing to write
  // To allow-all, and from allow-all (whose deny exceptions are unknown): a reset first.
  CHECK(described(before.transition_to(emulate({allow_all()}))) == std::vector<std::string>{"allow a *:* rwm"});
  auto denying = emulate({allow_all(), deny('c', 1, 11, "rwm")});
  CHECK(described(denying.transition_to(denying)).front() == "allow a *:* rwm");
}

TEST_CASE("transition: between deny-all states no step allows more than the start or the end",
          "[cgroups][devices]") {
  const std::vector<std::vector<DeviceRule>> lists = {
      {deny_all()},
      {deny_all(), allow('c', 1, 11, "rw"), allow('b', 7, any_number, "r")},
      {deny_all(), allow('c', 1, any_number, "r"), allow('c', 4, 1, "w")},
      {allow_all(), deny('c', 1, 11, "w"), deny('b', any_number, any_number, "r")},
      {allow_all()},
  };
  for (const auto& from : lists) {
    for (const auto& to : lists) {
      auto source = emulate(from);
      auto target = emulate(to);
      DeviceEmulator step = source;
      for (const auto& rule : source.transition_to(target)) {
        REQUIRE(step.apply(rule));
        if (source.default_allow() || target.default_allow()) continue;  // via allow-all (see transition_to)
        INFO("after " << to_cgroup_line(rule));
        CHECK(count_probes([&](const Probe& p) { return allows(step, p) && !allows(source, p) && !allows(target, p); }) == 0);
      }
      if (!target.default_allow()) CHECK(step == target);
      CHECK(count_probes([&](const Probe& p) { return allows(step, p) != allows(target, p); }) == 0);
    }
  }
}
