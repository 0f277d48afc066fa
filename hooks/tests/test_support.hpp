// Helpers for the hook tests: a temp dir, shell scripts written into it, and
// a log sink that records warnings.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "nucleus/log.hpp"

namespace hooks_test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "nucleus-hooks-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Plain read(2): istreambuf_iterator trips g++ 12's -Wnull-dereference.
inline std::string read_file(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

inline bool exists(const std::string& path) { return fs::exists(path); }

// An executable /bin/sh script at dir/name.
inline std::string write_script(const TempDir& dir, const std::string& name,
                                const std::string& body) {
  std::string path = dir / name;
  {
    std::ofstream out(path);
    out << "#!/bin/sh\n" << body << "\n";
  }
  ::chmod(path.c_str(), 0755);
  return path;
}

// Installs a sink recording every warning; restores the default on scope exit.
class LogCapture {
 public:
  LogCapture() {
    lines().clear();
    nucleus::log::set_sink(&record);
  }
  ~LogCapture() { nucleus::log::set_sink(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  static std::vector<std::string>& lines() {
    static std::vector<std::string> l;
    return l;
  }

 private:
  static void record(nucleus::log::Level level, std::string_view message) {
    if (level == nucleus::log::Level::warning) lines().emplace_back(message);
  }
};

}  // namespace hooks_test
