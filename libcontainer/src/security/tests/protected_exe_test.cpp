// CVE-2019-5736: a program that starts processes in containers must run from
// a view of its binary that cannot be written through.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>


namespace {

// Runs the probe (its path is PROTECTED_EXE_PROBE) in a child, first
// unsharing `flags`, and returns what it printed.
std::string run_probe(int unshare_flags) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (unshare_flags && ::unshare(unshare_flags) != 0) ::_exit(3);
    const char* probe = PROTECTED_EXE_PROBE;
    char* argv[] = {const_cast<char*>(probe), nullptr};
    ::execv(probe, argv);
    ::_exit(2);
  }
  ::close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

}  // namespace

TEST_CASE("the program re-executes from a read-only mount of itself", "[protected-exe]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root (open_tree)");
    return;
  }
  CHECK(run_probe(0) == "readonly-mount\n");
}

TEST_CASE("where it may not make mounts, from a sealed memfd copy", "[protected-exe]") {
  // A user namespace of its own owns no mount namespace: open_tree is refused.
  CHECK(run_probe(CLONE_NEWUSER) == "sealed-memfd\n");
}
