// cgroupsPath resolution: default, absolute, relative, and ".." escapes.
#include <catch2/catch.hpp>

#include "cgroups/cgroup_path.hpp"

using namespace nucleus::cgroups;

namespace {

std::string parsed(std::string_view p, std::string_view id = "c1") {
  auto r = parse_cgroups_path(p, id);
  if (!r) return "error: " + r.error().what();
  return (r->absolute ? "abs " : "rel ") + r->path;
}

}  // namespace

TEST_CASE("cgroupsPath is cleaned and classified", "[cgroups][path]") {
  CHECK(parsed("") == "rel c1");  // runc's default: "<id>" below the runtime's cgroup
  CHECK(parsed("/a//b/./c/") == "abs a/b/c");
  CHECK(parsed("/a/x/../b") == "abs a/b");
  CHECK(parsed("a/b") == "rel a/b");
  CHECK(parsed("./a/../b") == "rel b");
  CHECK(parsed("system.slice:docker:abc") == "rel system.slice:docker:abc");
}

TEST_CASE("cgroupsPath may not climb out of its base or name it", "[cgroups][path]") {
  CHECK(parsed("/../x") == "error: invalid cgroupsPath \"/../x\": \"..\" leaves the cgroup root");
  CHECK(parsed("/a/../../x") == "error: invalid cgroupsPath \"/a/../../x\": \"..\" leaves the cgroup root");
  CHECK(parsed("a/../../x") ==
        "error: invalid cgroupsPath \"a/../../x\": \"..\" leaves the runtime's cgroup");
  CHECK(parsed("/") == "error: invalid cgroupsPath \"/\": names the cgroup root itself");
  CHECK(parsed(".") == "error: invalid cgroupsPath \".\": names the runtime's cgroup itself");
  CHECK(parsed("", "") == "error: default cgroup path: empty container id");
  CHECK(parsed("", "..").starts_with("error: invalid cgroupsPath \"..\""));
}

TEST_CASE("cgroup_dir: absolute from the mount point, relative from the own cgroup", "[cgroups][path]") {
  auto own = parse_proc_cgroup("4:memory:/process_api/abc\n1:cpu:/\n0::/user.slice/session-2.scope\n");
  Hierarchy memory{{"memory"}, "/cg/memory", "/"};
  Hierarchy cpu{{"cpu"}, "/cg/cpu", "/"};
  Hierarchy unified{{}, "/cg/unified", "/"};
  Hierarchy v2_root{{}, "/cg", "/"};
  auto abs = *parse_cgroups_path("/nucleus/c1", "c1");
  auto def = *parse_cgroups_path("", "c1");

  CHECK(cgroup_dir(memory, abs, own, Layout::hybrid) == "/cg/memory/nucleus/c1");
  CHECK(cgroup_dir(memory, def, own, Layout::hybrid) == "/cg/memory/process_api/abc/c1");
  CHECK(cgroup_dir(cpu, def, own, Layout::hybrid) == "/cg/cpu/c1");
  // Only on pure v2 is a session scope skipped (runc does the same).
  CHECK(cgroup_dir(unified, def, own, Layout::hybrid) == "/cg/unified/user.slice/session-2.scope/c1");
  CHECK(cgroup_dir(v2_root, def, own, Layout::v2) == "/cg/user.slice/c1");
  CHECK(cgroup_dir(v2_root, abs, own, Layout::v2) == "/cg/nucleus/c1");
  // An absolute path ignores the own cgroup, even when it is not listed.
  Hierarchy pids{{"pids"}, "/cg/pids", "/"};
  CHECK(cgroup_dir(pids, abs, own, Layout::v1) == "/cg/pids/nucleus/c1");
  CHECK_FALSE(cgroup_dir(pids, def, own, Layout::v1));
  // Outside a cgroup namespace's root, the own cgroup reads "/../x".
  auto outside = parse_proc_cgroup("0::/../x\n");
  CHECK_FALSE(cgroup_dir(v2_root, def, outside, Layout::v2));
}
