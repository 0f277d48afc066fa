#include "supervise.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace nucleus::hooks::detail {
namespace {

using Clock = std::chrono::steady_clock;
// Without a pidfd the loop cannot sleep until the hook exits; it polls waitid.
constexpr int kFallbackPollMs = 10;
// Bounds the reads per wake-up so a hook flooding its output cannot starve
// the timeout check.
constexpr int kReadsPerWakeup = 16;

// A hook may exit or close stdin without reading the state: the write then
// fails with EPIPE, and the SIGPIPE it raises must not kill the runtime.
// Blocking it on this thread and consuming the one we raised leaves the
// caller's disposition and pending set as they were.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (raised_ && !was_pending_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{};
      while (sigtimedwait(&set, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  void note_epipe() { raised_ = true; }

 private:
  sigset_t old_;
  bool was_pending_ = false;
  bool raised_ = false;
};

// Write what the pipe takes now; close stdin once all is written (EOF tells
// the hook the state is complete) or when the hook no longer reads it.
void feed(UniqueFd& fd, std::string_view input, std::size_t& offset, SigpipeGuard& sigpipe) {
  while (offset < input.size()) {
    ssize_t n = ::write(fd.get(), input.data() + offset, input.size() - offset);
    if (n > 0) {
      offset += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EPIPE) sigpipe.note_epipe();
    break;
  }
  fd.reset();
}

// Read what is available, keeping the first kMaxCaptured bytes; the rest is
// read and dropped so the hook never blocks on a full pipe.
void collect(UniqueFd& fd, std::string& text, int max_reads) {
  std::array<char, 8192> buf;
  for (int i = 0; i < max_reads; ++i) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n > 0) {
      std::size_t keep = std::min(static_cast<std::size_t>(n), kMaxCaptured - text.size());
      text.append(buf.data(), keep);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.reset();  // EOF, or an error that makes the stream useless
    return;
  }
}

int poll_timeout_ms(std::optional<Clock::time_point> deadline, bool have_pidfd) {
  int ms = have_pidfd ? -1 : kFallbackPollMs;
  if (!deadline) return ms;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  int left_ms = static_cast<int>(std::clamp<long long>(left, 0, 60'000));
  return ms < 0 ? left_ms : std::min(ms, left_ms);
}

}  // namespace

Result<HookOutcome> supervise(SpawnedHook& hook, std::string_view input,
                              std::optional<std::chrono::milliseconds> timeout) {
  SigpipeGuard sigpipe;
  HookOutcome outcome;
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  std::size_t offset = 0;
  feed(hook.stdin_w, input, offset, sigpipe);

  for (;;) {
    if (auto status = TRY(hook.child.try_reap())) {
      outcome.status = *status;
      break;
    }
    if (deadline && Clock::now() >= *deadline) {
      hook.child.kill_and_reap();
      outcome.timed_out = true;
      break;
    }
    std::array<pollfd, 4> fds{};
    nfds_t n = 0;
    auto watch = [&](const UniqueFd& fd, short events) {
      if (fd) fds[n++] = pollfd{fd.get(), events, 0};
    };
    watch(hook.stdin_w, POLLOUT);
    watch(hook.stdout_r, POLLIN);
    watch(hook.stderr_r, POLLIN);
    int pidfd = hook.child.pidfd();
    if (pidfd >= 0) fds[n++] = pollfd{pidfd, POLLIN, 0};
    if (::poll(fds.data(), n, poll_timeout_ms(deadline, pidfd >= 0)) < 0 && errno != EINTR)
      return fail_errno("wait for hook");
    // Acting on every open stream (non-blocking) is simpler than matching revents.
    if (hook.stdin_w) feed(hook.stdin_w, input, offset, sigpipe);
    if (hook.stdout_r) collect(hook.stdout_r, outcome.out, kReadsPerWakeup);
    if (hook.stderr_r) collect(hook.stderr_r, outcome.err, kReadsPerWakeup);
  }
  // What the hook wrote before it ended is in the pipes; do not wait for EOF,
  // which a child the hook left running may hold off forever.
  if (hook.stdout_r) collect(hook.stdout_r, outcome.out, 128);
  if (hook.stderr_r) collect(hook.stderr_r, outcome.err, 128);
  return outcome;
}

}  // namespace nucleus::hooks::detail
