#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "init/tmpcopyup.hpp"
#include "temp_root.hpp"
#include "nucleus/unique_fd.hpp"

using nucleus::UniqueFd;
using nucleus::init::copy_directory_contents;
namespace fs = std::filesystem;

namespace {

struct TempDir : nucleus::init::testing::TempRoot {
  TempDir() : TempRoot("copyup") {}
  UniqueFd open() const { return open_dir(); }
};

struct stat lstat_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st;
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("copy_directory_contents: a tree with its metadata") {
  TempDir from, to;
  fs::create_directories(from.dir / "etc/conf.d");
  write_file(from.dir / "etc/conf.d/a.conf", "hello\n");
  ::chmod((from.dir / "etc/conf.d/a.conf").c_str(), 0640);
  ::chmod((from.dir / "etc/conf.d").c_str(), 0750);
  std::string big(200000, 'x');
  write_file(from.dir / "big", big);
  ::chmod((from.dir / "big").c_str(), 04755);
  fs::create_symlink("/etc/passwd", from.dir / "abs-link");
  fs::create_symlink("etc/conf.d", from.dir / "rel-link");
  fs::create_hard_link(from.dir / "big", from.dir / "big-link");
  REQUIRE(::mkfifo((from.dir / "fifo").c_str(), 0600) == 0);
  const timespec times[2] = {{1000000000, 0}, {1200000000, 5}};
  REQUIRE(::utimensat(AT_FDCWD, (from.dir / "etc/conf.d/a.conf").c_str(), times, 0) == 0);
  bool xattr = ::setxattr((from.dir / "big").c_str(), "user.nucleus", "v1", 2, 0) == 0;

  UniqueFd f = from.open(), t = to.open();
  REQUIRE(copy_directory_contents(f.get(), t.get(), to.dir.native()));

  CHECK(read_file(to.dir / "etc/conf.d/a.conf") == "hello\n");
  CHECK((lstat_of(to.dir / "etc/conf.d/a.conf").st_mode & 07777) == 0640);
  CHECK((lstat_of(to.dir / "etc/conf.d").st_mode & 07777) == 0750);
  CHECK(lstat_of(to.dir / "etc/conf.d/a.conf").st_mtim.tv_sec == 1200000000);
  CHECK(read_file(to.dir / "big") == big);
  CHECK((lstat_of(to.dir / "big").st_mode & 07777) == 04755);
  CHECK(lstat_of(to.dir / "big").st_uid == lstat_of(from.dir / "big").st_uid);
  CHECK(fs::read_symlink(to.dir / "abs-link") == "/etc/passwd");
  CHECK(fs::read_symlink(to.dir / "rel-link") == "etc/conf.d");
  CHECK(lstat_of(to.dir / "big-link").st_ino == lstat_of(to.dir / "big").st_ino);
  CHECK(S_ISFIFO(lstat_of(to.dir / "fifo").st_mode));
  if (xattr) {
    char value[8] = {};
    CHECK(::getxattr((to.dir / "big").c_str(), "user.nucleus", value, sizeof value) == 2);
    CHECK(std::string(value) == "v1");
  }
}

TEST_CASE("copy_directory_contents: an empty directory copies nothing") {
  TempDir from, to;
  UniqueFd f = from.open(), t = to.open();
  REQUIRE(copy_directory_contents(f.get(), t.get(), to.dir.native()));
  CHECK(fs::is_empty(to.dir));
}

TEST_CASE("copy_directory_contents: an existing entry is an error, not overwritten") {
  TempDir from, to;
  write_file(from.dir / "x", "new");
  write_file(to.dir / "x", "old");
  UniqueFd f = from.open(), t = to.open();
  auto r = copy_directory_contents(f.get(), t.get(), to.dir.native());
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == EEXIST);
  CHECK(read_file(to.dir / "x") == "old");
}
