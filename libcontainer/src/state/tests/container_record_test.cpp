#include <catch2/catch.hpp>

#include "state/container_record.hpp"

using namespace nucleus;

namespace {

ContainerRecord sample() {
  ContainerRecord r;
  r.id = "web-1";
  r.init_pid = 4242;
  r.init_start_time = 18446744073709551000ULL;  // beyond int64: must survive
  r.bundle = "/srv/bundles/web";
  r.rootfs = "/srv/bundles/web/rootfs";
  r.created = "2026-11-28T14:58:21.123456789Z";
  r.owner = "";
  r.annotations = {{"z.last", "1"}, {"a.first", "two \"quoted\""}, {"m", ""}};
  r.poststop_hooks = {
      oci::Hook{"/usr/bin/cleanup", {"cleanup", "--all"}, {"A=1"}, 5},
      oci::Hook{"/bin/true", {}, {}, std::nullopt},
  };
  r.cgroup_path = "/nucleus/web-1";
  r.cgroup_paths = {{"memory", "/sys/fs/cgroup/memory/nucleus/web-1"},
                    {"pids", "/sys/fs/cgroup/pids/nucleus/web-1"}};
  r.rootless = true;
  r.cgroup_driver = "cgroupfs";
  r.resources = oci::Resources{};
  r.resources->memory = oci::MemoryResources{.limit = 33554432, .swap = -1, .check_before_update = true};
  r.resources->pids = oci::PidsResources{50};
  r.resources->unified = {{"memory.high", "1000"}};
  return r;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("record: round trip", "[state][record]") {
  ContainerRecord r = sample();
  std::string text = encode_record(r);
  auto back = decode_record(text);
  REQUIRE(back);
  CHECK(*back == r);
  // Annotations keep their order.
  REQUIRE(back->annotations.size() == 3);
  CHECK(back->annotations[0].first == "z.last");

  ContainerRecord empty;
  empty.id = "x";
  empty.bundle = "/b";
  empty.rootfs = "/b/rootfs";
  empty.created = "2026-01-01T00:00:00Z";
  auto back2 = decode_record(encode_record(empty));
  REQUIRE(back2);
  CHECK(*back2 == empty);
}

TEST_CASE("record: bad documents are errors naming the member", "[state][record]") {
  std::string good = encode_record(sample());
  auto err = [](std::string_view text) {
    auto r = decode_record(text);
    REQUIRE_FALSE(r);
    return r.error().what();
  };
  CHECK_FALSE(err("").empty());
  CHECK_FALSE(err("{\"id\":").empty());
  CHECK_FALSE(err("[1,2]").empty());
  CHECK_THAT(err(replace(good, "\"id\":\"web-1\"", "\"id\":5")), Catch::StartsWith("id: expected a string"));
  CHECK_THAT(err(replace(good, "\"initPid\":4242", "\"initPid\":-4")), Catch::StartsWith("initPid:"));
  CHECK_THAT(err(replace(good, "\"initPid\":4242", "\"initPid\":99999999999")), Catch::StartsWith("initPid:"));
  CHECK_THAT(err(replace(good, "\"initPid\":4242,", "")), Catch::Equals("initPid: required property missing"));
  CHECK_THAT(err(replace(good, "\"version\":1", "\"version\":2")), Catch::StartsWith("version:"));
  CHECK_THAT(err(replace(good, "\"rootless\":true", "\"rootless\":\"yes\"")), Catch::StartsWith("rootless:"));
  CHECK_THAT(err(replace(good, "\"limit\":50", "\"limit\":\"x\"")),
             Catch::StartsWith("resources.pids.limit: expected an integer"));
  CHECK_THAT(err(replace(good, "\"m\":\"\"", "\"m\":3")), Catch::StartsWith("annotations.m:"));
  CHECK_THAT(err(replace(good, "\"path\":\"/bin/true\"", "\"path\":7")), Catch::StartsWith("poststopHooks"));
}
