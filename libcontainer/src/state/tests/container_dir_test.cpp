#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include <catch2/catch.hpp>

#include "state/container_dir.hpp"
#include "test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;
namespace fs = std::filesystem;

namespace {

ContainerRecord record_for(const std::string& id) {
  ContainerRecord r;
  r.id = id;
  r.init_pid = 77;
  r.init_start_time = 123;
  r.bundle = "/bundle";
  r.rootfs = "/bundle/rootfs";
  r.created = "2026-11-28T14:58:21Z";
  return r;
}

// Whether some other open file description holds the lock on `dir`.
bool is_locked(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return false;
  REQUIRE(errno == EWOULDBLOCK);
  return true;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("container dir: create, write, commit, open, read", "[state][dir]") {
  TempDir tmp;
  fs::path root = tmp / "run/nucleus";  // made with its parents
  {
    auto dir = ContainerDir::create(root, "c1");
    REQUIRE(dir);
    CHECK(dir->path() == root / "c1");
    CHECK(fs::is_directory(root / "c1"));
    REQUIRE(dir->write_record(record_for("c1")));
    dir->commit();
  }
  struct stat st {};
  REQUIRE(::stat(root.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);  // root is 0700
  CHECK(entries(root) == std::vector<std::string>{"c1"});  // no temp names left
  CHECK(entries(root / "c1") == std::vector<std::string>{"state.json"});

  auto dir = ContainerDir::open(root, "c1");
  REQUIRE(dir);
  auto rec = dir->read_record();
  REQUIRE(rec);
  CHECK(*rec == record_for("c1"));
}

TEST_CASE("container dir: exact error texts", "[state][dir]") {
  TempDir tmp;
  fs::path root = tmp / "root";

  auto missing_root = ContainerDir::open(root, "nope");
  REQUIRE_FALSE(missing_root);
  CHECK(missing_root.error().what() == "container does not exist");

  auto first = ContainerDir::create(root, "dup");
  REQUIRE(first);
  auto second = ContainerDir::create(root, "dup");
  REQUIRE_FALSE(second);
  CHECK(second.error().what() == "container with id exists: dup");

  auto missing = ContainerDir::open(root, "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().what() == "container does not exist");

  for (std::string bad : {"", ".", "..", "../x", "a/b", "a b", "x@y"}) {
    auto r = ContainerDir::create(root, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == "invalid container id format");
  }
  CHECK(ContainerDir::valid_id("a-b_c.d+e,f9"));
}

TEST_CASE("container dir: a directory without a record, or with a corrupt one", "[state][dir]") {
  TempDir tmp;
  auto dir = ContainerDir::create(tmp.path(), "c");
  REQUIRE(dir);
  auto none = dir->read_record();
  REQUIRE_FALSE(none);
  CHECK(none.error().what() == "container does not exist");

  std::ofstream(tmp / "c/state.json") << "{\"version\":1,\"id\":";
  auto corrupt = dir->read_record();
  REQUIRE_FALSE(corrupt);
  CHECK_THAT(corrupt.error().what(), Catch::Contains((tmp / "c/state.json").string()));

  std::ofstream(tmp / "c/state.json") << "{\"version\":1,\"id\":\"c\"}";
  auto incomplete = dir->read_record();
  REQUIRE_FALSE(incomplete);
  CHECK_THAT(incomplete.error().what(), Catch::Contains("state.json") && Catch::Contains("initPid"));
}

TEST_CASE("container dir: undo guard and remove", "[state][dir]") {
  TempDir tmp;
  {
    auto dir = ContainerDir::create(tmp.path(), "half");
    REQUIRE(dir);
    std::ofstream(tmp / "half/exec.fifo-standin") << "x";
    REQUIRE(dir->write_record(record_for("half")));
    ContainerDir moved = std::move(*dir);  // the guard moves with the object
  }
  CHECK(entries(tmp.path()).empty());

  {
    auto dir = ContainerDir::create(tmp.path(), "kept");
    REQUIRE(dir);
    dir->commit();
  }
  CHECK(entries(tmp.path()) == std::vector<std::string>{"kept"});

  auto dir = ContainerDir::open(tmp.path(), "kept");
  REQUIRE(dir);
  fs::create_directories(tmp / "kept/sub/deeper");
  std::ofstream(tmp / "kept/sub/deeper/f") << "x";
  ::symlink("/etc", (tmp / "kept/link").c_str());
  REQUIRE(dir->write_record(record_for("kept")));
  REQUIRE(dir->remove());
  CHECK(entries(tmp.path()).empty());
  CHECK(fs::exists("/etc/passwd"));  // the symlink was not followed
  CHECK_FALSE(dir->write_record(record_for("kept")));
}

TEST_CASE("container dir: list_ids", "[state][dir]") {
  TempDir tmp;
  auto none = ContainerDir::list_ids(tmp / "missing");
  REQUIRE(none);
  CHECK(none->empty());

  for (std::string id : {"b", "a", "c.1"}) {
    auto dir = ContainerDir::create(tmp.path(), id);
    REQUIRE(dir);
    dir->commit();
  }
  auto uncommitted = ContainerDir::create(tmp.path(), "d");  // still listed while held
  REQUIRE(uncommitted);
  std::ofstream(tmp / "stray-file") << "x";
  fs::create_directory(tmp / ".creating@0123");
  auto ids = ContainerDir::list_ids(tmp.path());
  REQUIRE(ids);
  CHECK(*ids == std::vector<std::string>{"a", "b", "c.1", "d"});
}

TEST_CASE("container dir: remove_abandoned removes unlocked temporary dirs only", "[state][dir][lock]") {
  TempDir tmp;
  fs::create_directory(tmp / ".creating@dead");
  std::ofstream(tmp / ".creating@dead" / "f") << "x";
  fs::create_directory(tmp / ".creating@alive");
  UniqueFd held(::open((tmp / ".creating@alive").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(::flock(held.get(), LOCK_EX) == 0);
  auto kept = ContainerDir::create(tmp.path(), "kept");
  REQUIRE(kept);
  kept->commit();
  ContainerDir::remove_abandoned(tmp.path());
  CHECK_FALSE(fs::exists(tmp / ".creating@dead"));
  CHECK(fs::exists(tmp / ".creating@alive"));
  CHECK(fs::exists(tmp / "kept"));
}

TEST_CASE("container dir: create holds the lock until done", "[state][dir][lock]") {
  TempDir tmp;
  {
    auto created = ContainerDir::create(tmp.path(), "x");
    REQUIRE(created);
    CHECK(is_locked(tmp / "x"));  // visible under its name only once locked
    created->commit();
  }
  CHECK_FALSE(is_locked(tmp / "x"));
}

TEST_CASE("container dir: the lock serialises verbs on one id", "[state][dir][lock]") {
  TempDir tmp;
  fs::path root = tmp.path();
  {
    auto created = ContainerDir::create(root, "x");
    REQUIRE(created);
    REQUIRE(created->write_record(record_for("x")));
    created->commit();
  }
  std::optional<ContainerDir> held;
  {
    auto opened = ContainerDir::open(root, "x");
    REQUIRE(opened);
    held.emplace(std::move(*opened));
  }
  CHECK(is_locked(root / "x"));

  fs::path marker = tmp / "acquired";
  pid_t waiter = fork_child([&] {
    ::alarm(10);
    auto d = ContainerDir::open(root, "x");
    std::ofstream(marker) << "x";
    if (!d) return d.error().what() == "container does not exist" ? 10 : 1;
    return d->read_record() ? 0 : 2;
  });
  sleep_ms(300);
  CHECK_FALSE(fs::exists(marker));  // blocked behind our lock

  SECTION("the waiter gets it once we let go") {
    held.reset();
    CHECK(wait_child(waiter) == 0);
    CHECK(fs::exists(marker));
  }
  SECTION("a delete while it waits makes it 'container does not exist'") {
    REQUIRE(held->remove());
    sleep_ms(100);
    CHECK_FALSE(fs::exists(marker));  // removal alone does not release the lock
    held.reset();
    CHECK(wait_child(waiter) == 10);
    CHECK_FALSE(fs::exists(root / "x"));
  }
}

TEST_CASE("container dir: different ids never block each other", "[state][dir][lock]") {
  TempDir tmp;
  auto x = ContainerDir::create(tmp.path(), "x");
  REQUIRE(x);
  x->commit();
  pid_t other = fork_child([&] {
    ::alarm(5);  // a blocked child dies instead of hanging the suite
    auto y = ContainerDir::create(tmp.path(), "y");
    if (!y) return 1;
    y->commit();
    ContainerDir{std::move(*y)};  // unlock: a second open in one process would wait on itself
    auto again = ContainerDir::open(tmp.path(), "y");
    return again ? 0 : 2;
  });
  CHECK(wait_child(other) == 0);
}

TEST_CASE("container dir: a forked copy of the fd does not keep the lock", "[state][dir][lock]") {
  TempDir tmp;
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  UniqueFd wake(p[1]);
  pid_t child;
  {
    auto dir = ContainerDir::create(tmp.path(), "x");
    REQUIRE(dir);
    dir->commit();
    // Like a cloned init: it inherits the locked fd and outlives our object.
    child = fork_child([&] {
      wake.reset();
      char c;
      (void)::read(p[0], &c, 1);
      ::_exit(0);  // never runs the copy's destructor
      return 0;
    });
    ::close(p[0]);
    CHECK(is_locked(tmp / "x"));
  }
  CHECK_FALSE(is_locked(tmp / "x"));
  wake.reset();
  CHECK(wait_child(child) == 0);
}
