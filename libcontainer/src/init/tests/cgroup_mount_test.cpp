#include <catch2/catch.hpp>

#include "init/cgroup_mount.hpp"

using nucleus::init::parse_cgroup_hierarchies;

namespace {

constexpr const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:5 - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "50 23 0:40 / /mnt/other rw - cgroup cgroup rw,pids\n";

constexpr const char* kHybridCgroup =
    "4:memory:/ctr\n"
    "3:cpu,cpuacct:/ctr\n"
    "1:name=systemd:/ctr\n"
    "2:pids:/ctr\n"
    "0::/ctr\n";

}  // namespace

TEST_CASE("cgroup hierarchies on a hybrid host") {
  auto h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridCgroup);
  REQUIRE(h);
  CHECK_FALSE(h->unified_root);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& x : h->list) got.emplace_back(x.name, x.host_dir);
  // pids is mounted outside /sys/fs/cgroup: not part of the container's view.
  CHECK(got == std::vector<std::pair<std::string, std::string>>{
                   {"memory", "/sys/fs/cgroup/memory/ctr"},
                   {"cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/ctr"},
                   {"systemd", "/sys/fs/cgroup/systemd/ctr"},
                   {"unified", "/sys/fs/cgroup/unified/ctr"}});
  CHECK(h->list.back().v2);
}

TEST_CASE("cgroup hierarchies on a pure v2 host") {
  auto h = parse_cgroup_hierarchies("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                                    "0::/system.slice/ctr\n");
  REQUIRE(h);
  CHECK(h->unified_root);
  REQUIRE(h->list.size() == 1);
  CHECK(h->list[0].host_dir == "/sys/fs/cgroup/system.slice/ctr");
}

TEST_CASE("cgroup hierarchies: a mount of a sub-tree maps the path into it") {
  auto h = parse_cgroup_hierarchies(
      "35 31 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "36 31 0:33 /elsewhere /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n",
      "4:memory:/outer/ctr\n2:pids:/outer/ctr\n");
  REQUIRE(h);
  REQUIRE(h->list.size() == 1);  // pids' path is outside its mount's root
  CHECK(h->list[0].host_dir == "/sys/fs/cgroup/memory/ctr");
}

TEST_CASE("cgroup hierarchies: none found is an error") {
  CHECK_FALSE(parse_cgroup_hierarchies("", "0::/\n"));
}
