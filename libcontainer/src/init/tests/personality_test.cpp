#include <sys/personality.h>

#include <catch2/catch.hpp>

#include "init/personality.hpp"

using namespace nucleus::init;

TEST_CASE("personality domains map onto personality(2) values") {
  CHECK(personality_value({"LINUX", {}}).value() == PER_LINUX);
  CHECK(personality_value({"LINUX32", {}}).value() == PER_LINUX32);
  auto bad = personality_value({"SVR4", {}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "personality domain \"SVR4\" is not supported");
  CHECK_FALSE(personality_value({"LINUX", {"ADDR_NO_RANDOMIZE"}}));
  CHECK(apply_personality(std::nullopt));
}
