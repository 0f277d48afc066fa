// Which namespaces differ, on fake /proc/<pid>/ns dirs (a namespace file is
// "the same" when it is the same inode, as nsfs makes it), and on the real
// /proc for a child that unshared one (root only).
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "exec/namespaces.hpp"

using namespace nucleus;
using namespace nucleus::exec;

namespace {

struct FakeNs {
  std::filesystem::path root;
  FakeNs() {
    char tmpl[] = "/tmp/exec-ns-XXXXXX";
    root = ::mkdtemp(tmpl);
    std::filesystem::create_directories(root / "ours");
    std::filesystem::create_directories(root / "theirs");
    for (const auto& k : kNamespaceKinds) {
      std::ofstream(root / "ours" / k.name).close();
      std::filesystem::create_hard_link(root / "ours" / k.name, root / "theirs" / k.name);
    }
  }
  ~FakeNs() { std::filesystem::remove_all(root); }
  void make_different(std::string_view name) {
    std::filesystem::remove(root / "theirs" / name);
    std::ofstream(root / "theirs" / name).close();
  }
};

}  // namespace

TEST_CASE("the same namespaces give an empty mask", "[exec][namespaces]") {
  FakeNs ns;
  CHECK(differing_namespaces(ns.root / "theirs", ns.root / "ours").value() == 0);
  CHECK(differing_namespaces("/proc/self/ns", "/proc/self/ns").value() == 0);
}

TEST_CASE("each differing namespace sets its flag", "[exec][namespaces]") {
  FakeNs ns;
  ns.make_different("mnt");
  ns.make_different("user");
  ns.make_different("pid");
  CHECK(differing_namespaces(ns.root / "theirs", ns.root / "ours").value() ==
        (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID));
}

TEST_CASE("a kind the kernel lacks is skipped; a missing process is an error", "[exec][namespaces]") {
  FakeNs ns;
  std::filesystem::remove(ns.root / "theirs" / "time");
  std::filesystem::remove(ns.root / "ours" / "time");
  CHECK(differing_namespaces(ns.root / "theirs", ns.root / "ours").value() == 0);
  auto gone = differing_namespaces(ns.root / "nope", ns.root / "ours");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().err() == ENOENT);
}

TEST_CASE("a child that unshared its uts namespace differs in uts only", "[exec][namespaces]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root");
    return;
  }
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    char c = ::unshare(CLONE_NEWUTS) == 0 ? 'y' : 'n';
    (void)!::write(pipefd[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(pipefd[0], &c, 1) == 1);
  auto mask = differing_namespaces("/proc/" + std::to_string(pid) + "/ns");
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  REQUIRE(c == 'y');
  CHECK(mask.value() == CLONE_NEWUTS);
}
