#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <catch2/catch.hpp>

#include "state/exec_fifo.hpp"
#include "state/process.hpp"
#include "test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;
namespace fs = std::filesystem;

namespace {

struct FifoDir {
  TempDir tmp;
  UniqueFd fd{::open(tmp.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
  fs::path fifo = tmp / ExecFifo::kName;
};

// A child playing the init: it waits on the FIFO, then leaves a marker.
pid_t start_fake_init(const FifoDir& d, bool via_opath_fd) {
  fs::path marker = d.tmp / "released";
  return fork_child([&] {
    Result<UniqueFd> w;
    if (via_opath_fd) {
      auto opath = ExecFifo::open_path(d.fd.get());
      if (!opath) return 2;
      UniqueFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
      w = ExecFifo::open_for_write_blocking(proc.get(), opath->get());
    } else {
      w = ExecFifo::open_for_write_blocking(d.fifo);
    }
    if (!w) return 3;
    UniqueFd m(::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    sleep_ms(100);  // the "exec" happens a little later; release waits for it
    UniqueFd(::open((d.tmp / "exiting").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    return 0;
  });
}

}  // namespace

TEST_CASE("exec fifo: create and exists", "[state][fifo]") {
  FifoDir d;
  CHECK_FALSE(ExecFifo::exists(d.fd.get()));
  mode_t old = ::umask(077);
  auto made = ExecFifo::create(d.fd.get());
  ::umask(old);
  REQUIRE(made);
  CHECK(ExecFifo::exists(d.fd.get()));
  struct stat st {};
  REQUIRE(::stat(d.fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 07777) == 0622);
  auto again = ExecFifo::create(d.fd.get());
  REQUIRE_FALSE(again);
  CHECK(again.error().err() == EEXIST);
}

TEST_CASE("exec fifo: owned by the container's root when asked", "[state][fifo]") {
  if (::geteuid() != 0) {
    SUCCEED("needs root to chown");
    return;
  }
  FifoDir d;
  REQUIRE(ExecFifo::create(d.fd.get(), 100000, 100001));
  struct stat st {};
  REQUIRE(::stat(d.fifo.c_str(), &st) == 0);
  CHECK(st.st_uid == 100000);
  CHECK(st.st_gid == 100001);
  CHECK((st.st_mode & 07777) == 0622);
}

TEST_CASE("exec fifo: the init blocks until release reads", "[state][fifo]") {
  FifoDir d;
  REQUIRE(ExecFifo::create(d.fd.get()));
  bool via_fd = GENERATE(false, true);
  pid_t init = start_fake_init(d, via_fd);
  REQUIRE(init > 0);
  auto start_time = process_start_time(init);
  REQUIRE(start_time);

  sleep_ms(300);
  CHECK_FALSE(fs::exists(d.tmp / "released"));  // still blocked in open()
  CHECK(process_alive(init, *start_time));

  auto released = ExecFifo::release(d.fifo, init, *start_time);
  REQUIRE(released);
  CHECK(fs::exists(d.tmp / "released"));
  CHECK_FALSE(ExecFifo::exists(d.fd.get()));  // started: the FIFO is gone
  // release returns only once the writer closed (exec or exit).
  CHECK(fs::exists(d.tmp / "exiting"));
  CHECK(wait_child(init) == 0);
}

TEST_CASE("exec fifo: release does not hang on a dead init", "[state][fifo]") {
  FifoDir d;
  REQUIRE(ExecFifo::create(d.fd.get()));
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  UniqueFd wake(p[1]);
  pid_t init = fork_child([&] {
    wake.reset();
    char c;
    (void)::read(p[0], &c, 1);
    return 0;
  });
  ::close(p[0]);
  auto start_time = process_start_time(init);
  REQUIRE(start_time);

  SECTION("dead and reaped") {
    wake.reset();
    REQUIRE(wait_child(init) == 0);
  }
  SECTION("zombie") {
    wake.reset();
    REQUIRE(eventually([&] { return !process_alive(init, *start_time); }));
  }
  SECTION("dies while release waits") {
    pid_t killer = fork_child([&] {
      sleep_ms(300);
      return ::kill(init, SIGKILL) == 0 ? 0 : 1;
    });
    auto begin = std::chrono::steady_clock::now();
    auto r = ExecFifo::release(d.fifo, init, *start_time);
    auto took = std::chrono::steady_clock::now() - begin;
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == "container process is already dead");
    CHECK(took >= std::chrono::milliseconds(250));  // it did wait for the live init
    CHECK(wait_child(killer) == 0);
  }

  auto r = ExecFifo::release(d.fifo, init, *start_time);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "container process is already dead");
  CHECK(ExecFifo::exists(d.fd.get()));  // nothing was started
  wake.reset();
  ::kill(init, SIGKILL);
  ::waitpid(init, nullptr, 0);
}

TEST_CASE("exec fifo: a writer that closes without writing", "[state][fifo]") {
  FifoDir d;
  REQUIRE(ExecFifo::create(d.fd.get()));
  pid_t init = fork_child([&] {
    int fd = ::open(d.fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    ::close(fd);
    sleep_ms(2000);
    return 0;
  });
  auto start_time = process_start_time(init);
  REQUIRE(start_time);
  auto r = ExecFifo::release(d.fifo, init, *start_time);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "cannot start an already running container");
  ::kill(init, SIGKILL);
  ::waitpid(init, nullptr, 0);
}

TEST_CASE("exec fifo: release without a fifo", "[state][fifo]") {
  FifoDir d;
  auto r = ExecFifo::release(d.fifo, ::getpid(), *process_start_time(::getpid()));
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == ENOENT);
  CHECK_THAT(r.error().what(), Catch::Contains("exec.fifo"));
}
