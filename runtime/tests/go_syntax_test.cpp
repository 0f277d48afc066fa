#include <catch2/catch.hpp>

#include "go_syntax.hpp"

using namespace nucleus::cli;
using namespace std::chrono_literals;

TEST_CASE("Go bools are strconv.ParseBool's spellings") {
  for (const char* s : {"1", "t", "T", "TRUE", "true", "True"}) CHECK(parse_go_bool(s) == true);
  for (const char* s : {"0", "f", "F", "FALSE", "false", "False"}) CHECK(parse_go_bool(s) == false);
  for (const char* s : {"", "yes", "on", "tRUE", "2"}) CHECK_FALSE(parse_go_bool(s));
}

TEST_CASE("Go integers take base prefixes, underscores and signs") {
  CHECK(parse_go_int("42") == 42);
  CHECK(parse_go_int("-42") == -42);
  CHECK(parse_go_int("+7") == 7);
  CHECK(parse_go_int("0x1f") == 31);
  CHECK(parse_go_int("017") == 15);
  CHECK(parse_go_int("0o17") == 15);
  CHECK(parse_go_int("0b101") == 5);
  CHECK(parse_go_int("1_000") == 1000);
  CHECK(parse_go_int("0") == 0);
  CHECK(parse_go_int("-9223372036854775808") == INT64_MIN);
  CHECK_FALSE(parse_go_int("9223372036854775808"));
  for (const char* s : {"", "-", "1x", "08", "1__0", "_1", "1_", "0x", " 1"}) CHECK_FALSE(parse_go_int(s));
  CHECK(parse_go_uint("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(parse_go_uint("18446744073709551616"));
  CHECK_FALSE(parse_go_uint("-1"));
  CHECK_FALSE(parse_go_uint("+1"));
}

TEST_CASE("Go durations") {
  CHECK(parse_go_duration("5s") == 5s);
  CHECK(parse_go_duration("1m30s") == 90s);
  CHECK(parse_go_duration("500ms") == 500ms);
  CHECK(parse_go_duration("1.5h") == 90min);
  CHECK(parse_go_duration("-2us") == -2us);
  CHECK(parse_go_duration("3\u00b5s") == 3us);
  CHECK(parse_go_duration("10ns") == 10ns);
  CHECK(parse_go_duration(".5s") == 500ms);
  CHECK(parse_go_duration("0") == 0s);
  CHECK(parse_go_duration("2h45m0.5s") == 2h + 45min + 500ms);
  for (const char* s : {"", "5", "5x", "s", "1.s.", "-", ".s", "1e3s", "9999999999h"})
    CHECK_FALSE(parse_go_duration(s));
}

TEST_CASE("go_quote escapes like strconv.Quote") {
  CHECK(go_quote("plain") == "\"plain\"");
  CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(go_quote("l1\nl2\t") == "\"l1\\nl2\\t\"");
  CHECK(go_quote(std::string_view("\x01\x7f", 2)) == "\"\\x01\\x7f\"");
  CHECK(go_quote("caf\u00e9") == "\"caf\u00e9\"");       // valid UTF-8 is kept
  CHECK(go_quote("bad\xff") == "\"bad\\xff\"");          // invalid bytes are escaped
}
