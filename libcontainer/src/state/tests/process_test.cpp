#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "state/process.hpp"
#include "test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

// A child that sleeps until its pipe closes.
struct Sleeper {
  pid_t pid = -1;
  int wake_fd = -1;
  Sleeper() {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    pid = fork_child([&] {
      ::close(p[1]);
      char c;
      (void)::read(p[0], &c, 1);
      return 0;
    });
    ::close(p[0]);
    wake_fd = p[1];
  }
  ~Sleeper() {
    if (wake_fd >= 0) ::close(wake_fd);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

}  // namespace

TEST_CASE("process: parse /proc stat with an awkward command name", "[state][process]") {
  // The comm field may contain spaces and parentheses.
  std::string text =
      "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  auto st = parse_proc_stat(text);
  REQUIRE(st);
  CHECK(st->state == 'S');
  CHECK(st->start_time == 987654);

  CHECK_FALSE(parse_proc_stat("4242 (x) S 1 2 3"));
  CHECK_FALSE(parse_proc_stat("no parenthesis"));
  CHECK_FALSE(parse_proc_stat("1 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x3 1"));
}

TEST_CASE("process: start time and liveness", "[state][process]") {
  auto self = process_start_time(::getpid());
  REQUIRE(self);
  CHECK(process_alive(::getpid(), *self));
  // Same pid, other start time: a recycled pid is not the container.
  CHECK_FALSE(process_alive(::getpid(), *self + 1));

  Sleeper child;
  auto start = process_start_time(child.pid);
  REQUIRE(start);
  CHECK(*start >= *self);
  CHECK(process_alive(child.pid, *start));

  SECTION("a zombie is not alive") {
    REQUIRE(::kill(child.pid, SIGKILL) == 0);
    REQUIRE(eventually([&] {
      auto st = read_proc_stat(child.pid);
      return st && st->state == 'Z';
    }));
    CHECK_FALSE(process_alive(child.pid, *start));
  }
  SECTION("a reaped pid is not alive and has no start time") {
    REQUIRE(::kill(child.pid, SIGKILL) == 0);
    REQUIRE(::waitpid(child.pid, nullptr, 0) == child.pid);
    CHECK_FALSE(process_alive(child.pid, *start));
    auto gone = process_start_time(child.pid);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().err() == ENOENT);
    child.pid = -1;
  }
  CHECK_FALSE(process_alive(0, 0));
  CHECK_FALSE(process_alive(-1, 0));
}

TEST_CASE("process: pidfd_open", "[state][process]") {
  auto fd = pidfd_open(::getpid());
  if (!fd && fd.error().err() == ENOSYS) {
    SUCCEED("kernel without pidfd_open");
    return;
  }
  REQUIRE(fd);
  CHECK(fd->valid());
  CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);

  pid_t dead = fork_child([] { return 0; });
  REQUIRE(wait_child(dead) == 0);
  auto none = pidfd_open(dead);
  REQUIRE_FALSE(none);
  CHECK(none.error().err() == ESRCH);
}
