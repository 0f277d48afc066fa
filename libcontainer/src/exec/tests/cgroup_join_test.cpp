// Which cgroup dirs an exec'd process joins, and joining them (on temp dirs:
// cgroup.procs is a plain file there).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "exec/cgroup_join.hpp"

using namespace nucleus;
using namespace nucleus::exec;

namespace {

std::string describe(const Result<std::vector<CgroupTarget>>& r) {
  if (!r) return "error: " + r.error().what();
  std::string out;
  for (const auto& t : *r) {
    if (!out.empty()) out += " ";
    out += t.dir.native();
    if (t.may_fall_back) out += "*";
  }
  return out;
}

const std::map<std::string, std::string> kV1 = {
    {"cpu", "/cg/cpu,cpuacct/c1"}, {"cpuacct", "/cg/cpu,cpuacct/c1"},
    {"memory", "/cg/memory/c1"},   {"", "/cg/unified/c1"}};
const std::map<std::string, std::string> kV2 = {{"", "/cg/c1"}};

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/exec-cg-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("without --cgroup every hierarchy's dir is joined once", "[exec][cgroup]") {
  CHECK(describe(exec_cgroup_targets(kV1, {})) == "/cg/unified/c1* /cg/cpu,cpuacct/c1* /cg/memory/c1*");
  CHECK(describe(exec_cgroup_targets(kV2, {})) == "/cg/c1*");
  CHECK(describe(exec_cgroup_targets({}, {})) == "");  // cgroups disabled
}

TEST_CASE("a bare --cgroup path applies to every hierarchy", "[exec][cgroup]") {
  CHECK(describe(exec_cgroup_targets(kV1, {{{}, "sub"}})) ==
        "/cg/unified/c1/sub /cg/cpu,cpuacct/c1/sub /cg/memory/c1/sub");
  CHECK(describe(exec_cgroup_targets(kV2, {{{}, "/a/b/"}})) == "/cg/c1/a/b");
  CHECK(describe(exec_cgroup_targets(kV2, {{{}, "/"}})) == "/cg/c1");
}

TEST_CASE("--cgroup cannot climb out of the container's cgroup (runc's refusal)", "[exec][cgroup]") {
  CHECK(describe(exec_cgroup_targets(kV2, {{{}, "../../etc"}})) == "error: ../../etc is not a sub cgroup path");
  CHECK(describe(exec_cgroup_targets(kV2, {{{}, "a/../../.."}})) == "error: a/../../.. is not a sub cgroup path");
  CHECK(describe(exec_cgroup_targets(kV1, {{{"memory"}, ".."}})) == "error: .. is not a sub cgroup path");
  CHECK(describe(exec_cgroup_targets(kV2, {{{}, "a/.."}})) == "/cg/c1");
}

TEST_CASE("controller prefixes pick hierarchies, co-mounted ones together", "[exec][cgroup]") {
  CHECK(describe(exec_cgroup_targets(kV1, {{{"memory"}, "m"}})) ==
        "/cg/unified/c1* /cg/cpu,cpuacct/c1* /cg/memory/c1/m");
  CHECK(describe(exec_cgroup_targets(kV1, {{{"cpuacct"}, "x"}, {{}, "all"}})) ==
        "/cg/unified/c1/all /cg/cpu,cpuacct/c1/x /cg/memory/c1/all");
  CHECK(describe(exec_cgroup_targets(kV1, {{{"cpu"}, "a"}, {{"cpuacct"}, "b"}})) ==
        "error: invalid --cgroup argument(s): cpu:a and cpuacct:b name one hierarchy");
  CHECK(describe(exec_cgroup_targets(kV1, {{{"pids"}, "p"}})) ==
        "error: unknown controller pids in SubCgroupPaths");
  CHECK(describe(exec_cgroup_targets(kV2, {{{"memory", "cpu"}, "p"}})) ==
        "error: unknown controller memory in SubCgroupPaths");
}

TEST_CASE("the init's cgroup2 dir is found from the container's", "[exec][cgroup]") {
  CHECK(init_cgroup_dir("/sys/fs/cgroup/unified/c1", "/c1/init") == "/sys/fs/cgroup/unified/c1/init");
  CHECK(init_cgroup_dir("/sys/fs/cgroup/a/c1", "/a/c1") == "/sys/fs/cgroup/a/c1");
  CHECK(init_cgroup_dir("/sys/fs/cgroup/c1", "/other") == std::nullopt);
  CHECK(init_cgroup_dir("/sys/fs/cgroup/c1", "/c10") == std::nullopt);
}

TEST_CASE("joining writes the pid to each cgroup.procs", "[exec][cgroup]") {
  TempDir t;
  std::filesystem::create_directories(t.path / "a" / "sub");
  std::filesystem::create_directories(t.path / "b");
  std::ofstream(t.path / "a" / "sub" / "cgroup.procs").close();
  std::ofstream(t.path / "b" / "cgroup.procs").close();
  std::map<std::string, std::string> paths = {{"cpu", (t.path / "a").native()},
                                              {"memory", (t.path / "b").native()}};
  auto targets = exec_cgroup_targets(paths, {{{"cpu"}, "sub"}});
  REQUIRE(targets);
  REQUIRE(join_cgroups(*targets, 4242, 1));
  CHECK(slurp(t.path / "a" / "sub" / "cgroup.procs") == "4242");
  CHECK(slurp(t.path / "b" / "cgroup.procs") == "4242");

  auto missing = exec_cgroup_targets(paths, {{{}, "nope"}});
  REQUIRE(missing);
  auto joined = join_cgroups(*missing, 7, 1);
  REQUIRE_FALSE(joined);
  CHECK(joined.error().what() == "error adding pid 7 to cgroups: open " + (t.path / "a" / "nope").native() +
                                     "/cgroup.procs: no such file or directory");
}
