#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "security/process_setup.hpp"

using namespace nucleus;
using namespace nucleus::test;

using Env = std::vector<std::string>;

namespace {

std::string build(const Env& env, unsigned uid, const std::string& passwd) {
  auto r = build_process_environment(env, uid, passwd);
  if (!r) return r.error().what();
  std::string out;
  for (const auto& e : *r) {
    if (!out.empty()) out += ' ';
    out += e;
  }
  return out;
}

}  // namespace

TEST_CASE("duplicates collapse, the last value wins at the first position", "[security][env]") {
  CHECK(build({"PATH=/bin", "A=1", "B=2", "A=3", "HOME=/h"}, 0, "/nonexistent") ==
        "PATH=/bin A=3 B=2 HOME=/h");
  CHECK(build({"A=x=y", "B="}, 0, "/nonexistent") == "A=x=y B= HOME=/");
}

TEST_CASE("invalid entries are rejected in runc's words", "[security][env]") {
  CHECK(build({"PATH=/bin", "FOO"}, 0, "") == "invalid environment variable: \"FOO\"");
  CHECK(build({"=x"}, 0, "") == "environment variable name can't be empty: \"=x\"");
  CHECK(build({std::string("A\0B=1", 5)}, 0, "") ==
        "environment variable name can't contain null(\\x00)");
  CHECK(build({std::string("A=1\0", 4)}, 0, "") ==
        "environment variable value can't contain null(\\x00)");
}

TEST_CASE("HOME comes from the container's passwd when unset", "[security][env]") {
  TempDir tmp;
  auto passwd = tmp.file("passwd",
                         "root:x:0:0:root:/root:/bin/sh\n"
                         "broken line\n"
                         "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                         "bob:x:1001:1001::/home/bob\n"
                         "again:x:1000:1000::/elsewhere:/bin/sh\n",
                         0644);
  CHECK(build({"PATH=/bin"}, 1000, passwd) == "PATH=/bin HOME=/home/alice");
  CHECK(build({}, 0, passwd) == "HOME=/root");
  CHECK(build({}, 1001, passwd) == "HOME=/home/bob");
  CHECK(build({}, 4242, passwd) == "HOME=/");
  CHECK(build({"HOME=", "X=1"}, 1000, passwd) == "HOME=/home/alice X=1");
  CHECK(build({"HOME=/mine"}, 1000, passwd) == "HOME=/mine");
  CHECK(build({}, 1000, tmp.path() + "/missing") == "HOME=/");
}
