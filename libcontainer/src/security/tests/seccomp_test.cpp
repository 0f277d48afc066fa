#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "security/seccomp.hpp"
#include "state/console_socket.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

oci::Syscall rule(std::vector<std::string> names, std::string action,
                  std::optional<std::uint32_t> errno_ret = std::nullopt,
                  std::vector<oci::SyscallArg> args = {}) {
  return oci::Syscall{std::move(names), std::move(action), errno_ret, std::move(args)};
}

oci::Seccomp allow_all_but(std::vector<oci::Syscall> rules) {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = std::move(rules);
  return s;
}

std::string build_error(const oci::Seccomp& s) {
  auto f = build_seccomp_filter(s);
  return f ? "built" : f.error().what();
}

// errno of a call that failed, "ok" when it succeeded.
std::string result_of(long rc) { return rc < 0 ? fmt::format("errno {}", errno) : "ok"; }

// Builds and loads `s` in a child (with no_new_privs, so no privilege is
// needed), then reports `probe()`.
std::string under_filter(const oci::Seccomp& s, const std::function<std::string()>& probe) {
  return in_child([&](int) {
    auto f = build_seccomp_filter(s);
    if (!f) return "build: " + f.error().what();
    ::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL);
    if (auto r = f->load(); !r) return "load: " + r.error().what();
    return probe();
  });
}

}  // namespace

TEST_CASE("a valid profile builds", "[security][seccomp]") {
  oci::Seccomp s = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38),
                                  rule({"ptrace"}, "SCMP_ACT_KILL_PROCESS"),
                                  rule({"reboot"}, "SCMP_ACT_TRAP"),
                                  rule({"swapon"}, "SCMP_ACT_LOG"),
                                  rule({"acct"}, "SCMP_ACT_TRACE", 1),
                                  rule({"kexec_load"}, "SCMP_ACT_KILL_THREAD"),
                                  rule({"syslog"}, "SCMP_ACT_KILL")});
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"};
  CHECK(build_error(s) == "built");
}

TEST_CASE("bad profiles are errors naming the culprit", "[security][seccomp]") {
  CHECK(build_error(allow_all_but({rule({"mkdir"}, "SCMP_ACT_NOPE")})) ==
        "unknown seccomp action \"SCMP_ACT_NOPE\"");
  oci::Seccomp bad_default = allow_all_but({});
  bad_default.default_action = "ALLOW";
  CHECK(build_error(bad_default) == "unknown seccomp action \"ALLOW\"");
  oci::Seccomp arch = allow_all_but({});
  arch.architectures = {"SCMP_ARCH_VAX"};
  CHECK(build_error(arch) == "unknown seccomp architecture \"SCMP_ARCH_VAX\"");
  oci::Seccomp flag = allow_all_but({});
  flag.flags = {"SECCOMP_FILTER_FLAG_BOGUS"};
  CHECK(build_error(flag) == "unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\"");
  flag.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  CHECK_THAT(build_error(flag), Catch::Contains("\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\" is not supported by libseccomp"));
  oci::SyscallArg bad_op{0, 1, 0, "SCMP_CMP_APPROX"};
  CHECK(build_error(allow_all_but({rule({"mkdir"}, "SCMP_ACT_ERRNO", {}, {bad_op})})) ==
        "unknown seccomp operator \"SCMP_CMP_APPROX\"");
}

