// The JSON document model: parsing, writing, value semantics.
#include <catch2/catch.hpp>

#include "oci/json.hpp"

using oci::json::Array;
using oci::json::Object;
using oci::json::Value;
namespace json = oci::json;

namespace {

Value parse_ok(std::string_view text) {
  auto v = json::parse(text);
  INFO(text);
  REQUIRE(v.has_value());
  return *v;
}

std::string parse_error(std::string_view text) {
  auto v = json::parse(text);
  INFO(text);
  REQUIRE_FALSE(v.has_value());
  return v.error().what();
}

}  // namespace

TEST_CASE("json: numbers keep their exact integer type") {
  auto v = parse_ok(R"([0, -1, 9223372036854775807, -9223372036854775808,
                        18446744073709551615, 1.5, 1e3, 18446744073709551616])");
  const auto& a = v.as_array();
  CHECK(std::holds_alternative<std::int64_t>(a[0].storage()));
  CHECK(a[1].as_int() == -1);
  CHECK(a[2].as_int() == INT64_MAX);
  CHECK(a[3].as_int() == INT64_MIN);
  CHECK(std::holds_alternative<std::uint64_t>(a[4].storage()));
  CHECK(a[4].as_uint() == UINT64_MAX);
  CHECK(a[4].is_int());
  CHECK_FALSE(a[5].is_int());
  CHECK(a[5].as_double() == 1.5);
  CHECK_FALSE(a[6].is_int());  // 1e3 is written as a float: not an integer
  CHECK(a[6].is_number());
  CHECK_FALSE(a[7].is_int());  // beyond uint64
}

