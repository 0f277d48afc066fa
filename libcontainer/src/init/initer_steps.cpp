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

Result<void> load_seccomp_at(const SeccompFilter* seccomp, SeccompStage stage, bool no_new_privileges,
                             const SyncChannel& sync) {
  if (!seccomp) return {};
  UniqueFd listener = TRY(seccomp->load_at(stage, no_new_privileges));
  if (!listener) return {};
  return hand_over_seccomp_listener(sync, std::move(listener));
}

Result<void> hand_over_seccomp_listener(const SyncChannel& sync, UniqueFd listener) {
  TRY_VOID(sync.send_fd(SyncType::seccomp_listener, listener.get()));
  TRY_VOID(sync.expect(SyncType::seccomp_listener_passed));
  return {};  // `listener` closes here, as runc's does after procSeccompDone
}

PreparedExec prepare_exec(std::string executable, const std::vector<std::string>& args,
                          const std::vector<std::string>& env) {
  return PreparedExec{std::move(executable), c_strings(args), c_strings(env)};
}

Result<void> exec_process(const PreparedExec& exec) {
  ::execve(exec.executable.c_str(), exec.argv.data(), exec.envp.data());
  return fail_errno(fmt::format("exec {}", exec.executable));
}

}  // namespace nucleus::init