TEST_CASE("notify profiles runc refuses are refused in its words", "[security][seccomp]") {
  oci::Seccomp s = allow_all_but({rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  s.listener_path = "/run/agent.sock";
  CHECK(build_error(s) == "built");
  oci::Seccomp notify_default = s;
  notify_default.default_action = "SCMP_ACT_NOTIFY";
  CHECK(build_error(notify_default) == "SCMP_ACT_NOTIFY cannot be used as default action");
  oci::Seccomp notify_write = allow_all_but({rule({"mkdir", "write"}, "SCMP_ACT_NOTIFY")});
  notify_write.listener_path = s.listener_path;
  CHECK(build_error(notify_write) == "SCMP_ACT_NOTIFY cannot be used for the write syscall");
  // nucleus hands the listener over with sendmsg: notifying it would deadlock.
  oci::Seccomp notify_sendmsg = allow_all_but({rule({"sendmsg"}, "SCMP_ACT_NOTIFY")});
  notify_sendmsg.listener_path = s.listener_path;
  CHECK(build_error(notify_sendmsg) == "SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall");
  oci::Seccomp no_listener = allow_all_but({rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  CHECK_THAT(build_error(no_listener), Catch::StartsWith("linux.seccomp.listenerPath is not set"));
}

TEST_CASE("only notify rules make a listener; listenerPath alone is ignored", "[security][seccomp]") {
  oci::Seccomp listener_only = allow_all_but({rule({"mkdir"}, "SCMP_ACT_ERRNO")});
  listener_only.listener_path = "/run/agent.sock";
  auto plain = build_seccomp_filter(listener_only);
  REQUIRE(plain);
  CHECK_FALSE(plain->notifies());
  CHECK(plain->flags() == 0);
  oci::Seccomp notify = allow_all_but({rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  notify.listener_path = "/run/agent.sock";
  notify.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"};
  auto f = build_seccomp_filter(notify);
  REQUIRE(f);
  CHECK(f->notifies());
  // TSYNC with a listener needs TSYNC_ESRCH, or the kernel refuses the pair.
  CHECK(f->flags() == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
                       SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
}

TEST_CASE("the stage a filter is loaded at follows runc", "[security][seccomp]") {
  oci::Seccomp plain = allow_all_but({rule({"mkdir"}, "SCMP_ACT_ERRNO")});
  oci::Seccomp notify = allow_all_but({rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  notify.listener_path = "/run/agent.sock";
  auto p = build_seccomp_filter(plain);
  auto n = build_seccomp_filter(notify);
  REQUIRE((p && n));
  CHECK(p->stage(false) == SeccompStage::before_identity_switch);
  CHECK(n->stage(false) == SeccompStage::before_identity_switch);
  CHECK(p->stage(true) == SeccompStage::before_exec);
  CHECK(n->stage(true) == SeccompStage::before_ready);
  // At any other stage load_at does nothing.
  auto r = p->load_at(SeccompStage::before_ready, true);
  REQUIRE(r);
  CHECK_FALSE(r->valid());
  CHECK(status_field("Seccomp") == "0");
}

TEST_CASE("unknown syscall names and default-action rules are skipped", "[security][seccomp]") {
  // s390_pci_mmio_read: known to libseccomp, absent on x86.
  oci::Seccomp s = allow_all_but({rule({"no_such_syscall", "s390_pci_mmio_read", "mkdir"}, "SCMP_ACT_ERRNO"),
                                  rule({"getpid"}, "SCMP_ACT_ALLOW")});
  auto report = under_filter(s, [] {
    return fmt::format("{} {}", result_of(::mkdir("/nonexistent-dir/x", 0700)), result_of(::getpid()));
  });
  CHECK(report == fmt::format("errno {} ok", EPERM));
}

TEST_CASE("a loaded filter answers with errnoRet and allows the rest", "[security][seccomp]") {
  TempDir dir;
  oci::Seccomp s = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38)});
  auto report = under_filter(s, [&] {
    std::string p = dir.path() + "/x";
    return fmt::format("mkdir={} getpid={} seccomp={}", result_of(::mkdir(p.c_str(), 0700)),
                       result_of(::getpid()), status_field("Seccomp"));
  });
  CHECK(report == "mkdir=errno 38 getpid=ok seccomp=2");
}

TEST_CASE("defaultAction ERRNO with defaultErrnoRet and an allowlist", "[security][seccomp]") {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = ENOTSUP;
  // Enough for the probe, the report and the child's exit (getppid() cannot
  // fail in libc: it is probed by syscall(2), which sets errno).
  s.syscalls = {rule({"getpid", "write", "exit_group", "exit", "brk", "mmap", "munmap", "futex"},
                     "SCMP_ACT_ALLOW")};
  auto report = under_filter(s, [] {
    return fmt::format("getpid={} getppid={}", result_of(::getpid()), result_of(::syscall(SYS_getppid)));
  });
  CHECK(report == fmt::format("getpid=ok getppid=errno {}", ENOTSUP));
}

TEST_CASE("argument conditions: AND on different args, OR on the same one", "[security][seccomp]") {
  // personality(0xffffffff) only queries; block exactly that value.
  oci::SyscallArg query{0, 0xffffffff, 0, "SCMP_CMP_EQ"};
  // socket(AF_INET, SOCK_DGRAM, *) refused: two args ANDed.
  oci::SyscallArg inet{0, AF_INET, 0, "SCMP_CMP_EQ"};
  oci::SyscallArg dgram{1, 0xf, SOCK_DGRAM, "SCMP_CMP_MASKED_EQ"};
  // unshare(CLONE_NEWUTS) or unshare(CLONE_NEWIPC): two conditions on arg 0, ORed.
  oci::SyscallArg uts{0, CLONE_NEWUTS, 0, "SCMP_CMP_EQ"};
  oci::SyscallArg ipc{0, CLONE_NEWIPC, 0, "SCMP_CMP_EQ"};
  oci::Seccomp s = allow_all_but({rule({"personality"}, "SCMP_ACT_ERRNO", 22, {query}),
                                  rule({"socket"}, "SCMP_ACT_ERRNO", 13, {inet, dgram}),
                                  rule({"unshare"}, "SCMP_ACT_ERRNO", 95, {uts, ipc})});
  auto report = under_filter(s, [] {
    auto sock = [](int family, int type) {
      int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
      if (fd >= 0) ::close(fd);
      return result_of(fd);
    };
    return fmt::format("pers_query={} pers_get={} inet_dgram={} inet_stream={} unix_dgram={} "
                       "uts={} ipc={} files={}",
                       result_of(::personality(0xffffffff)), result_of(::personality(PER_LINUX)),
                       sock(AF_INET, SOCK_DGRAM), sock(AF_INET, SOCK_STREAM), sock(AF_UNIX, SOCK_DGRAM),
                       result_of(::unshare(CLONE_NEWUTS)), result_of(::unshare(CLONE_NEWIPC)),
                       result_of(::unshare(CLONE_FILES)));
  });
  CHECK(report == "pers_query=errno 22 pers_get=ok inet_dgram=errno 13 inet_stream=ok unix_dgram=ok "
                  "uts=errno 95 ipc=errno 95 files=ok");
}

TEST_CASE("without no_new_privs a filter loads only with CAP_SYS_ADMIN, and leaves the bit alone",
          "[security][seccomp]") {
  if (!is_root()) return;  // needs CAP_SYS_ADMIN
  auto report = in_child([](int) {
    auto f = build_seccomp_filter(allow_all_but({rule({"getppid"}, "SCMP_ACT_ERRNO", 5)}));
    if (!f) return f.error().what();
    auto r = f->load();
    return fmt::format("{} nnp={} getppid={}", outcome(r), ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
                       result_of(::syscall(SYS_getppid)));
  });
  CHECK(report == "ok nnp=0 getppid=errno 5");
}

namespace {

// A process under a notify filter on mkdir, and what an agent holding the
// listener sees: the child hands the fd over (on a socketpair), then calls
// mkdir, which waits for the answer.
struct NotifyOutcome {
  int nr = -1;           // the syscall the agent was asked about
  std::string child;     // what the child saw
};

NotifyOutcome notify_mkdir_answered_with_success(const std::string& dir) {
  oci::Seccomp s = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY")});
  s.listener_path = "/unused";
  auto f = build_seccomp_filter(s);
  REQUIRE(f);
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL);
    auto listener = f->load();
    if (!listener || !listener->valid() || !send_fd(sv[1], listener->get(), "listener")) ::_exit(1);
    std::string path = dir + "/x";
    char report[2] = {::mkdir(path.c_str(), 0700) == 0 ? 'Y' : 'N', ::access(path.c_str(), F_OK) == 0 ? 'Y' : 'N'};
    ::_exit(::write(sv[1], report, sizeof report) == 2 ? 0 : 1);
  }
  ::close(sv[1]);
  NotifyOutcome out;
  if (auto listener = recv_fd(sv[0])) {
    seccomp_notif req{};
    if (::ioctl(listener->get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
      out.nr = req.data.nr;
      seccomp_notif_resp resp{};
      resp.id = req.id;  // val 0, error 0: "success", nothing done
      ::ioctl(listener->get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
  }
  char report[2] = {};
  if (::read(sv[0], report, sizeof report) == 2) out.child = fmt::format("made={} exists={}", report[0], report[1]);
  ::close(sv[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

}  // namespace

TEST_CASE("a notify filter's listener lets an agent answer for the process", "[security][seccomp]") {
  TempDir dir;
  NotifyOutcome o = notify_mkdir_answered_with_success(dir.path());
  CHECK((o.nr == ::seccomp_syscall_resolve_name("mkdir") || o.nr == ::seccomp_syscall_resolve_name("mkdirat")));
  CHECK(o.child == "made=Y exists=N");
}

TEST_CASE("-ENOSYS for syscalls newer than the profile, as runc", "[security][seccomp]") {
  if (::seccomp_arch_native() != SCMP_ARCH_X86_64) return;  // the numbers below are x86-64's
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  // Enough for the probe, the report and the exit; the highest is exit_group (231).
  s.syscalls = {rule({"getpid", "write", "exit_group", "exit", "brk", "mmap", "munmap", "futex"},
                     "SCMP_ACT_ALLOW")};
  auto probe = [] {
    return fmt::format("getppid={} clone3={} faccessat2={} 1000={}", result_of(::syscall(SYS_getppid)),
                       result_of(::syscall(435, nullptr, 0)), result_of(::syscall(439, -1, "", 0, 0)),
                       result_of(::syscall(1000)));
  };
  // No architectures listed: no stub (runc's rule), the default action for all.
  CHECK(under_filter(s, probe) ==
        fmt::format("getppid=errno {0} clone3=errno {0} faccessat2=errno {0} 1000=errno {0}", EPERM));
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  CHECK(under_filter(s, probe) ==
        fmt::format("getppid=errno {0} clone3=errno {1} faccessat2=errno {1} 1000=errno {1}", EPERM, ENOSYS));
  // Any rule names a syscall as known, whatever its action.
  s.syscalls.push_back(rule({"openat2"}, "SCMP_ACT_ERRNO", EACCES));  // 437
  CHECK(under_filter(s, probe) ==
        fmt::format("getppid=errno {0} clone3=errno {0} faccessat2=errno {1} 1000=errno {1}", EPERM, ENOSYS));
  // A default that lets syscalls through gets no stub.
  s.default_action = "SCMP_ACT_LOG";
  CHECK_THAT(under_filter(s, probe), Catch::StartsWith(fmt::format("getppid=ok clone3=errno {} ", EINVAL)));
}
