// linux.seccomp -> libseccomp: actions, architectures, argument conditions and
// flags of the OCI profile, mapped one to one; then the program libseccomp
// generates, with runc's -ENOSYS stub in front, loaded with seccomp(2).
#include "security/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "nucleus/log.hpp"
#include "security/seccomp_enosys.hpp"

namespace nucleus {

namespace {

// A libseccomp context, released on destruction.
using Context = std::unique_ptr<void, decltype(&::seccomp_release)>;

// libseccomp returns -errno.
std::unexpected<Error> fail_scmp(std::string what, int rc) { return fail_errno(std::move(what), -rc); }

Result<std::uint32_t> action_from_name(std::string_view name, std::optional<std::uint32_t> errno_ret) {
  const std::uint32_t ret = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL") return SCMP_ACT_KILL;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(ret);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(ret);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return fail(fmt::format("unknown seccomp action \"{}\"", name));
}

Result<scmp_compare> operator_from_name(std::string_view name) {
  if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return fail(fmt::format("unknown seccomp operator \"{}\"", name));
}

// "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown to it.
std::uint32_t arch_token(std::string_view name) {
  constexpr std::string_view prefix = "SCMP_ARCH_";
  if (!name.starts_with(prefix)) return 0;
  std::string lower;
  for (char c : name.substr(prefix.size()))
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return ::seccomp_arch_resolve_name(lower.c_str());
}

// The libseccomp tokens of `archs`.
Result<std::vector<std::uint32_t>> architecture_tokens(const std::vector<std::string>& archs) {
  std::vector<std::uint32_t> tokens;
  for (const auto& name : archs) {
    std::uint32_t token = arch_token(name);
    if (token == 0) return fail(fmt::format("unknown seccomp architecture \"{}\"", name));
    tokens.push_back(token);
  }
  return tokens;
}

// `tokens` are those of `names`, in order.
Result<void> add_architectures(const Context& ctx, const std::vector<std::string>& names,
                               const std::vector<std::uint32_t>& tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    int rc = ::seccomp_arch_add(ctx.get(), tokens[i]);
    if (rc != 0 && rc != -EEXIST) return fail_scmp(fmt::format("add seccomp architecture {}", names[i]), rc);
  }
  return {};
}

