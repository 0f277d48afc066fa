#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "init/fds.hpp"
#include "init/rootfs_paths.hpp"
#include "temp_root.hpp"

using namespace nucleus::init;
namespace fs = std::filesystem;

namespace {

struct TempRoot : nucleus::init::testing::TempRoot {
  TempRoot() : testing::TempRoot("rootfs-paths") {}
};

}  // namespace

TEST_CASE("split_parent") {
  CHECK(split_parent("/a/b/c") == std::pair<std::string, std::string>{"/a/b", "c"});
  CHECK(split_parent("/dev/") == std::pair<std::string, std::string>{"/", "dev"});
  CHECK(split_parent("rel") == std::pair<std::string, std::string>{"/", "rel"});
}

TEST_CASE("ensure_in_root makes directories and files inside the root") {
  TempRoot root;
  REQUIRE(ensure_in_root(root.fd.get(), "/a/b/c", true));
  CHECK(fs::is_directory(root.dir / "a/b/c"));
  REQUIRE(ensure_in_root(root.fd.get(), "/x/file", false));
  CHECK(fs::is_regular_file(root.dir / "x/file"));
  // Existing entries are opened, not replaced.
  REQUIRE(ensure_in_root(root.fd.get(), "/x/file", false));
}

TEST_CASE("symlinks in the rootfs cannot lead out of it") {
  TempRoot root;
  fs::create_directory_symlink("/", root.dir / "escape");
  fs::create_directory_symlink("../../../..", root.dir / "up");
  REQUIRE(ensure_in_root(root.fd.get(), "/escape/made-here", true));
  CHECK(fs::is_directory(root.dir / "made-here"));
  CHECK_FALSE(fs::exists("/made-here"));
  REQUIRE(ensure_in_root(root.fd.get(), "/up/etc-like", true));
  CHECK(fs::is_directory(root.dir / "etc-like"));
  auto missing = open_in_root(root.fd.get(), "/escape/etc/hostname", O_PATH);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().err() == ENOENT);
}

TEST_CASE("preserved fds must be open") {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 3);
  CHECK(check_preserved_fds(static_cast<unsigned>(fd - 3), 1));
  ::close(fd);
  auto r = check_preserved_fds(static_cast<unsigned>(fd - 3), 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().starts_with("unable to stat preserved-fd 0 (of 1)"));
}

TEST_CASE("dangling symlinks are followed inside the root when making paths") {
  TempRoot root;
  fs::create_directory(root.dir / "mnt");
  fs::create_directory_symlink("/tmp/nucleus-never-made", root.dir / "mnt/abs");
  fs::create_directory_symlink("../../../../made-up", root.dir / "mnt/up");
  fs::create_symlink("/etc/nucleus-never-made.conf", root.dir / "mnt/file");
  REQUIRE(ensure_in_root(root.fd.get(), "/mnt/abs", true));
  CHECK(fs::is_directory(root.dir / "tmp/nucleus-never-made"));
  CHECK_FALSE(fs::exists("/tmp/nucleus-never-made"));
  REQUIRE(ensure_in_root(root.fd.get(), "/mnt/up/below", true));
  CHECK(fs::is_directory(root.dir / "made-up/below"));
  REQUIRE(ensure_in_root(root.fd.get(), "/mnt/file", false));
  CHECK(fs::is_regular_file(root.dir / "etc/nucleus-never-made.conf"));
  CHECK_FALSE(fs::exists("/etc/nucleus-never-made.conf"));
  // A loop of dangling links ends in an error, not a hang.
  fs::create_symlink("/loop-b", root.dir / "loop-a");
  fs::create_symlink("/loop-a", root.dir / "loop-b");
  auto loop = ensure_in_root(root.fd.get(), "/loop-a", false);
  REQUIRE_FALSE(loop);
  CHECK(loop.error().err() == ELOOP);
}
