#include <sys/mount.h>

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "init/mount_options.hpp"
#include "init/rootfs.hpp"
#include "nucleus/mount_options.hpp"

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

TEST_CASE("mount options: every mount(8) flag option maps to its MS_ flag") {
  struct Case {
    const char* set;
    const char* clear;
    unsigned long flag;
  };
  const Case cases[] = {
      {"ro", "rw", MS_RDONLY},          {"nosuid", "suid", MS_NOSUID},
      {"nodev", "dev", MS_NODEV},       {"noexec", "exec", MS_NOEXEC},
      {"sync", "async", MS_SYNCHRONOUS}, {"mand", "nomand", MS_MANDLOCK},
      {"noatime", "atime", MS_NOATIME}, {"nodiratime", "diratime", MS_NODIRATIME},
      {"relatime", "norelatime", MS_RELATIME}, {"strictatime", "nostrictatime", MS_STRICTATIME},
      {"iversion", "noiversion", MS_I_VERSION}, {"lazytime", "nolazytime", MS_LAZYTIME},
      {"silent", "loud", MS_SILENT},    {"nosymfollow", "symfollow", MS_NOSYMFOLLOW},
      {"acl", "noacl", MS_POSIXACL},
  };
  for (const auto& c : cases) {
    INFO(c.set << " / " << c.clear);
    auto on = parse_mount_options({c.set});
    CHECK(on.flags == c.flag);
    CHECK(on.data.empty());
    auto off = parse_mount_options({c.set, c.clear});
    CHECK(off.flags == 0);
    CHECK(off.cleared == c.flag);
    CHECK(off.data.empty());
    // The later option wins.
    CHECK(parse_mount_options({c.clear, c.set}).flags == c.flag);
  }
  CHECK(parse_mount_options({"dirsync"}).flags == MS_DIRSYNC);
  CHECK(parse_mount_options({"defaults"}).flags == 0);
  CHECK(parse_mount_options({"defaults"}).data.empty());
}

TEST_CASE("mount options: remount") {
  auto r = parse_mount_options({"remount", "ro", "bind"});
  CHECK(r.remount());
  CHECK(r.bind());
  CHECK(r.flags == (MS_REMOUNT | MS_RDONLY | MS_BIND));
  CHECK_FALSE(parse_mount_options({"ro"}).remount());
}

TEST_CASE("mount options: unknown options are filesystem data, in order") {
  auto o = parse_mount_options({"lowerdir=/a:/b", "ro", "upperdir=/u", "workdir=/w", "xino=off"});
  CHECK(o.data == "lowerdir=/a:/b,upperdir=/u,workdir=/w,xino=off");
  CHECK(o.flags == MS_RDONLY);
  CHECK(parse_mount_options({"newinstance", "ptmxmode=0666", "gid=5"}).data ==
        "newinstance,ptmxmode=0666,gid=5");
}

TEST_CASE("mount options: binds and propagation") {
  auto b = parse_mount_options({"rbind", "ro", "rprivate"});
  CHECK(b.bind());
  CHECK(b.flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(b.propagation == (MS_PRIVATE | MS_REC));
  CHECK(parse_mount_options({"bind", "slave"}).propagation == MS_SLAVE);
  CHECK(parse_mount_options({"bind", "runbindable"}).propagation == (MS_UNBINDABLE | MS_REC));
  CHECK(parse_mount_options({"shared"}).propagation == MS_SHARED);
  CHECK(parse_mount_options({"rshared", "private"}).propagation == MS_PRIVATE);
}

TEST_CASE("mount options: recursive attributes") {
  auto r = parse_mount_options({"rbind", "rro", "rnosuid", "rnoatime"});
  CHECK(r.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME));
  CHECK(r.attr_clr == MOUNT_ATTR__ATIME);
  auto c = parse_mount_options({"rro", "rrw"});
  CHECK(c.attr_set == 0);
  CHECK(c.attr_clr == MOUNT_ATTR_RDONLY);
  auto all = parse_mount_options({"rnodev", "rnoexec", "rnodiratime", "rnosymfollow"});
  CHECK(all.attr_set ==
        (MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW));
  auto undo = parse_mount_options({"rdev", "rexec", "rdiratime", "rsymfollow", "rsuid"});
  CHECK(undo.attr_set == 0);
  CHECK(undo.attr_clr ==
        (MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW |
         MOUNT_ATTR_NOSUID));
  CHECK(parse_mount_options({"rstrictatime"}).attr_set == MOUNT_ATTR_STRICTATIME);
  CHECK(parse_mount_options({"rnoatime", "rrelatime"}).attr_set == MOUNT_ATTR_RELATIME);
  CHECK(parse_mount_options({"rnorelatime"}).attr_set == MOUNT_ATTR_STRICTATIME);
}

TEST_CASE("mount options: extensions are set apart, not passed as data") {
  auto e = parse_mount_options({"tmpcopyup", "idmap", "mode=1777"});
  CHECK(e.tmpcopyup);
  CHECK(e.idmap);
  CHECK_FALSE(e.idmap_recursive);
  CHECK(e.data == "mode=1777");
  auto r = parse_mount_options({"rbind", "ridmap"});
  CHECK(r.idmap);
  CHECK(r.idmap_recursive);
  CHECK(r.data.empty());
  CHECK_FALSE(parse_mount_options({"bind"}).idmap);
}

