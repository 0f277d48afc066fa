#include "init/initer_steps.hpp"

#include <limits.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<void> reset_signal_state(const sigset_t& mask) {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  if (::sigprocmask(SIG_SETMASK, &mask, nullptr) != 0) return fail_errno("restore signal mask");
  return {};
}

Result<void> make_undumpable() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail_errno("prctl(PR_SET_DUMPABLE, 0)");
  return {};
}

Result<void> die_with_runtime() {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return fail_errno("prctl(PR_SET_PDEATHSIG)");
  return {};
}

void outlive_runtime() { ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0); }

DumpableWindow::DumpableWindow() : was_(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) {
  if (was_ == 0) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

DumpableWindow::~DumpableWindow() {
  if (was_ == 0) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

Result<void> check_cwd_inside_root() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) {
    if (errno != ENOENT) return fail_errno("getcwd");
    buf[0] = '\0';  // unreachable from our root
  }
  if (buf[0] != '/')
    return fail("current working directory is outside of container mount namespace root -- "
                "possible container breakout detected");
  return {};
}

Result<void> exec_process(const std::string& executable, const std::vector<std::string>& args,
                          const std::vector<std::string>& env) {
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  ::execve(executable.c_str(), argv.data(), envp.data());
  return fail_errno(fmt::format("exec {}", executable));
}

}  // namespace nucleus::init
