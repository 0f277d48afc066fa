// The foreground wait: exit codes, signal forwarding, and the pty proxy (on
// a pty pair made here, with the test's stdin/stdout swapped for pipes).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "exec/foreground.hpp"

using namespace nucleus;
using namespace nucleus::exec;

namespace {

// A child (forked under the block, as exec forks) that runs `body`.
template <typename F>
pid_t spawn(const SignalBlock& block, F body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    // As the exec'd process: default handlers (not the test framework's).
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &block.saved(), nullptr);
    body();
    ::_exit(0);
  }
  return pid;
}

// Replaces fd `target` for this scope.
struct Redirect {
  int target, saved;
  Redirect(int fd, int with) : target(fd), saved(::dup(fd)) { ::dup2(with, fd); }
  ~Redirect() {
    ::dup2(saved, target);
    ::close(saved);
  }
};

}  // namespace

TEST_CASE("the exit status, and 128+signal for a killed process", "[exec][foreground]") {
  SignalBlock block;
  pid_t a = spawn(block, [] { ::_exit(7); });
  CHECK(wait_for_process(a, block.blocked(), -1, nullptr).value() == 7);
  pid_t b = spawn(block, [] { ::raise(SIGKILL); });
  CHECK(wait_for_process(b, block.blocked(), -1, nullptr).value() == 128 + SIGKILL);
}

TEST_CASE("signals sent to the runtime reach the process", "[exec][foreground]") {
  SignalBlock block;
  pid_t pid = spawn(block, [] {
    for (;;) ::pause();
  });
  ::kill(::getpid(), SIGTERM);  // pending (blocked), read from the signalfd
  CHECK(wait_for_process(pid, block.blocked(), -1, nullptr).value() == 128 + SIGTERM);
}

TEST_CASE("a pty master is proxied both ways until the process exits", "[exec][foreground]") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  int in[2], out[2];
  REQUIRE(::pipe(in) == 0);
  REQUIRE(::pipe(out) == 0);
  REQUIRE(::write(in[1], "ping\n", 5) == 5);
  ::close(in[1]);
  SignalBlock block;
  pid_t pid = spawn(block, [&] {
    // The "process": echo one line back through the pty, then exit 3.
    char buf[64] = {};
    termios t{};
    ::tcgetattr(slave, &t);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(slave, TCSANOW, &t);
    ssize_t n = ::read(slave, buf, sizeof buf);
    std::string reply = "got " + std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    (void)!::write(slave, reply.data(), reply.size());
    ::_exit(3);
  });
  int code = -1;
  {
    Redirect r0(STDIN_FILENO, in[0]);
    Redirect r1(STDOUT_FILENO, out[1]);
    code = wait_for_process(pid, block.blocked(), master, nullptr).value();
  }
  ::close(out[1]);
  std::string got;
  char buf[256];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  CHECK(code == 3);
  CHECK(got.find("got ping") != std::string::npos);
  for (int fd : {master, slave, in[0], out[0]}) ::close(fd);
}

TEST_CASE("a process that writes before it reads gets all our input (no deadlock)", "[exec][foreground]") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  termios raw{};
  ::tcgetattr(slave, &raw);
  ::cfmakeraw(&raw);
  ::tcsetattr(slave, TCSANOW, &raw);
  int in[2];
  REQUIRE(::pipe(in) == 0);
  const std::string input(60000, 'i');  // more than a pty takes at once
  REQUIRE(::write(in[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  ::close(in[1]);
  SignalBlock block;
  pid_t pid = spawn(block, [&] {
    const std::string out(256 * 1024, 'o');  // more than a pty holds: blocks until read
    for (std::size_t off = 0; off < out.size();) {
      ssize_t w = ::write(slave, out.data() + off, out.size() - off);
      if (w <= 0) ::_exit(2);
      off += static_cast<std::size_t>(w);
    }
    std::size_t got = 0;
    char buf[4096];
    while (got < input.size()) {
      ssize_t n = ::read(slave, buf, sizeof buf);
      if (n <= 0) ::_exit(3);
      got += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  });
  ::close(slave);  // the process's alone, so its end is the pty's hang-up
  // A deadlock would leave both blocked forever (a write to a pty master
  // waits for room even once the slave is gone): a watchdog ends the process,
  // then this test.
  pid_t watchdog = ::fork();
  if (watchdog == 0) {
    ::sleep(20);
    ::kill(pid, SIGKILL);
    ::sleep(2);
    ::kill(::getppid(), SIGKILL);
    ::_exit(0);
  }
  int devnull = ::open("/dev/null", O_WRONLY);
  int code = -1;
  {
    Redirect r0(STDIN_FILENO, in[0]);
    Redirect r1(STDOUT_FILENO, devnull);
    code = wait_for_process(pid, block.blocked(), master, nullptr).value();
  }
  ::kill(watchdog, SIGKILL);
  ::waitpid(watchdog, nullptr, 0);
  CHECK(code == 0);
  for (int fd : {master, in[0], devnull}) ::close(fd);
}

TEST_CASE("the caller's terminal is found on stdio and put back after raw mode", "[exec][foreground]") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  termios before{};
  ::tcgetattr(slave, &before);
  {
    Redirect r0(STDIN_FILENO, slave);
    auto tty = CallerTerminal::find();
    REQUIRE(tty);
    REQUIRE(tty->make_raw());
    termios raw{};
    ::tcgetattr(slave, &raw);
    CHECK((raw.c_lflag & ICANON) == 0);
  }
  termios after{};
  ::tcgetattr(slave, &after);
  CHECK(after.c_lflag == before.c_lflag);
  ::close(master);
  ::close(slave);
}
