// Runs a piece of process setup in a forked child, which reports back what
// it observed as text through a pipe: the test process itself keeps its
// uid, capabilities and limits.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "nucleus/error.hpp"

namespace nucleus::test {

inline void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// `body` runs in the child with the pipe's write end; it returns the report
// (or writes to the fd itself, e.g. after dup2 and exec). The parent returns
// the text, or "child exited with status N" style text when it died early.
inline std::string in_child(const std::function<std::string(int fd)>& body) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    ::close(p[0]);
    std::string report;
    try {
      report = body(p[1]);
    } catch (...) {
      report = "exception in child";
    }
    write_all(p[1], report);
    // exit_group(2) itself, not _exit(): under ASan, _exit runs a leak check,
    // which in a forked copy of the test's heap means nothing and needs
    // syscalls that the seccomp filter under test refuses (it exited 1).
    ::syscall(SYS_exit_group, 0);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    out += fmt::format(" [child status {:#x}]", status);
  return out;
}

// "ok" or the error's full text.
template <typename T>
std::string outcome(const Result<T>& r) {
  return r ? std::string("ok") : r.error().what();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of "Key:" in /proc/self/status.
inline std::string status_field(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + ":")) {
      auto v = line.substr(key.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  return "";
}

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nucleus-security-XXXXXX";
    path_ = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name, const std::string& content, mode_t mode) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << content;
    ::chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::string path_;
};

inline bool is_root() { return ::geteuid() == 0; }

}  // namespace nucleus::test
