#include <regex>

#include <catch2/catch.hpp>

#include "state/rfc3339.hpp"

using namespace nucleus;

TEST_CASE("rfc3339: formats like Go's RFC3339Nano", "[state][rfc3339]") {
  CHECK(format_rfc3339_nano({1795877901, 123456789}) == "2026-11-28T14:58:21.123456789Z");
  CHECK(format_rfc3339_nano({1795877901, 120000000}) == "2026-11-28T14:58:21.12Z");
  CHECK(format_rfc3339_nano({1795877901, 1}) == "2026-11-28T14:58:21.000000001Z");
  // A zero fraction disappears with its dot.
  CHECK(format_rfc3339_nano({1795877901, 0}) == "2026-11-28T14:58:21Z");
  CHECK(format_rfc3339_nano({0, 0}) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339_seconds(1795877901) == "2026-11-28T14:58:21Z");
  CHECK(format_rfc3339_seconds(951782400) == "2000-02-29T00:00:00Z");
}

TEST_CASE("rfc3339: now has the expected shape", "[state][rfc3339]") {
  std::regex nano(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$)");
  std::regex seconds(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");
  for (int i = 0; i < 20; ++i) CHECK(std::regex_match(rfc3339_nano_now(), nano));
  CHECK(std::regex_match(rfc3339_seconds_now(), seconds));
  CHECK(rfc3339_nano_now().substr(0, 4) >= "2024");
}
