#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "init/fds.hpp"
#include "init/initer_steps.hpp"
#include "temp_root.hpp"

using namespace nucleus::init;
using nucleus::init::testing::in_child;
using nucleus::init::testing::TempRoot;

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

}  // namespace

TEST_CASE("close_fds_except closes every fd from `first` but the kept ones", "[fds]") {
  int code = in_child([] {
    int fds[6];
    for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!close_fds_except(static_cast<unsigned>(fds[1]), {fds[3], fds[5], 9999})) return 10;
    if (!is_open(fds[0])) return 11;  // below `first`
    if (is_open(fds[1]) || is_open(fds[2]) || is_open(fds[4])) return 12;
    if (!is_open(fds[3]) || !is_open(fds[5])) return 13;
    return 0;
  });
  CHECK(code == 0);
}

TEST_CASE("prepare_inherited_fds clears close-on-exec only on the inherited range", "[fds]") {
  int code = in_child([] {
    if (!close_fds_except(3, {})) return 10;
    int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // 3
    int b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // 4
    if (a != 3 || b != 4 || !prepare_inherited_fds(1)) return 11;
    if (::fcntl(a, F_GETFD) & FD_CLOEXEC) return 12;
    if (!(::fcntl(b, F_GETFD) & FD_CLOEXEC)) return 13;
    return 0;
  });
  CHECK(code == 0);
}

TEST_CASE("check_cwd_inside_root refuses a cwd reached through a directory fd from outside the root",
          "[cwd]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root (chroot)");
    return;
  }
  TempRoot root("cwd");
  int code = in_child([&] {
    int outside = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (::chroot(root.dir.c_str()) != 0 || ::chdir("/") != 0) return 10;
    if (!check_cwd_inside_root()) return 11;  // "/" of the new root is fine
    if (::fchdir(outside) != 0) return 12;    // what chdir("/proc/self/fd/N") does
    auto r = check_cwd_inside_root();
    if (r) return 13;
    return r.error().message().find("possible container breakout detected") != std::string::npos ? 0 : 14;
  });
  CHECK(code == 0);
}

TEST_CASE("make_undumpable clears the dumpable flag; a DumpableWindow sets it for its lifetime",
          "[dumpable]") {
  int code = in_child([] {
    if (!make_undumpable() || ::prctl(PR_GET_DUMPABLE) != 0) return 10;
    {
      DumpableWindow window;
      if (::prctl(PR_GET_DUMPABLE) != 1) return 11;
    }
    return ::prctl(PR_GET_DUMPABLE) == 0 ? 0 : 12;
  });
  CHECK(code == 0);
}

TEST_CASE("hand_over_seccomp_listener: the fd goes to the runtime, the child waits for its word",
          "[seccomp]") {
  auto pair = SyncChannel::make_pair();
  REQUIRE(pair);
  auto& [runtime, child] = *pair;
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  int handed = p[1];
  std::string seen;
  std::thread agent_side([&, &runtime = runtime] {
    auto m = runtime.expect(SyncType::seccomp_listener);
    if (m && m->fd && ::write(m->fd.get(), "x", 1) == 1) seen = "fd";
    (void)runtime.send(SyncType::seccomp_listener_passed);
  });
  auto r = hand_over_seccomp_listener(child, nucleus::UniqueFd(handed));
  agent_side.join();
  CHECK(r.has_value());
  CHECK(seen == "fd");
  CHECK(!is_open(handed));  // the child's copy is closed once the agent has it
  char c = 0;
  CHECK(::read(p[0], &c, 1) == 1);
  ::close(p[0]);

  // The runtime failing to reach the agent is the child's error too.
  int q[2];
  REQUIRE(::pipe2(q, O_CLOEXEC) == 0);
  ::close(q[0]);
  std::thread failing([&, &runtime = runtime] {
    (void)runtime.expect(SyncType::seccomp_listener);
    (void)runtime.send_error(nucleus::Error("linux.seccomp.listenerPath: connect to seccomp agent \"/a\"", ECONNREFUSED));
  });
  auto failed = hand_over_seccomp_listener(child, nucleus::UniqueFd(q[1]));
  failing.join();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().what() == "linux.seccomp.listenerPath: connect to seccomp agent \"/a\": connection refused");
}
