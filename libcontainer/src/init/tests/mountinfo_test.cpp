#include <catch2/catch.hpp>

#include "mountinfo/mountinfo.hpp"

using namespace nucleus;

TEST_CASE("mountinfo lines: fields after the optional ones, escapes undone", "[mountinfo]") {
  auto mounts = parse_mountinfo(
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "57 27 254:0 /a\\040b /mnt/with\\040space rw shared:1 master:2 - ext4 /dev/vda rw,discard\n"
      "garbage\n"
      "31 23 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[0].mount_point == "/proc");
  CHECK(mounts[0].fstype == "proc");
  CHECK(mounts[1].root == "/a b");
  CHECK(mounts[1].mount_point == "/mnt/with space");
  CHECK(mounts[1].source == "/dev/vda");
  CHECK(mounts[2].super_options == "rw,cpu");
  CHECK(unescape_octal("back\\134slash\\011tab\\0") == "back\\slash\ttab\\0");
}
