// Helpers shared by the state unit tests: temp dirs and forked children.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "nucleus/unique_fd.hpp"

namespace nucleus::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nucleus-state-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Run `fn` in a forked child that exits with its return value; Catch2 must not
// run in the child, so the child never returns into the test.
template <typename Fn>
pid_t fork_child(Fn&& fn) {
  pid_t pid = ::fork();
  if (pid == 0) {
    // Catch2's fatal-signal handlers must not report from the child.
    for (int sig : {SIGTERM, SIGINT, SIGSEGV, SIGABRT, SIGILL, SIGFPE, SIGALRM})
      ::signal(sig, SIG_DFL);
    int code = 99;
    try {
      code = std::forward<Fn>(fn)();
    } catch (...) {
    }
    ::_exit(code);
  }
  return pid;
}

// The exit code of a child, or -signal when it was killed.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1000;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// An AF_UNIX stream socket bound at `path` and, unless `listening` is false
// (a peer that is there but does not answer), listening; invalid on failure.
inline UniqueFd unix_server(const std::filesystem::path& path, bool listening = true) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (!s || ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
  if (listening && ::listen(s.get(), 1) != 0) return UniqueFd();
  return s;
}

// Whether two fds refer to the same file.
inline bool same_file(int a, int b) {
  struct stat sa {}, sb {};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Poll until `pred` holds or `ms` pass.
template <typename Pred>
bool eventually(Pred pred, int ms = 5000) {
  for (int waited = 0; waited < ms; waited += 10) {
    if (pred()) return true;
    sleep_ms(10);
  }
  return pred();
}

}  // namespace nucleus::test
