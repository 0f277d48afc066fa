#include <catch2/catch.hpp>

#include <vector>

#include "args.hpp"

using namespace nucleus::cli;
using namespace std::chrono_literals;

namespace {

po::options_description options() {
  po::options_description d;
  d.add_options()
      ("bundle,b", text(), "")
      ("detach,d", flag(), "")
      ("no-subreaper", flag(), "")
      ("env,e", texts(), "")
      ("gid,g", uints(), "")
      ("preserve-fds", uint_value(0), "")
      ("status-fd", int_value(-1), "")
      ("interval", duration_value(5s), "");
  return d;
}

std::expected<ParsedArgs, UsageError> parse(std::vector<const char*> words,
                                             AfterPositional after = AfterPositional::flags) {
  static const po::options_description d = options();
  return parse_args(words, d, after);
}

std::string error_of(std::vector<const char*> words) {
  auto r = parse(std::move(words));
  REQUIRE_FALSE(r);
  return r.error().message;
}

}  // namespace

TEST_CASE("long flags with one or two dashes, with '=' or a separate value") {
  for (auto words : {std::vector<const char*>{"--bundle", "B", "id"}, {"--bundle=B", "id"},
                     {"-bundle", "B", "id"}, {"-bundle=B", "id"}, {"-b", "B", "id"},
                     {"-b=B", "id"}, {"--b", "B", "id"}}) {
    auto r = parse(words);
    REQUIRE(r);
    CHECK(r->text("bundle") == "B");
    CHECK(r->positionals == std::vector<std::string>{"id"});
  }
}

TEST_CASE("flags after positionals, unless the verb stops at the first one") {
  auto r = parse({"id", "--bundle", "B", "-d"});
  REQUIRE(r);
  CHECK(r->text("bundle") == "B");
  CHECK(r->flag("detach"));
  CHECK(r->positionals == std::vector<std::string>{"id"});

  auto stop = parse({"-d", "id", "ls", "-l", "--bundle", "x"}, AfterPositional::positionals);
  REQUIRE(stop);
  CHECK(stop->flag("detach"));
  CHECK(stop->positionals == std::vector<std::string>{"id", "ls", "-l", "--bundle", "x"});
}

TEST_CASE("bools take a value only after '='") {
  auto r = parse({"-no-subreaper=false", "--detach=true"});
  REQUIRE(r);
  CHECK_FALSE(r->flag("no-subreaper"));
  CHECK(r->given("no-subreaper"));
  CHECK(r->flag("detach"));

  auto next = parse({"-d", "false"});
  REQUIRE(next);
  CHECK(next->flag("detach"));
  CHECK(next->positionals == std::vector<std::string>{"false"});

  CHECK(error_of({"--detach=maybe"}) == "invalid boolean value \"maybe\" for -detach: parse error");
}

TEST_CASE("repeated list flags keep every value and do not split commas") {
  auto r = parse({"-e", "A=1,2", "--env=B", "id", "-e", "C"});
  REQUIRE(r);
  CHECK(r->texts("env") == std::vector<std::string>{"A=1,2", "B", "C"});
  auto g = parse({"-g", "10", "-g", "0x14"});
  REQUIRE(g);
  CHECK(g->uints("gid") == std::vector<std::uint64_t>{10, 20});
}

TEST_CASE("the last occurrence of a scalar flag wins") {
  auto r = parse({"-b", "one", "--bundle", "two"});
  REQUIRE(r);
  CHECK(r->text("bundle") == "two");
}

TEST_CASE("'--' ends the flags and '-' is a positional") {
  auto r = parse({"--", "-d", "-"});
  REQUIRE(r);
  CHECK_FALSE(r->flag("detach"));
  CHECK(r->positionals == std::vector<std::string>{"-d", "-"});
}

TEST_CASE("numbers and durations, with defaults") {
  auto defaults = parse({});
  REQUIRE(defaults);
  CHECK(defaults->uint("preserve-fds") == 0);
  CHECK(defaults->integer("status-fd") == -1);
  CHECK(defaults->duration("interval") == 5s);
  CHECK_FALSE(defaults->given("interval"));
  CHECK_FALSE(defaults->optional_text("bundle"));

  auto r = parse({"--preserve-fds", "3", "--status-fd=-5", "--interval", "1m30s"});
  REQUIRE(r);
  CHECK(r->uint("preserve-fds") == 3);
  CHECK(r->integer("status-fd") == -5);
  CHECK(r->duration("interval") == 90s);
  CHECK(r->given("interval"));
}

TEST_CASE("usage errors are worded like Go's flag package") {
  CHECK(error_of({"--bogus"}) == "flag provided but not defined: -bogus");
  CHECK(error_of({"-x=1"}) == "flag provided but not defined: -x");
  CHECK(error_of({"id", "--bundle"}) == "flag needs an argument: -bundle");
  CHECK(error_of({"-b"}) == "flag needs an argument: -b");
  CHECK(error_of({"---q"}) == "bad flag syntax: ---q");
  CHECK(error_of({"--interval", "5x"}) == "invalid value \"5x\" for flag -interval: parse error");
  CHECK(error_of({"-preserve-fds=-1"}) == "invalid value \"-1\" for flag -preserve-fds: parse error");
  CHECK(error_of({"-g", "x"}) == "invalid value \"x\" for flag -g: parse error");
}

TEST_CASE("-h and --help are recognised for every description") {
  for (const char* h : {"-h", "--help", "-help"}) {
    auto r = parse({"id", h});
    REQUIRE(r);
    CHECK(r->help);
  }
}
