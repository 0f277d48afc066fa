// run_hooks: ordering, the failure semantics of each kind, and the names.
#include <catch2/catch.hpp>

#include "nucleus/hooks.hpp"
#include "test_support.hpp"

using namespace hooks_test;
using nucleus::hooks::Kind;
using nucleus::hooks::run_hooks;

namespace {

// Three hooks: the first appends "1" to order, the second fails, the third
// appends "3".
std::vector<oci::Hook> ok_fail_ok(const TempDir& dir) {
  std::string order = dir / "order";
  return {
      oci::Hook{write_script(dir, "first", "printf 1 >> " + order), {}, {}, {}},
      oci::Hook{write_script(dir, "second", "echo broken >&2; exit 2"), {}, {}, {}},
      oci::Hook{write_script(dir, "third", "printf 3 >> " + order), {}, {}, {}},
  };
}

}  // namespace

TEST_CASE("hooks run in the listed order", "[hooks]") {
  TempDir dir;
  std::string order = dir / "order";
  std::vector<oci::Hook> hooks;
  for (char c : std::string("abcde"))
    hooks.push_back(
        oci::Hook{write_script(dir, std::string(1, c), std::string("printf ") + c + " >> " + order),
                  {},
                  {},
                  {}});
  REQUIRE(run_hooks(Kind::create_runtime, hooks, "{}"));
  CHECK(read_file(order) == "abcde");
}

TEST_CASE("a fatal kind stops at the first failing hook and names it", "[hooks]") {
  auto kind = GENERATE(Kind::prestart, Kind::create_runtime, Kind::create_container,
                       Kind::start_container, Kind::poststart);
  TempDir dir;
  LogCapture log;
  auto hooks = ok_fail_ok(dir);
  auto result = run_hooks(kind, hooks, "{}");
  REQUIRE(!result);
  std::string name(nucleus::hooks::to_string(kind));
  CHECK(result.error().what() == "hooks." + name + "[1]: error running " + name + " hook #1: " + hooks[1].path +
                                     ": exit status 2, stdout: , stderr: broken\n");
  CHECK(read_file(dir / "order") == "1");  // the third hook never ran
  CHECK(log.lines().empty());
}

TEST_CASE("poststop failures are warnings: the rest run and the call succeeds", "[hooks]") {
  TempDir dir;
  LogCapture log;
  auto hooks = ok_fail_ok(dir);
  hooks.insert(hooks.begin(), oci::Hook{dir / "missing", {}, {}, {}});
  REQUIRE(run_hooks(Kind::poststop, hooks, "{}"));
  CHECK(read_file(dir / "order") == "13");
  REQUIRE(log.lines().size() == 2);
  CHECK(log.lines()[0] == "hooks.poststop[0]: error running poststop hook #0: fork/exec " + (dir / "missing") +
                              ": no such file or directory");
  CHECK(log.lines()[1] == "hooks.poststop[2]: error running poststop hook #2: " + hooks[2].path +
                              ": exit status 2, stdout: , stderr: broken\n");
}

TEST_CASE("an empty hook list succeeds", "[hooks]") { CHECK(run_hooks(Kind::prestart, {}, "{}")); }

TEST_CASE("hook kinds have the spec's names and failure semantics", "[hooks]") {
  using nucleus::hooks::failure_is_fatal;
  using nucleus::hooks::to_string;
  CHECK(to_string(Kind::prestart) == "prestart");
  CHECK(to_string(Kind::create_runtime) == "createRuntime");
  CHECK(to_string(Kind::create_container) == "createContainer");
  CHECK(to_string(Kind::start_container) == "startContainer");
  CHECK(to_string(Kind::poststart) == "poststart");
  CHECK(to_string(Kind::poststop) == "poststop");
  // runtime.md Lifecycle: only poststop failures are warnings.
  CHECK(failure_is_fatal(Kind::prestart));
  CHECK(failure_is_fatal(Kind::create_runtime));
  CHECK(failure_is_fatal(Kind::create_container));
  CHECK(failure_is_fatal(Kind::start_container));
  CHECK(failure_is_fatal(Kind::poststart));
  CHECK(!failure_is_fatal(Kind::poststop));
}