TEST_CASE("json: syntax errors are rejected") {
  CHECK_THAT(parse_error("{]"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(""), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(R"({"a": 1} x)"), Catch::Contains("trailing garbage"));
  CHECK_THAT(parse_error(R"({"a": 1} {})"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(R"({"a": 1 /* comment */})"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(R"({"a": 01})"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(R"({"a": [1, 2})"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(R"({'a': 1})"), Catch::Contains("invalid JSON"));
  // Whitespace after the document is fine.
  CHECK(json::parse("{}\n\n").has_value());
}

TEST_CASE("json: nesting depth is bounded") {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(json::parse(nested(100)).has_value());
  CHECK_THAT(parse_error(nested(100000)), Catch::Contains("nesting deeper than 512 levels"));
}

TEST_CASE("json: objects keep order and the last duplicate wins") {
  auto v = parse_ok(R"({"b": 1, "a": 2, "b": 3})");
  REQUIRE(v.as_object().size() == 2);
  CHECK(v.as_object()[0].first == "b");
  CHECK(v.find("b")->as_int() == 3);
  CHECK(v.find("a")->as_int() == 2);
  CHECK(v.find("c") == nullptr);
  CHECK(Value(1).find("a") == nullptr);
  v.set("a", "x");
  CHECK(v.find("a")->as_string() == "x");
  v.set("z", nullptr);
  CHECK(v.as_object().back().first == "z");
}

// Go's encoding/json decodes a repeated key into what the first left: objects
// merge member by member (runc 1.1.5 runs {"process": {full}, "process":
// {"cwd": "/bin"}} with the first process's args), anything else replaces.
TEST_CASE("json: a repeated object key merges into the first, as Go decodes it") {
  auto v = parse_ok(R"({"p": {"args": ["a"], "env": {"x": 1, "y": 2}, "cwd": "/"}, "q": 1,)"
                    R"( "p": {"cwd": "/bin", "env": {"y": 3, "z": 4}, "args": ["b", "c"]}})");
  REQUIRE(v.as_object().size() == 2);
  const Value& p = *v.find("p");
  CHECK(json::write(p) == R"({"args":["b","c"],"env":{"x":1,"y":3,"z":4},"cwd":"/bin"})");
  CHECK(json::write(parse_ok(R"({"p": {"a": 1}, "p": [1], "p": {"b": 2}})")) == R"({"p":{"b":2}})");
  CHECK(json::write(parse_ok(R"({"p": {"a": 1}, "p": null})")) == R"({"p":null})");
  CHECK(json::write(parse_ok(R"({"p": 1, "p": {"b": 2}})")) == R"({"p":{"b":2}})");
}

// encoding/json replaces each byte that is not part of valid UTF-8 with U+FFFD
// when it decodes a string or a key (runc 1.1.5: "h\xfe" as hostname becomes
// "h\uFFFD"), and writes an invalid byte as \ufffd.
TEST_CASE("json: invalid UTF-8 is replaced by U+FFFD, as Go decodes it") {
  const std::string fffd = "\xef\xbf\xbd";
  auto v = parse_ok("{\"a\xff\": \"x\xfe\xffy\", \"b\": \"\xc3\", \"c\": \"\xe2\x82z\","
                    " \"d\": \"\xed\xa0\x80\", \"e\": \"\xc0\x80\", \"f\": \"\xf4\x90\x80\x80\","
                    " \"g\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}");
  CHECK(v.find("a" + fffd)->as_string() == "x" + fffd + fffd + "y");
  CHECK(v.find("b")->as_string() == fffd);                       // truncated sequence
  CHECK(v.find("c")->as_string() == fffd + fffd + "z");          // each byte of it
  CHECK(v.find("d")->as_string() == fffd + fffd + fffd);         // a surrogate
  CHECK(v.find("e")->as_string() == fffd + fffd);                // overlong
  CHECK(v.find("f")->as_string() == fffd + fffd + fffd + fffd);  // beyond U+10FFFF
  CHECK(v.find("g")->as_string() == "caf\xc3\xa9 \xf0\x9f\x98\x80");  // valid text is kept
  // An escaped surrogate that is not half of a pair is U+FFFD too.
  auto e = parse_ok(R"({"a": "\ud800x", "b": "\udc00x", "c": "\ud800\u0041", "d": "\ud83d\ude00",)"
                    R"( "e": "\\ud800", "\udbff": 1})");
  CHECK(e.find("a")->as_string() == fffd + "x");
  CHECK(e.find("b")->as_string() == fffd + "x");
  CHECK(e.find("c")->as_string() == fffd + "A");
  CHECK(e.find("d")->as_string() == "\xf0\x9f\x98\x80");
  CHECK(e.find("e")->as_string() == "\\ud800");
  CHECK(e.find(fffd) != nullptr);
  // Control characters are still refused, as Go refuses them.
  CHECK_THAT(parse_error("{\"a\": \"\x01\"}"), Catch::Contains("invalid JSON"));
  CHECK(json::write(Value("a\xff" "b\xc3")) == R"("a\ufffdb\ufffd")");
  CHECK(json::write(Value("caf\xc3\xa9")) == "\"caf\xc3\xa9\"");
}

TEST_CASE("json: compact and indented writing in Go's format") {
  Value v = Object{{"id", "c1"}, {"n", -5}, {"empty", Object{}}, {"list", Array{}},
                   {"arr", Array{1, true, nullptr}}, {"u", std::uint64_t{18446744073709551615ULL}}};
  CHECK(json::write(v) ==
        R"({"id":"c1","n":-5,"empty":{},"list":[],"arr":[1,true,null],"u":18446744073709551615})");
  CHECK(json::write(v, {.indent = 2}) == R"({
  "id": "c1",
  "n": -5,
  "empty": {},
  "list": [],
  "arr": [
    1,
    true,
    null
  ],
  "u": 18446744073709551615
})");
  CHECK(json::write(Value(Array{Array{}}), {.indent = 4}) == "[\n    []\n]");
}

TEST_CASE("json: strings are escaped like Go's encoding/json") {
  CHECK(json::write(Value("a\"b\\c\n\t\r")) == R"("a\"b\\c\n\t\r")");
  CHECK(json::write(Value("<&>")) == R"("\u003c\u0026\u003e")");
  CHECK(json::write(Value(std::string("\x01\x1f", 2))) == R"("\u0001\u001f")");
  CHECK(json::write(Value("line\xe2\x80\xa8sep\xe2\x80\xa9")) == R"("line\u2028sep\u2029")");
  CHECK(json::write(Value("h\xc3\xa9llo/")) == "\"h\xc3\xa9llo/\"");
  // What is written parses back to the same value.
  Value tricky("q\"<>&\x01\xe2\x80\xa8\xc3\xa9");
  CHECK(parse_ok(json::write(tricky)) == tricky);
}

TEST_CASE("json: doubles are written shortest and round-trip") {
  CHECK(json::write(Value(0.1)) == "0.1");
  CHECK(json::write(Value(1.5)) == "1.5");
  CHECK(parse_ok(json::write(Value(1e300))).as_double() == 1e300);
}

TEST_CASE("json: doubles take Go's encoding/json form") {
  CHECK(json::write(Value(0.0)) == "0");
  CHECK(json::write(Value(-0.5)) == "-0.5");
  CHECK(json::write(Value(1000.0)) == "1000");
  CHECK(json::write(Value(123456789.125)) == "123456789.125");
  CHECK(json::write(Value(1e20)) == "100000000000000000000");
  CHECK(json::write(Value(1e21)) == "1e+21");
  CHECK(json::write(Value(0.000001)) == "0.000001");
  CHECK(json::write(Value(1e-7)) == "1e-7");
  CHECK(json::write(Value(1.5e-10)) == "1.5e-10");
  CHECK(json::write(Value(5e-324)) == "5e-324");
  CHECK(json::write(Value(1.7976931348623157e308)) == "1.7976931348623157e+308");
}

TEST_CASE("json: a number beyond double's range is an error") {
  CHECK_THAT(parse_error("[1e400]"), Catch::Contains("number 1e400 out of range"));
}

TEST_CASE("json: copies are independent values") {
  Value a = Object{{"list", Array{1, 2}}};
  Value b = a;
  b.set("x", 1);
  b.as_object()[0].second.as_array().emplace_back(3);
  CHECK(a.as_object().size() == 1);
  CHECK(a.find("list")->as_array().size() == 2);
  CHECK(b.find("list")->as_array().size() == 3);
}

TEST_CASE("json: equality compares values, integers across signedness") {
  CHECK(Value(5) == Value(5u));
  CHECK_FALSE(Value(-1) == Value(std::uint64_t{UINT64_MAX}));
  CHECK_FALSE(Value(1) == Value(1.0));
  CHECK(Value(nullptr) == Value());
  CHECK_FALSE(Value("a") == Value("b"));
  CHECK(parse_ok(R"({"a": [1, {"b": null}]})") == parse_ok(R"({"a":[1,{"b":null}]})"));
  CHECK_FALSE(parse_ok(R"({"a": 1, "b": 2})") == parse_ok(R"({"b": 2, "a": 1})"));
}

TEST_CASE("json: describe() for error messages") {
  CHECK(Value("1g").describe() == R"("1g")");
  CHECK(Value(42).describe() == "42");
  CHECK(Value(1.0).describe() == "1.0");
  CHECK(Value(true).describe() == "true");
  CHECK(Value().describe() == "null");
  CHECK(Value(Object{}).describe() == "an object");
  CHECK(Value(Array{}).describe() == "an array");
  std::string long_text(100, 'x');
  CHECK(Value(long_text).describe() == "\"" + std::string(61, 'x') + "...\"");
}

TEST_CASE("json: ParseError::what") {
  CHECK(json::ParseError{"a.b[1]", "bad"}.what() == "a.b[1]: bad");
  CHECK(json::ParseError{"", "bad"}.what() == "bad");
}
