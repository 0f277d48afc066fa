// create's checks of a container cgroup that exists already.
#include <catch2/catch.hpp>

#include "cgroups/reuse_check.hpp"
#include "cgroups/v1.hpp"
#include "cgroups/v2.hpp"
#include "fake_host.hpp"
#include "nucleus/log.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

std::vector<std::string> warnings;

struct CapturedLog {
  CapturedLog() {
    warnings.clear();
    log::set_sink([](log::Level level, std::string_view msg) {
      if (level == log::Level::warning) warnings.emplace_back(msg);
    });
  }
  ~CapturedLog() { log::set_sink(nullptr); }
};

}  // namespace

TEST_CASE("reuse check: a cgroup that does not exist yet is fine", "[cgroups][reuse]") {
  TempDir tmp;
  CapturedLog log;
  REQUIRE(check_reusable_cgroup(V1Manager({{{"freezer"}, tmp.path() / "c1", {}}})));
  REQUIRE(check_reusable_cgroup(V2Manager(tmp.path() / "c1")));
  CHECK(warnings.empty());
}

TEST_CASE("reuse check: a frozen cgroup is refused with runc's words", "[cgroups][reuse]") {
  TempDir tmp;
  put(tmp.path() / "v1/freezer.state", "FROZEN\n");
  put(tmp.path() / "v1/freezer.self_freezing", "1\n");
  put(tmp.path() / "v1/cgroup.procs", "");
  auto v1 = check_reusable_cgroup(V1Manager({{{"freezer"}, tmp.path() / "v1", {}}}));
  REQUIRE_FALSE(v1);
  CHECK(v1.error().what() == "container's cgroup unexpectedly frozen");
  put(tmp.path() / "v2/cgroup.freeze", "1\n");
  put(tmp.path() / "v2/cgroup.procs", "");
  auto v2 = check_reusable_cgroup(V2Manager(tmp.path() / "v2"));
  REQUIRE_FALSE(v2);
  CHECK(v2.error().what() == "container's cgroup unexpectedly frozen");
  // Frozen only through its parent: runc goes on.
  put(tmp.path() / "v1/freezer.self_freezing", "0\n");
  REQUIRE(check_reusable_cgroup(V1Manager({{{"freezer"}, tmp.path() / "v1", {}}})));
}

TEST_CASE("reuse check: processes in it are a warning that counts them", "[cgroups][reuse]") {
  TempDir tmp;
  CapturedLog log;
  put(tmp.path() / "c1/cgroup.procs", "41\n42\n");
  put(tmp.path() / "c1/cgroup.freeze", "0\n");
  REQUIRE(check_reusable_cgroup(V2Manager(tmp.path() / "c1")));
  CHECK(warnings == std::vector<std::string>{"container's cgroup is not empty: 2 process(es) found"});
}
