// run_hook against real processes: what the hook receives, how its end is
// reported, timeouts, and the runtime's own safety (no hang, no SIGPIPE death,
// no leaked fds).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "nucleus/hooks.hpp"
#include "test_support.hpp"

using namespace hooks_test;
using nucleus::hooks::run_hook;

namespace {

std::string error_of(const nucleus::Result<void>& r) {
  return r ? std::string("<success>") : r.error().what();
}

char process_state(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '\0' : stat[close + 2];
}

}  // namespace

TEST_CASE("a hook gets the state on stdin, exactly its argv and exactly its env", "[hooks]") {
  TempDir dir;
  std::string script = "cat > " + (dir / "stdin") + "; cat /proc/$$/cmdline > " + (dir / "argv") +
                       "; cat /proc/$$/environ > " + (dir / "env") + "; true";
  oci::Hook hook{"/bin/sh", {"custom-argv0", "-c", script, "extra"}, {"A=1", "B=two words"}, {}};
  std::string state =
      R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42,"bundle":"/b"})";

  REQUIRE(error_of(run_hook(hook, state)) == "<success>");
  CHECK(read_file(dir / "stdin") == state);
  CHECK(read_file(dir / "argv") ==
        std::string("custom-argv0\0-c\0", 16) + script + std::string("\0extra\0", 7));
  CHECK(read_file(dir / "env") == std::string("A=1\0B=two words\0", 16));
}

TEST_CASE("a hook without args gets argv = {path} and without env an empty environment",
          "[hooks]") {
  TempDir dir;
  std::string path = write_script(dir, "hook",
                                  "cat /proc/$$/cmdline > " + (dir / "argv") +
                                      "; cat /proc/$$/environ > " + (dir / "env") + "; true");
  REQUIRE(error_of(run_hook(oci::Hook{path, {}, {}, {}}, "")) == "<success>");
  // The kernel runs the script as "/bin/sh <path>": no argument after the path.
  CHECK(read_file(dir / "argv") == "/bin/sh" + std::string(1, '\0') + path + std::string(1, '\0'));
  CHECK(read_file(dir / "env").empty());
}

TEST_CASE("a failing hook's error gives its path, exit status and output", "[hooks]") {
  TempDir dir;
  std::string path = write_script(dir, "hook", "echo out-text; echo err-text >&2; exit 3");
  CHECK(error_of(run_hook(oci::Hook{path, {}, {}, {}}, "{}")) ==
        path + ": exit status 3, stdout: out-text\n, stderr: err-text\n");
}

TEST_CASE("a hook killed by a signal is reported as such", "[hooks]") {
  TempDir dir;
  std::string path = write_script(dir, "hook", "kill -TERM $$");
  CHECK(error_of(run_hook(oci::Hook{path, {}, {}, {}}, "{}")) ==
        path + ": signal: terminated, stdout: , stderr: ");
}

TEST_CASE("a hook past its timeout is killed with its children and reaped", "[hooks]") {
  TempDir dir;
  // Orphans of the hook come to us, so we can see that they were killed too.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  std::string path = write_script(dir, "hook",
                                  "echo $$ > " + (dir / "hook.pid") + "; sleep 30 & echo $! > " +
                                      (dir / "child.pid") + "; wait");
  auto start = std::chrono::steady_clock::now();
  auto result = run_hook(oci::Hook{path, {}, {}, 1}, "{}");
  auto elapsed = std::chrono::steady_clock::now() - start;

  CHECK(error_of(result) == path + ": hook ran past specified timeout of 1.0s");
  CHECK(elapsed >= std::chrono::milliseconds(900));
  CHECK(elapsed < std::chrono::seconds(5));
  pid_t hook_pid = std::stoi(read_file(dir / "hook.pid"));
  pid_t child_pid = std::stoi(read_file(dir / "child.pid"));
  // The hook itself was reaped by run_hook.
  CHECK(::waitpid(hook_pid, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
  // Its child was killed: a zombie handed to us (the subreaper), not a sleeper.
  char state = '\0';
  for (int i = 0; i < 200 && (state = process_state(child_pid)) != 'Z'; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(state == 'Z');
  if (state != 'Z') ::kill(child_pid, SIGKILL);
  int status = 0;
  CHECK(::waitpid(child_pid, &status, 0) == child_pid);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST_CASE("a hook whose child keeps its output open does not hold us up", "[hooks]") {
  TempDir dir;
  std::string path = write_script(
      dir, "hook", "sleep 30 & echo $! > " + (dir / "child.pid") + "; echo text; exit 1");
  auto start = std::chrono::steady_clock::now();
  auto result = run_hook(oci::Hook{path, {}, {}, 10}, "{}");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  ::kill(std::stoi(read_file(dir / "child.pid")), SIGKILL);
  CHECK(error_of(result) == path + ": exit status 1, stdout: text\n, stderr: ");
}

TEST_CASE("a hook that ends within its timeout succeeds", "[hooks]") {
  TempDir dir;
  std::string path = write_script(dir, "hook", "cat >/dev/null; exit 0");
  CHECK(error_of(run_hook(oci::Hook{path, {}, {}, 5}, "{}")) == "<success>");
}

TEST_CASE("a missing or non-executable hook is a clear error", "[hooks]") {
  TempDir dir;
  CHECK(error_of(run_hook(oci::Hook{dir / "missing", {}, {}, {}}, "{}")) ==
        "fork/exec " + (dir / "missing") + ": no such file or directory");
  std::string plain = dir / "plain";
  std::ofstream(plain) << "#!/bin/sh\n";
  CHECK(error_of(run_hook(oci::Hook{plain, {}, {}, {}}, "{}")) ==
        "fork/exec " + plain + ": permission denied");
  CHECK(!run_hook(oci::Hook{"/bin/true", {}, {}, 0}, "{}"));
}

TEST_CASE("a big state is delivered whole, and a hook that does not read it does not hang us",
          "[hooks]") {
  TempDir dir;
  std::string state(1 << 20, 'x');
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);

  SECTION("read in full") {
    std::string path = write_script(dir, "hook", "cat > " + (dir / "stdin"));
    REQUIRE(error_of(run_hook(oci::Hook{path, {}, {}, 10}, state)) == "<success>");
    CHECK(read_file(dir / "stdin") == state);
  }
  SECTION("not read at all, or only partly") {
    // SIGPIPE at its default disposition would kill this test if it leaked.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    struct sigaction old {};
    sigaction(SIGPIPE, &dfl, &old);
    std::string path = write_script(dir, "hook", "sleep 0.2; exit 0");
    CHECK(error_of(run_hook(oci::Hook{path, {}, {}, 10}, state)) == "<success>");
    std::string partial = write_script(dir, "partial", "head -c 10 > " + (dir / "head"));
    CHECK(error_of(run_hook(oci::Hook{partial, {}, {}, 10}, state)) == "<success>");
    CHECK(read_file(dir / "head") == "xxxxxxxxxx");
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGPIPE) == 0);
    sigaction(SIGPIPE, &old, nullptr);
  }
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  CHECK(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE));
}

