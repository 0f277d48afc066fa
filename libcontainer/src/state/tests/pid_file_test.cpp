#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "state/pid_file.hpp"
#include "test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("pid file: decimal pid, no newline, replaced by rename", "[state][pid_file]") {
  TempDir dir;
  auto file = dir / "init.pid";
  REQUIRE(write_pid_file(file, 1234));
  CHECK(slurp(file) == "1234");

  // Atomic replacement: a reader holding the old file still sees the old
  // contents, and the name now refers to a new inode.
  int old_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(old_fd >= 0);
  struct stat before {};
  REQUIRE(::fstat(old_fd, &before) == 0);
  REQUIRE(write_pid_file(file, 987654));
  CHECK(slurp(file) == "987654");
  struct stat after {};
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);
  char buf[16] = {};
  CHECK(::pread(old_fd, buf, sizeof buf - 1, 0) == 4);
  CHECK(std::string(buf) == "1234");
  ::close(old_fd);

  // No temp files are left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    CHECK(e.path().filename() == "init.pid");
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("pid file: errors name the file", "[state][pid_file]") {
  TempDir dir;
  auto r = write_pid_file(dir / "missing" / "init.pid", 1);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("init.pid"));
  CHECK(r.error().err() == ENOENT);
}
