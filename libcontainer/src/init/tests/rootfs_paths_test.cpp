#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "init/fds.hpp"
#include "init/rootfs_paths.hpp"

using namespace nucleus::init;
namespace fs = std::filesystem;

namespace {

struct TempRoot {
  fs::path dir;
  nucleus::UniqueFd fd;
  TempRoot() {
    char tmpl[] = "/tmp/nucleus-rootfs-paths-XXXXXX";
    dir = ::mkdtemp(tmpl);
    fd.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  ~TempRoot() { fs::remove_all(dir); }
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