TEST_CASE("a hook flooding its output neither blocks nor bloats the error", "[hooks]") {
  TempDir dir;
  std::string path = write_script(dir, "hook", "head -c 1000000 /dev/zero | tr '\\0' a; exit 1");
  auto result = run_hook(oci::Hook{path, {}, {}, 10}, "{}");
  REQUIRE(!result);
  std::string text = result.error().what();
  CHECK(text.starts_with(path + ": exit status 1, stdout: aaaa"));
  CHECK(text.size() < 70 * 1024);
}

TEST_CASE("a hook inherits no fd beyond 0, 1 and 2", "[hooks]") {
  TempDir dir;
  // A descriptor the runtime forgot to mark close-on-exec must not leak.
  int leaky = ::open("/dev/null", O_RDONLY);
  REQUIRE(leaky > 2);
  // "exec >": a plain "cmd > file" makes dash park its stdout on fd 10.
  oci::Hook hook{
      "/bin/sh", {"sh", "-c", "exec > " + (dir / "fds") + "; ls /proc/$$/fd; true"}, {}, {}};
  CHECK(error_of(run_hook(hook, "{}")) == "<success>");
  ::close(leaky);
  CHECK(read_file(dir / "fds") == "0\n1\n2\n");
}

TEST_CASE("a hook starts with default signal dispositions and an empty signal mask", "[hooks]") {
  TempDir dir;
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  struct sigaction old_term {};
  sigaction(SIGTERM, &ign, &old_term);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);

  // grep reads its own status: the shell (as the hook) execs it in place.
  oci::Hook status{
      "/bin/sh",
      {"sh", "-c", "exec grep -E '^Sig(Blk|Ign)' /proc/self/status > " + (dir / "sig")},
      {},
      {}};
  CHECK(error_of(run_hook(status, "{}")) == "<success>");
  oci::Hook term{"/bin/sh", {"sh", "-c", "kill -TERM $$; sleep 5"}, {}, {}};
  CHECK(error_of(run_hook(term, "{}")) == "/bin/sh: signal: terminated, stdout: , stderr: ");

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  // glibc's posix_spawn leaves its two internal signals (32, 33: bits 31, 32)
  // ignored; no program uses them but glibc itself (SIGRTMIN is 34).
  std::string sig = read_file(dir / "sig");
  REQUIRE(sig.size() == 50);
  CHECK(sig.substr(0, 25) == "SigBlk:\t0000000000000000\n");
  CHECK((std::stoull(sig.substr(33, 16), nullptr, 16) & ~0x180000000ULL) == 0);
}

TEST_CASE("a hook reaped behind our back is an error, not a hang", "[hooks]") {
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  struct sigaction old {};
  sigaction(SIGCHLD, &ign, &old);  // the kernel now reaps children itself
  auto result = run_hook(oci::Hook{"/bin/true", {}, {}, 5}, "{}");
  sigaction(SIGCHLD, &old, nullptr);
  REQUIRE(!result);
  CHECK(result.error().what().starts_with("/bin/true: wait for hook process "));
  CHECK(result.error().what().ends_with(": no child processes"));
}
