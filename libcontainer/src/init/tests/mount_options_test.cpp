#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "init/mounts.hpp"
#include "init/rootfs.hpp"

using nucleus::init::parse_mount_options;

TEST_CASE("mount options: flags, clears and data") {
  auto o = parse_mount_options({"nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k"});
  CHECK(o.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  CHECK(o.data == "mode=755,size=65536k");
  CHECK_FALSE(o.bind());

  auto rw = parse_mount_options({"ro", "rw", "suid"});
  CHECK(rw.flags == 0);
  CHECK(rw.cleared == (MS_RDONLY | MS_NOSUID));
}

TEST_CASE("mount options: binds and propagation") {
  auto b = parse_mount_options({"rbind", "ro", "rprivate"});
  CHECK(b.bind());
  CHECK(b.flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(b.propagation == (MS_PRIVATE | MS_REC));
  CHECK(parse_mount_options({"bind", "slave"}).propagation == MS_SLAVE);
  CHECK(parse_mount_options({"bind", "runbindable"}).propagation == (MS_UNBINDABLE | MS_REC));
}

TEST_CASE("mount options: recursive attributes") {
  auto r = parse_mount_options({"rbind", "rro", "rnosuid", "rnoatime"});
  CHECK(r.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME));
  CHECK(r.attr_clr == MOUNT_ATTR__ATIME);
  auto c = parse_mount_options({"rro", "rrw"});
  CHECK(c.attr_set == 0);
  CHECK(c.attr_clr == MOUNT_ATTR_RDONLY);
}

TEST_CASE("mount options: extensions are set apart, not passed as data") {
  auto e = parse_mount_options({"tmpcopyup", "idmap", "mode=1777"});
  CHECK(e.extensions == std::vector<std::string>{"tmpcopyup", "idmap"});
  CHECK(e.data == "mode=1777");
}

TEST_CASE("rootfs propagation: runc's default is rslave") {
  using nucleus::init::root_propagation_flags;
  CHECK(*root_propagation_flags("") == (MS_SLAVE | MS_REC));
  CHECK(*root_propagation_flags("private") == MS_PRIVATE);
  CHECK(*root_propagation_flags("rshared") == (MS_SHARED | MS_REC));
  CHECK_FALSE(root_propagation_flags("sideways"));
}
