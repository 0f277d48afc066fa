#include <catch2/catch.hpp>

#include "init/selinux_label.hpp"

using namespace nucleus::init;

namespace {
constexpr const char* kLabel = "system_u:object_r:container_file_t:s0:c1,c2";
}

TEST_CASE("the mount label goes into the data as context=\"...\"") {
  CHECK(with_mount_label("", kLabel) == "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  CHECK(with_mount_label("mode=755,size=65536k", kLabel) ==
        "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  CHECK(with_mount_label("mode=755", "") == "mode=755");
  // A context of the config's own wins: the kernel refuses two.
  CHECK(with_mount_label("mode=755,context=\"x\"", kLabel) == "mode=755,context=\"x\"");
  CHECK(with_mount_label("rootcontext=y", kLabel) == "rootcontext=y");
}

TEST_CASE("only filesystems that take a label get one, and only with SELinux on") {
  for (auto fs : {"tmpfs", "mqueue", "devpts", "overlay", "shm"}) {
    INFO(fs);
    CHECK(takes_mount_label(fs, false));
    CHECK(mount_data(fs, false, "a=1", "L", true) == "a=1,context=\"L\"");
    CHECK(mount_data(fs, false, "a=1", "L", false) == "a=1");
  }
  for (auto fs : {"proc", "sysfs", "cgroup", "cgroup2"}) {
    INFO(fs);
    CHECK_FALSE(takes_mount_label(fs, false));
    CHECK(mount_data(fs, false, "", "L", true).empty());
  }
  CHECK_FALSE(takes_mount_label("tmpfs", true));  // a bind keeps the source's labels
  CHECK(mount_data("none", true, "", "L", true).empty());
}
