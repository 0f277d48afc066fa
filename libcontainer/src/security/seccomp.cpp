// linux.seccomp -> libseccomp: actions, architectures, argument conditions and
// flags of the OCI profile, mapped one to one.
#include "security/seccomp.hpp"

#include <seccomp.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "nucleus/log.hpp"

namespace nucleus {

namespace {

scmp_filter_ctx ctx_of(const SeccompFilter& f) { return static_cast<scmp_filter_ctx>(f.get()); }

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
  // Notify needs the listener fd handed to listenerPath, which nucleus does
  // not do yet: refuse rather than run the container with a half filter.
  if (name == "SCMP_ACT_NOTIFY")
    return fail("linux.seccomp.listenerPath: seccomp notify (SCMP_ACT_NOTIFY) is not supported");
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

Result<void> add_architectures(const SeccompFilter& f, const std::vector<std::string>& archs) {
  for (const auto& name : archs) {
    std::uint32_t token = arch_token(name);
    if (token == 0) return fail(fmt::format("unknown seccomp architecture \"{}\"", name));
    int rc = ::seccomp_arch_add(ctx_of(f), token);
    if (rc != 0 && rc != -EEXIST) return fail_scmp(fmt::format("add seccomp architecture {}", name), rc);
  }
  return {};
}

// WAIT_KILLABLE_RECV needs libseccomp 2.6 (SCMP_FLTATR_CTL_WAITKILL).
Result<void> set_flag(const SeccompFilter& f, std::string_view flag) {
  scmp_filter_attr attr;
  if (flag == "SECCOMP_FILTER_FLAG_TSYNC") attr = SCMP_FLTATR_CTL_TSYNC;
  else if (flag == "SECCOMP_FILTER_FLAG_LOG") attr = SCMP_FLTATR_CTL_LOG;
  else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") attr = SCMP_FLTATR_CTL_SSB;
  else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
    return fail(fmt::format("seccomp flag \"{}\" is not supported by libseccomp {}.{}.{}", flag,
                            SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO));
  else return fail(fmt::format("unknown seccomp flag \"{}\"", flag));
  int rc = ::seccomp_attr_set(ctx_of(f), attr, 1);
  if (rc != 0) return fail_scmp(fmt::format("set seccomp flag {}", flag), rc);
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

Result<void> add_rule(const SeccompFilter& f, std::uint32_t action, const std::string& name,
                      const std::vector<scmp_arg_cmp>& conds) {
  int nr = ::seccomp_syscall_resolve_name(name.c_str());
  if (nr == __NR_SCMP_ERROR) {
    log::debug("seccomp: syscall \"{}\" is unknown to libseccomp on this arch, skipped", name);
    return {};
  }
  auto add = [&](const scmp_arg_cmp* c, unsigned n) -> Result<void> {
    int rc = ::seccomp_rule_add_array(ctx_of(f), action, nr, n, c);
    if (rc != 0) return fail_scmp(fmt::format("add seccomp rule for syscall \"{}\"", name), rc);
    return {};
  };
  if (!has_repeated_index(conds)) return add(conds.data(), static_cast<unsigned>(conds.size()));
  // libseccomp refuses two conditions on one argument: one rule each (runc).
  for (const auto& c : conds) TRY_VOID(add(&c, 1));
  return {};
}

Result<void> add_syscall_rules(const SeccompFilter& f, const oci::Syscall& rule,
                               std::uint32_t default_action) {
  std::uint32_t action = TRY(action_from_name(rule.action, rule.errno_ret));
  if (action == default_action) {
    log::debug("seccomp: a rule with the default action {} skipped", rule.action);
    return {};
  }
  auto conds = TRY(conditions_of(rule));
  for (const auto& name : rule.names) TRY_VOID(add_rule(f, action, name, conds));
  return {};
}

}  // namespace

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& o) noexcept {
  if (this != &o) {
    if (ctx_) ::seccomp_release(static_cast<scmp_filter_ctx>(ctx_));
    ctx_ = o.ctx_;
    o.ctx_ = nullptr;
  }
  return *this;
}

SeccompFilter::~SeccompFilter() {
  if (ctx_) ::seccomp_release(static_cast<scmp_filter_ctx>(ctx_));
}

Result<void> SeccompFilter::load() const {
  if (!ctx_) return {};
  int rc = ::seccomp_load(ctx_of(*this));
  if (rc != 0) return fail_scmp("load seccomp filter", rc);
  return {};
}

Result<void> SeccompFilter::load_at(SeccompStage stage, bool no_new_privileges) const {
  SeccompStage due = no_new_privileges ? SeccompStage::before_exec : SeccompStage::before_identity_switch;
  return stage == due ? load() : Result<void>{};
}

Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& profile) {
  if (!profile.listener_path.empty())
    return fail("linux.seccomp.listenerPath: seccomp notify is not supported");
  std::uint32_t default_action = TRY(action_from_name(profile.default_action, profile.default_errno_ret));
  SeccompFilter filter(::seccomp_init(default_action));
  if (filter.empty()) return fail(fmt::format("create seccomp filter (default action {})", profile.default_action));
  // no_new_privs is process.noNewPrivileges' business, not the filter's.
  if (int rc = ::seccomp_attr_set(ctx_of(filter), SCMP_FLTATR_CTL_NNP, 0); rc != 0)
    return fail_scmp("clear the seccomp no_new_privs attribute", rc);
  TRY_VOID(add_architectures(filter, profile.architectures));
  for (const auto& flag : profile.flags) TRY_VOID(set_flag(filter, flag));
  for (const auto& rule : profile.syscalls) TRY_VOID(add_syscall_rules(filter, rule, default_action));
  return filter;
}

}  // namespace nucleus
