#include <sched.h>

#include <catch2/catch.hpp>

#include "init/namespaces.hpp"

using namespace nucleus::init;
using oci::NamespaceType;

namespace {

oci::Linux with(std::vector<oci::Namespace> namespaces) {
  oci::Linux l;
  l.namespaces = std::move(namespaces);
  return l;
}

oci::Namespace fresh(NamespaceType t) { return {t, std::nullopt}; }
oci::Namespace joined(NamespaceType t, const char* path) { return {t, std::string(path)}; }

}  // namespace

TEST_CASE("namespaces: all new ones come from clone3, cgroup and time are unshared later") {
  auto l = with({fresh(NamespaceType::pid), fresh(NamespaceType::mount), fresh(NamespaceType::network),
                 fresh(NamespaceType::user), fresh(NamespaceType::cgroup), fresh(NamespaceType::time)});
  auto p = plan_namespaces(&l);
  REQUIRE(p);
  CHECK(p->clone_flags == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUSER));
  CHECK(p->unshare_flags == 0);
  CHECK_FALSE(p->fork_init);
  CHECK(p->new_cgroup);
  CHECK(p->new_time);
  CHECK(p->new_user());
}

TEST_CASE("namespaces: joins without a user namespace keep clone3's new ones") {
  auto l = with({fresh(NamespaceType::pid), fresh(NamespaceType::mount),
                 joined(NamespaceType::network, "/proc/self/ns/net")});
  auto p = plan_namespaces(&l);
  REQUIRE(p);
  CHECK(p->clone_flags == (CLONE_NEWPID | CLONE_NEWNS));
  REQUIRE(p->joins.size() == 1);
  CHECK(p->joins[0].type == NamespaceType::network);
}

TEST_CASE("namespaces: a joined user namespace makes the rest after the joins") {
  auto l = with({joined(NamespaceType::mount, "/proc/self/ns/mnt"), fresh(NamespaceType::pid),
                 joined(NamespaceType::user, "/proc/self/ns/user"), fresh(NamespaceType::uts)});
  auto p = plan_namespaces(&l);
  REQUIRE(p);
  CHECK(p->clone_flags == 0);
  CHECK(p->unshare_flags == (CLONE_NEWPID | CLONE_NEWUTS));
  CHECK(p->fork_init);
  REQUIRE(p->joins.size() == 2);
  CHECK(p->joins[0].type == NamespaceType::user);  // first
  CHECK(p->joins[1].type == NamespaceType::mount);  // last
}

TEST_CASE("namespaces: a new user namespace with other joins is unshared after them") {
  auto l = with({fresh(NamespaceType::user), joined(NamespaceType::network, "/proc/self/ns/net"),
                 fresh(NamespaceType::mount)});
  auto p = plan_namespaces(&l);
  REQUIRE(p);
  CHECK(p->clone_flags == 0);
  CHECK(p->unshare_flags == (CLONE_NEWUSER | CLONE_NEWNS));
  CHECK_FALSE(p->fork_init);
  CHECK(p->new_user());
}

TEST_CASE("namespaces: a joined pid namespace goes through the parent") {
  auto l = with({joined(NamespaceType::pid, "/proc/self/ns/pid"), fresh(NamespaceType::mount)});
  auto p = plan_namespaces(&l);
  REQUIRE(p);
  CHECK(p->pid_join);
  CHECK(p->joins.empty());
  CHECK(p->clone_flags == CLONE_NEWNS);
}

TEST_CASE("namespaces: a path of another type or none is an error") {
  auto wrong = with({joined(NamespaceType::network, "/proc/self/ns/uts")});
  auto p = plan_namespaces(&wrong);
  REQUIRE_FALSE(p);
  CHECK(p.error().message() == "namespace path \"/proc/self/ns/uts\" is not a network namespace");
  auto missing = with({joined(NamespaceType::ipc, "/nonexistent/ns")});
  auto q = plan_namespaces(&missing);
  REQUIRE_FALSE(q);
  CHECK(q.error().what() == "open ipc namespace path \"/nonexistent/ns\": no such file or directory");
}
