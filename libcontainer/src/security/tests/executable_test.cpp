#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "security/process_setup.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

struct Tree {
  TempDir dir;
  std::string prog, data, sub;
  Tree() {
    prog = dir.file("prog", "#!/bin/sh\n", 0755);
    data = dir.file("data", "not a program\n", 0644);
    sub = dir.path() + "/sub";
    ::mkdir(sub.c_str(), 0755);
    dir.file("sub/prog", "#!/bin/sh\n", 0755);
    ::mkdir((dir.path() + "/bin").c_str(), 0755);
    dir.file("bin/data", "not a program\n", 0644);
    ::mkdir((dir.path() + "/bin/prog2").c_str(), 0755);  // a directory named like a program
  }
};

std::string resolve(const std::string& arg0, const std::vector<std::string>& env) {
  auto r = resolve_executable(arg0, env);
  return r ? *r : r.error().what();
}

}  // namespace

TEST_CASE("a name with a slash is checked as is", "[security][exec]") {
  Tree t;
  CHECK(resolve(t.prog, {}) == t.prog);
  CHECK(resolve(t.dir.path() + "/missing", {}) ==
        fmt::format("exec: \"{0}/missing\": stat {0}/missing: no such file or directory",
                    t.dir.path()));
  CHECK(resolve(t.sub, {}) == fmt::format("exec: \"{}\": permission denied", t.sub));
  CHECK(resolve(t.data, {}) == fmt::format("exec: \"{}\": permission denied", t.data));
  CHECK(resolve("/x", {}) == "exec: \"/x\": stat /x: no such file or directory");
}

TEST_CASE("a relative name with a slash is relative to the cwd", "[security][exec]") {
  Tree t;
  auto report = in_child([&](int) {
    if (::chdir(t.dir.path().c_str()) != 0) return std::string("chdir");
    return resolve("./prog", {}) + " | " + resolve("sub/prog", {}) + " | " + resolve("./nope", {});
  });
  CHECK(report ==
        "./prog | sub/prog | exec: \"./nope\": stat ./nope: no such file or directory");
}

TEST_CASE("a bare name is searched in the process's PATH", "[security][exec]") {
  Tree t;
  std::string bin = t.dir.path() + "/bin";
  // Not the runtime's PATH: the test's own PATH has no "prog".
  CHECK(resolve("prog", {"PATH=/nonexistent:" + bin + ":" + t.dir.path()}) == t.prog);
  // The last PATH= entry wins, as with runc's os.Setenv.
  CHECK(resolve("prog", {"PATH=" + t.dir.path(), "HOME=/", "PATH=/nonexistent"}) ==
        "exec: \"prog\": executable file not found in $PATH");
  CHECK(resolve("prog", {"PATH=/nonexistent", "PATH=" + t.dir.path() + "/"}) == t.prog);
  // Directories and non-executables along the way are skipped.
  CHECK(resolve("data", {"PATH=" + bin + ":" + t.dir.path()}) ==
        "exec: \"data\": executable file not found in $PATH");
  CHECK(resolve("prog2", {"PATH=" + bin}) == "exec: \"prog2\": executable file not found in $PATH");
  CHECK(resolve("sh", {"PATH=/usr/bin:/bin"}) == "/usr/bin/sh");
}

TEST_CASE("no PATH, or a program found through a relative PATH element", "[security][exec]") {
  Tree t;
  CHECK(resolve("sh", {}) == "exec: \"sh\": executable file not found in $PATH");
  CHECK(resolve("sh", {"PATH="}) == "exec: \"sh\": executable file not found in $PATH");
  CHECK(resolve("x\"y", {}) == "exec: \"x\\\"y\": executable file not found in $PATH");
  auto report = in_child([&](int) {
    if (::chdir(t.dir.path().c_str()) != 0) return std::string("chdir");
    return resolve("prog", {"PATH=.:/nonexistent"}) + " | " + resolve("prog", {"PATH=:/x"}) +
           " | " + resolve("prog", {"PATH=/nonexistent:sub"});
  });
  CHECK(report ==
        "exec: \"prog\": cannot run executable found relative to current directory | "
        "exec: \"prog\": cannot run executable found relative to current directory | "
        "exec: \"prog\": cannot run executable found relative to current directory");
}

TEST_CASE("a file the user may not execute is permission denied", "[security][exec]") {
  if (!is_root()) return;
  Tree t;
  std::string owner_only = t.dir.file("owner-only", "#!/bin/sh\n", 0700);
  ::chmod(t.dir.path().c_str(), 0755);
  auto report = in_child([&](int) {
    std::string as_root = resolve(owner_only, {});
    if (::setresuid(1000, 1000, 1000) != 0) return std::string("setresuid");
    return as_root + " | " + resolve(owner_only, {}) + " | " +
           resolve("owner-only", {"PATH=" + t.dir.path()});
  });
  CHECK(report == fmt::format("{0} | exec: \"{0}\": permission denied | "
                              "exec: \"owner-only\": executable file not found in $PATH",
                              owner_only));
}
