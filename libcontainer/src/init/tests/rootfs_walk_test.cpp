// The component walk must resolve exactly as openat2(RESOLVE_IN_ROOT) does:
// each case is checked against the kernel's answer and against the host.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "init/rootfs_paths.hpp"
#include "init/rootfs_walk.hpp"
#include "temp_root.hpp"

using namespace nucleus::init;
namespace fs = std::filesystem;

namespace {

struct Root : nucleus::init::testing::TempRoot {
  Root() : TempRoot("rootfs-walk") {
    fs::create_directories(dir / "etc");
    fs::create_directories(dir / "a/b");
    fs::create_directories(dir / "data");
    fs::create_directory_symlink("/", dir / "escape");
    fs::create_directory_symlink("../../../..", dir / "up");
    fs::create_directory_symlink("../data", dir / "a/rel");
    fs::create_symlink("/etc", dir / "etc-link");
    fs::create_symlink("loop2", dir / "loop1");
    fs::create_symlink("loop1", dir / "loop2");
  }
};

ino_t inode_of(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return st.st_ino;
}

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("the walk resolves like openat2 and stays inside the root", "[rootfs][walk]") {
  Root root;
  const std::pair<const char*, const char*> cases[] = {
      {"/escape/etc", "etc"},     {"/../../../etc", "etc"}, {"/up/etc", "etc"},
      {"/a/rel", "data"},         {"a/b/../../etc", "etc"}, {"/etc-link", "etc"},
      {"//a///b/", "a/b"},        {"/", "."},               {"/escape/up/escape", "."},
  };
  for (auto [path, inside] : cases) {
    INFO(path);
    auto walked = open_in_root_by_walk(root.fd.get(), path, O_PATH);
    REQUIRE(walked);
    CHECK(inode_of(walked->get()) == inode_of(root.dir / inside));
    auto kernel = open_in_root(root.fd.get(), path, O_PATH);
    REQUIRE(kernel);
    CHECK(inode_of(kernel->get()) == inode_of(walked->get()));
  }
}

TEST_CASE("the walk reports errors with the kernel's errno", "[rootfs][walk]") {
  Root root;
  auto missing = open_in_root_by_walk(root.fd.get(), "/escape/etc/hostname", O_PATH);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().err() == ENOENT);
  CHECK_THAT(missing.error().what(), Catch::Contains("/escape/etc/hostname"));
  auto loop = open_in_root_by_walk(root.fd.get(), "/loop1/x", O_PATH);
  REQUIRE_FALSE(loop);
  CHECK(loop.error().err() == ELOOP);
  auto not_dir = open_in_root_by_walk(root.fd.get(), "/etc-link/x", O_PATH | O_DIRECTORY);
  REQUIRE_FALSE(not_dir);
  CHECK(not_dir.error().err() == ENOENT);
}

TEST_CASE("the walk opens a final symlink itself under O_NOFOLLOW", "[rootfs][walk]") {
  Root root;
  auto link = open_in_root_by_walk(root.fd.get(), "/etc-link", O_PATH | O_NOFOLLOW);
  REQUIRE(link);
  CHECK(inode_of(link->get()) == inode_of(root.dir / "etc-link"));
}

TEST_CASE("the walk creates through an escaping symlink inside the root", "[rootfs][walk]") {
  Root root;
  auto made = open_in_root_by_walk(root.fd.get(), "/escape/made-by-walk",
                                   O_CREAT | O_EXCL | O_WRONLY);
  REQUIRE(made);
  CHECK(fs::is_regular_file(root.dir / "made-by-walk"));
  CHECK_FALSE(fs::exists("/made-by-walk"));
}
