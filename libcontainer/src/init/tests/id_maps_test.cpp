// The pure parts of writing a user namespace's id maps (id_maps.hpp).
#include <catch2/catch.hpp>

#include "init/id_maps.hpp"

using namespace nucleus::init;

TEST_CASE("id maps: setgroups is denied only for a map of the caller's own id alone", "[id_maps]") {
  CHECK(maps_only({{0, 1001, 1}}, 1001));
  CHECK_FALSE(maps_only({{0, 1001, 2}}, 1001));
  CHECK_FALSE(maps_only({{0, 1000, 1}}, 1001));
  CHECK_FALSE(maps_only({{0, 1001, 1}, {1, 100000, 65536}}, 1001));
  CHECK_FALSE(maps_only({}, 1001));
}

TEST_CASE("id maps: newuidmap gets the pid, then inside outside count per mapping", "[id_maps]") {
  auto argv = mapping_tool_argv("/usr/bin/newuidmap", 42, {{0, 1001, 1}, {1, 100000, 65536}});
  CHECK(argv == std::vector<std::string>{"/usr/bin/newuidmap", "42", "0", "1001", "1", "1", "100000", "65536"});
}
