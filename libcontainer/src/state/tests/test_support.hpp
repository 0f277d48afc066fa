// Helpers shared by the state unit tests: temp dirs and forked children.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

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
