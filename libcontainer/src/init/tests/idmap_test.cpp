#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include <catch2/catch.hpp>

#include "init/idmap.hpp"

using namespace nucleus::init;

namespace {

oci::Config with_mount(oci::Mount m, bool user_namespace = false, bool linux_maps = false) {
  oci::Config c;
  c.linux.emplace();
  if (user_namespace) c.linux->namespaces.push_back({oci::NamespaceType::user, std::nullopt});
  if (linux_maps) {
    c.linux->uid_mappings = {{0, 100000, 65536}};
    c.linux->gid_mappings = {{0, 200000, 65536}};
  }
  c.mounts.push_back({"/other", "tmpfs", "tmpfs", {}, {}, {}});
  c.mounts.push_back(std::move(m));
  return c;
}

oci::Mount bind(std::vector<std::string> options, bool maps = false) {
  oci::Mount m{"/data", "bind", "/src", std::move(options), {}, {}};
  if (maps) {
    m.uid_mappings = {{0, 1000, 10}};
    m.gid_mappings = {{0, 2000, 10}};
  }
  return m;
}

}  // namespace

TEST_CASE("idmap_request: plain mounts are not idmapped") {
  auto c = with_mount(bind({"rbind", "ro"}));
  auto r = idmap_request(c, 1);
  REQUIRE(r);
  CHECK_FALSE(r->has_value());
  CHECK_FALSE(*idmap_request(c, 0));
}

TEST_CASE("idmap_request: the mount's own mappings") {
  auto r = idmap_request(with_mount(bind({"rbind", "ridmap"}, true)), 1);
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK((*r)->recursive);
  CHECK((*r)->uid_mappings == std::vector<oci::IdMapping>{{0, 1000, 10}});
  CHECK((*r)->gid_mappings == std::vector<oci::IdMapping>{{0, 2000, 10}});
  // As runc: mappings without "idmap" still idmap the mount (not recursively).
  auto implied = idmap_request(with_mount(bind({"bind"}, true)), 1);
  REQUIRE(implied);
  REQUIRE(implied->has_value());
  CHECK_FALSE((*implied)->recursive);
}

TEST_CASE("idmap_request: without mappings, the container's user namespace ones") {
  auto r = idmap_request(with_mount(bind({"bind", "idmap"}), true, true), 1);
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK((*r)->uid_mappings == std::vector<oci::IdMapping>{{0, 100000, 65536}});
  CHECK((*r)->gid_mappings == std::vector<oci::IdMapping>{{0, 200000, 65536}});
}

TEST_CASE("idmap_request: errors name the mount") {
  auto no_userns = idmap_request(with_mount(bind({"bind", "idmap"})), 1);
  REQUIRE_FALSE(no_userns);
  CHECK(no_userns.error().what() ==
        "mounts[1]: \"idmap\" needs uidMappings and gidMappings on the mount, or a user namespace");
  auto joined = idmap_request(with_mount(bind({"bind", "ridmap"}), true, false), 1);
  REQUIRE_FALSE(joined);
  CHECK(joined.error().what().starts_with("mounts[1]: \"ridmap\" without uidMappings"));
  oci::Mount tmpfs{"/t", "tmpfs", "tmpfs", {"idmap"}, {{0, 1, 1}}, {{0, 1, 1}}};
  auto not_bind = idmap_request(with_mount(tmpfs), 1);
  REQUIRE_FALSE(not_bind);
  CHECK(not_bind.error().what().starts_with(
      "mounts[1]: idmapped mounts are only supported for bind mounts"));
  auto half = bind({"bind", "idmap"}, true);
  half.gid_mappings.clear();
  auto r = idmap_request(with_mount(half), 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "mounts[1]: uidMappings and gidMappings must be given together");
}

TEST_CASE("open_user_namespace: an nsfs fd, and no child left behind") {
  auto fd = open_user_namespace({{0, ::geteuid(), 1}}, {{0, ::getegid(), 1}});
  if (!fd && fd.error().err() == EPERM) {
    WARN("user namespaces are not allowed here: not tested");
    return;
  }
  REQUIRE(fd);
  struct statfs sfs {};
  REQUIRE(::fstatfs(fd->get(), &sfs) == 0);
  CHECK(sfs.f_type == NSFS_MAGIC);
  // The helper was reaped: there is no child to wait for.
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
