#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "init/proc_mounts.hpp"
#include "nucleus/unique_fd.hpp"

using namespace nucleus;
using namespace nucleus::init;

TEST_CASE("mounts outside /proc pass", "[proc-mounts]") {
  CHECK(check_proc_destination("/r", "/r/etc/hosts", -1));
  CHECK(check_proc_destination("/r", "/r/procfoo", -1));
  CHECK(check_proc_destination("/r", "/r", -1));
}

TEST_CASE("below /proc only the files lxcfs emulates", "[proc-mounts]") {
  CHECK(check_proc_destination("/r", "/r/proc/meminfo", -1));
  CHECK(check_proc_destination("/r", "/r/proc/sys/kernel/ns_last_pid", -1));
  for (const char* dest : {"/r/proc/sys/kernel/domainname", "/r/proc/self/attr/exec", "/r/proc/sys",
                           "/r/proc/1/attr", "/r/proc/sysrq-trigger"}) {
    auto r = check_proc_destination("/r", dest, -1);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == fmt::format("\"{}\" cannot be mounted because it is inside /proc", dest));
  }
}

TEST_CASE("on /proc itself only procfs: a bind of a procfs root, not of a directory", "[proc-mounts]") {
  auto tmpfs = check_proc_destination("/r", "/r/proc", -1);
  REQUIRE_FALSE(tmpfs);
  CHECK(tmpfs.error().what() == "\"/r/proc\" cannot be mounted because it is not of type proc");

  UniqueFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  CHECK(check_proc_destination("/r", "/r/proc", proc.get()));
  UniqueFd proc_sys(::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
  CHECK_FALSE(check_proc_destination("/r", "/r/proc", proc_sys.get()));
  UniqueFd tmp(::open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto dir = check_proc_destination("/r", "/r/proc", tmp.get());
  REQUIRE_FALSE(dir);
  CHECK(dir.error().what() == "\"/r/proc\" cannot be bind-mounted because it is not the root of a procfs mount");
}