TEST_CASE("mount options: crun's symlink options for binds") {
  auto src = parse_mount_options({"rbind", "src-nofollow"});
  CHECK(src.src_nofollow);
  CHECK_FALSE(src.dest_nofollow);
  CHECK_FALSE(src.copy_symlink);
  CHECK(src.flags == (MS_BIND | MS_REC));
  CHECK(src.data.empty());
  auto dest = parse_mount_options({"bind", "dest-nofollow", "ro"});
  CHECK(dest.dest_nofollow);
  CHECK_FALSE(dest.src_nofollow);
  CHECK(dest.flags == (MS_BIND | MS_RDONLY));
  CHECK(dest.data.empty());
  auto copy = parse_mount_options({"copy-symlink", "bind"});
  CHECK(copy.copy_symlink);
  CHECK_FALSE(copy.src_nofollow);
  CHECK(copy.bind());
  CHECK(copy.data.empty());
  auto plain = parse_mount_options({"bind", "nofollow", "src-nofollow=1"});
  CHECK_FALSE(plain.src_nofollow);
  CHECK_FALSE(plain.dest_nofollow);
  CHECK_FALSE(plain.copy_symlink);
  CHECK(plain.data == "nofollow,src-nofollow=1");
}

TEST_CASE("mount options: crun's inline idmap") {
  auto o = parse_mount_options({"rbind", "idmap=uids=0-1000-10#10-2000-5;gids=0-3000-1"});
  CHECK(o.idmap);
  CHECK_FALSE(o.idmap_recursive);
  CHECK(o.idmap_spec == "uids=0-1000-10#10-2000-5;gids=0-3000-1");
  CHECK(o.data.empty());
  auto r = parse_mount_options({"bind", "ridmap=gids=1-2-3;uids=4-5-6"});
  CHECK(r.idmap_recursive);
  CHECK(r.idmap_spec == "gids=1-2-3;uids=4-5-6");
  CHECK(parse_mount_options({"idmap=uids=1-2-3;gids=1-2-3", "idmap"}).idmap_spec.empty());

  using nucleus::init::parse_inline_idmap;
  using M = oci::IdMapping;
  auto maps = parse_inline_idmap(o.idmap_spec);
  REQUIRE(maps);
  CHECK(maps->uid_mappings == std::vector<M>{{0, 1000, 10}, {10, 2000, 5}});
  CHECK(maps->gid_mappings == std::vector<M>{{0, 3000, 1}});
  auto swapped = parse_inline_idmap("gids=1-2-3;uids=4-5-6");
  REQUIRE(swapped);
  CHECK(swapped->uid_mappings == std::vector<M>{{4, 5, 6}});
  CHECK(swapped->gid_mappings == std::vector<M>{{1, 2, 3}});
  for (const char* bad : {"", "uids=0-1-1", "gids=0-1-1", "uids=0-1-1;gids=", "uids=0-1;gids=0-1-1",
                          "uids=0-1-1-1;gids=0-1-1", "uids=a-1-1;gids=0-1-1", "uids=0-1-1;gids=0-1-0",
                          "uids=-1-1-1;gids=0-1-1", "uids=0-1-1#;gids=0-1-1", "uids=@0-1-1;gids=0-1-1",
                          "uids=0-1-1;gids=0-1-1;uids=0-1-1", "uids=0-1-1;gids=0-1-1;x=1",
                          "uids=0-4294967296-1;gids=0-1-1"}) {
    INFO(bad);
    auto e = parse_inline_idmap(bad);
    REQUIRE_FALSE(e);
    CHECK(e.error().what().starts_with("idmap option \""));
  }
  CHECK(parse_inline_idmap("uids=@0-1-1;gids=0-1-1").error().what().find("not supported") !=
        std::string::npos);
}

TEST_CASE("supported_mount_options: every option of config.md, none passed as data") {
  // config.md "Linux mount options", the whole table.
  const std::vector<std::string> spec = {
      "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
      "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
      "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
      "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime",
      "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro",
      "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
      "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid",
      "symfollow", "sync", "tmpcopyup", "unbindable", "idmap", "ridmap",
      // Not in the table, accepted by runc: "rnodev" (the table has "rdev"), "acl", "noacl".
      "rnodev", "acl", "noacl",
      // crun's, crun(1) "MOUNT OPTIONS".
      "src-nofollow", "dest-nofollow", "copy-symlink"};
  auto supported = nucleus::supported_mount_options();
  CHECK(std::is_sorted(supported.begin(), supported.end()));
  CHECK(std::adjacent_find(supported.begin(), supported.end()) == supported.end());
  for (const auto& o : spec) {
    INFO(o);
    CHECK(std::find(supported.begin(), supported.end(), o) != supported.end());
  }
  CHECK(supported.size() == spec.size());
  // What is listed is interpreted, never handed to mount(2) as data.
  for (const auto& o : supported) {
    INFO(o);
    CHECK(parse_mount_options({o}).data.empty());
  }
}

TEST_CASE("rootfs propagation: runc's default is rslave") {
  using nucleus::init::root_propagation_flags;
  CHECK(*root_propagation_flags("") == (MS_SLAVE | MS_REC));
  CHECK(*root_propagation_flags("private") == MS_PRIVATE);
  CHECK(*root_propagation_flags("rshared") == (MS_SHARED | MS_REC));
  CHECK_FALSE(root_propagation_flags("sideways"));
}