// The seccomp(2) flag for a profile flag. WAIT_KILLABLE_RECV is refused, as
// the libseccomp 2.5 this was written against had no notion of it.
Result<unsigned> filter_flag(std::string_view flag) {
  if (flag == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
  if (flag == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
  if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
    return fail(fmt::format("seccomp flag \"{}\" is not supported by libseccomp {}.{}.{}", flag,
                            SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO));
  return fail(fmt::format("unknown seccomp flag \"{}\"", flag));
}

bool has_notify_rules(const oci::Seccomp& profile) {
  return std::any_of(profile.syscalls.begin(), profile.syscalls.end(),
                     [](const oci::Syscall& r) { return r.action == "SCMP_ACT_NOTIFY"; });
}

Result<unsigned> filter_flags(const oci::Seccomp& profile) {
  unsigned flags = 0;
  for (const auto& flag : profile.flags) flags |= TRY(filter_flag(flag));
  if (has_notify_rules(profile)) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel takes TSYNC with a listener only if told how to fail (5.7+).
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  return flags;
}

// runc's refusals, in its words. A process blocked in a notified syscall
// waits for the agent, which gets the listener only once the child has handed
// it over: the syscall doing that must not be notified. runc passes the fd
// number with write(2); nucleus passes the fd itself with sendmsg(2) on its
// sync channel, so sendmsg is refused too (the syscalls after it, the
// runtime's ack and close(2), may be notified: the agent has the fd by then).
Result<void> check_notify_rules(const oci::Seccomp& profile) {
  if (profile.default_action == "SCMP_ACT_NOTIFY")
    return fail("SCMP_ACT_NOTIFY cannot be used as default action");
  for (const auto& rule : profile.syscalls) {
    if (rule.action != "SCMP_ACT_NOTIFY") continue;
    for (const char* handover : {"write", "sendmsg"}) {
      if (std::find(rule.names.begin(), rule.names.end(), handover) != rule.names.end())
        return fail(fmt::format("SCMP_ACT_NOTIFY cannot be used for the {} syscall", handover));
    }
  }
  if (!has_notify_rules(profile)) return {};
  if (profile.listener_path.empty())
    return fail("linux.seccomp.listenerPath is not set: SCMP_ACT_NOTIFY needs a seccomp agent");
  // Level 6: the kernel has SECCOMP_USER_NOTIF_FLAG_CONTINUE and TSYNC_ESRCH.
  if (int level = static_cast<int>(::seccomp_api_get()); level < 6)
    return fail(fmt::format("seccomp notify unsupported: API level: got {}, want at least 6. "
                            "Please try with libseccomp >= 2.5.0 and Linux >= 5.7", level));
  return {};
}

Result<std::vector<scmp_arg_cmp>> conditions_of(const oci::Syscall& rule) {
  std::vector<scmp_arg_cmp> conds;
  for (const auto& a : rule.args) {
    scmp_compare op = TRY(operator_from_name(a.op));
    // MASKED_EQ: (arg & value) == valueTwo; the others compare with value.
    conds.push_back(scmp_arg_cmp{a.index, op, a.value, a.value_two});
  }
  return conds;
}

bool has_repeated_index(const std::vector<scmp_arg_cmp>& conds) {
  for (std::size_t i = 0; i < conds.size(); ++i)
    for (std::size_t j = i + 1; j < conds.size(); ++j)
      if (conds[i].arg == conds[j].arg) return true;
  return false;
}

Result<void> add_rule(const Context& ctx, std::uint32_t action, const std::string& name,
                      const std::vector<scmp_arg_cmp>& conds) {
  int nr = ::seccomp_syscall_resolve_name(name.c_str());
  if (nr == __NR_SCMP_ERROR) {
    log::debug("seccomp: syscall \"{}\" is unknown to libseccomp on this arch, skipped", name);
    return {};
  }
  auto add = [&](const scmp_arg_cmp* c, unsigned n) -> Result<void> {
    int rc = ::seccomp_rule_add_array(ctx.get(), action, nr, n, c);
    if (rc != 0) return fail_scmp(fmt::format("add seccomp rule for syscall \"{}\"", name), rc);
    return {};
  };
  if (!has_repeated_index(conds)) return add(conds.data(), static_cast<unsigned>(conds.size()));
  // libseccomp refuses two conditions on one argument: one rule each (runc).
  for (const auto& c : conds) TRY_VOID(add(&c, 1));
  return {};
}

Result<void> add_syscall_rules(const Context& ctx, const oci::Syscall& rule,
                               std::uint32_t default_action) {
  std::uint32_t action = TRY(action_from_name(rule.action, rule.errno_ret));
  if (action == default_action) {
    log::debug("seccomp: a rule with the default action {} skipped", rule.action);
    return {};
  }
  auto conds = TRY(conditions_of(rule));
  for (const auto& name : rule.names) TRY_VOID(add_rule(ctx, action, name, conds));
  return {};
}

// The libseccomp context for `profile`, every rule added.
Result<Context> build_context(const oci::Seccomp& profile, const std::vector<std::uint32_t>& archs) {
  std::uint32_t default_action = TRY(action_from_name(profile.default_action, profile.default_errno_ret));
  Context ctx(::seccomp_init(default_action), &::seccomp_release);
  if (!ctx) return fail(fmt::format("create seccomp filter (default action {})", profile.default_action));
  TRY_VOID(add_architectures(ctx, profile.architectures, archs));
  for (const auto& rule : profile.syscalls) TRY_VOID(add_syscall_rules(ctx, rule, default_action));
  return ctx;
}

// libseccomp 2.5 writes its program only to an fd: a memfd, read back whole.
Result<std::vector<sock_filter>> export_program(const Context& ctx) {
  UniqueFd mem(::memfd_create("nucleus-seccomp-bpf", MFD_CLOEXEC));
  if (!mem) return fail_errno("create a memfd for the seccomp program");
  if (int rc = ::seccomp_export_bpf(ctx.get(), mem.get()); rc != 0)
    return fail_scmp("export the seccomp program", rc);
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size < 0) return fail_errno("size the exported seccomp program");
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  auto* bytes = reinterpret_cast<char*>(program.data());
  std::size_t want = program.size() * sizeof(sock_filter);
  for (std::size_t done = 0; done < want;) {
    ssize_t n = ::pread(mem.get(), bytes + done, want - done, static_cast<off_t>(done));
    if (n <= 0) return fail_errno("read the exported seccomp program", n == 0 ? EIO : errno);
    done += static_cast<std::size_t>(n);
  }
  return program;
}

Result<std::vector<sock_filter>> with_enosys_stub(const oci::Seccomp& profile,
                                                  const std::vector<std::uint32_t>& archs,
                                                  std::vector<sock_filter> program) {
  if (!wants_enosys_stub(profile.default_action)) return program;
  std::vector<sock_filter> stub = TRY(enosys_stub(last_syscalls(archs, profile.syscalls)));
  // The stub falls through to its end: the first instruction of `program`.
  stub.insert(stub.end(), program.begin(), program.end());
  return stub;
}

}  // namespace

bool SeccompFilter::notifies() const { return (flags_ & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0; }

Result<UniqueFd> SeccompFilter::load() const {
  if (empty()) return UniqueFd();
  sock_fprog prog{static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())};
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags_, &prog);
  if (rc < 0) return fail_errno("load seccomp filter");
  return UniqueFd(notifies() ? static_cast<int>(rc) : -1);
}

SeccompStage SeccompFilter::stage(bool no_new_privileges) const {
  if (!no_new_privileges) return SeccompStage::before_identity_switch;
  return notifies() ? SeccompStage::before_ready : SeccompStage::before_exec;
}

Result<UniqueFd> SeccompFilter::load_at(SeccompStage at, bool no_new_privileges) const {
  return at == stage(no_new_privileges) ? load() : UniqueFd();
}

Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& profile) {
  TRY_VOID(check_notify_rules(profile));
  unsigned flags = TRY(filter_flags(profile));
  std::vector<std::uint32_t> archs = TRY(architecture_tokens(profile.architectures));
  Context ctx = TRY(build_context(profile, archs));
  std::vector<sock_filter> program = TRY(export_program(ctx));
  program = TRY(with_enosys_stub(profile, archs, std::move(program)));
  if (program.size() > BPF_MAXINSNS)
    return fail(fmt::format("seccomp program of {} instructions is over the kernel's limit of {}",
                            program.size(), BPF_MAXINSNS));
  return SeccompFilter(std::move(program), flags);
}

}  // namespace nucleus
