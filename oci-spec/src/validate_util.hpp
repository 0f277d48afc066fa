// Shared pieces of the semantic validation: the spec's name lists and small
// checks that report the JSON path of the offending value.
#pragma once

#include <algorithm>
#include <span>
#include <string_view>

#include "codec.hpp"
#include "nucleus/error.hpp"  // TRY_VOID

namespace oci::detail {

using Names = std::span<const std::string_view>;

inline constexpr std::string_view kSeccompActions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
inline constexpr std::string_view kSeccompArchs[] = {
    "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",        "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",      "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",       "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",          "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64"};
inline constexpr std::string_view kSeccompFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
inline constexpr std::string_view kSeccompOperators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
inline constexpr std::string_view kRlimits[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",    "RLIMIT_DATA",       "RLIMIT_FSIZE",
    "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",  "RLIMIT_RSS",    "RLIMIT_RTPRIO", "RLIMIT_RTTIME",     "RLIMIT_SIGPENDING",
    "RLIMIT_STACK"};
inline constexpr std::string_view kIoPriorityClasses[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                          "IOPRIO_CLASS_IDLE"};
inline constexpr std::string_view kSchedulerPolicies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
    "SCHED_DEADLINE"};
inline constexpr std::string_view kSchedulerFlags[] = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",
    "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX"};
// The spec lists the first four; runc (and so its callers) also use the r* forms.
inline constexpr std::string_view kPropagations[] = {"private",  "shared",  "slave",  "unbindable",
                                                     "rprivate", "rshared", "rslave", "runbindable"};
inline constexpr std::string_view kPersonalityDomains[] = {"LINUX", "LINUX32"};
inline constexpr std::string_view kMemoryPolicyModes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};
inline constexpr std::string_view kMemoryPolicyFlags[] = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};
inline constexpr std::string_view kDeviceTypes[] = {"c", "b", "u", "p"};
inline constexpr std::string_view kCgroupDeviceTypes[] = {"a", "c", "b"};
inline constexpr std::string_view kClocks[] = {"monotonic", "boottime"};

inline bool contains(Names names, std::string_view v) {
  return std::find(names.begin(), names.end(), v) != names.end();
}

inline std::string quote(std::string_view s) { return json::write(json::Value(s)); }

// `unknown seccomp action "X"`
inline Status check_name(const Path& p, std::string_view v, Names known, std::string_view what) {
  if (contains(known, v)) return {};
  return fail_at(p, fmt::format("unknown {} {}", what, quote(v)));
}

inline Status check_names(const Path& p, const std::vector<std::string>& vs, Names known,
                          std::string_view what) {
  for (std::size_t i = 0; i < vs.size(); ++i) TRY_VOID(check_name(p.at(i), vs[i], known, what));
  return {};
}

// A network device name as the kernel accepts it (dev_valid_name).
inline bool valid_ifname(std::string_view n) {
  return !n.empty() && n.size() < 16 && n != "." && n != ".." &&
         n.find_first_of("/: \t\n") == std::string_view::npos;
}

inline Status check_absolute(const Path& p, std::string_view v) {
  if (v.starts_with('/')) return {};
  return fail_at(p, fmt::format("must be an absolute path, got {}", quote(v)));
}

inline Status check_absolute_all(const Path& p, const std::vector<std::string>& vs) {
  for (std::size_t i = 0; i < vs.size(); ++i) TRY_VOID(check_absolute(p.at(i), vs[i]));
  return {};
}

inline Status check_no_empty_key(const Path& p, const StringMap& m) {
  if (m.contains("")) return fail_at(p.child(""), "keys must not be empty");
  return {};
}

// The Linux section (validate_linux.cpp).
Status validate_linux(const Config& c, const Path& p);

}  // namespace oci::detail
