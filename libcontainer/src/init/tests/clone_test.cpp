#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "init/clone.hpp"

using namespace nucleus::init;
using nucleus::init::testing::in_child;

namespace {

int clone_and_wait() {
  auto pid = clone_process({0, std::nullopt});
  if (!pid) return 10;
  if (*pid == 0) ::_exit(7);
  int status = 0;
  if (::waitpid(*pid, &status, 0) != *pid) return 11;
  return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 12;
}

}  // namespace

TEST_CASE("clone_process starts a child that the caller can wait for", "[clone]") {
  CHECK(in_child(clone_and_wait) == 0);
}

TEST_CASE("clone_process falls back to clone(2) when clone3 is ENOSYS", "[clone]") {
  // Docker's default seccomp profile answers clone3 this way.
  int code = in_child([] {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0 ||
        seccomp_load(ctx) != 0)
      return 20;
    seccomp_release(ctx);
    return clone_and_wait();
  });
  CHECK(code == 0);
}

TEST_CASE("ensure_single_threaded accepts a single-threaded process", "[clone]") {
  CHECK(ensure_single_threaded());
}
