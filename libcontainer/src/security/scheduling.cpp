// process.oomScoreAdj, process.ioPriority and process.scheduler.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "nucleus/unique_fd.hpp"
#include "security/process_setup.hpp"

namespace nucleus {
namespace {

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

template <typename T, std::size_t N>
std::optional<T> lookup(const std::array<Named<T>, N>& table, std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

// <linux/ioprio.h> values; glibc has no wrapper.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
constexpr std::array<Named<int>, 3> kIoClasses{{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

// struct sched_attr of sched_setattr(2) (SCHED_ATTR_SIZE_VER1); glibc 2.36
// has no wrapper and <linux/sched/types.h> clashes with <sched.h>.
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
  std::uint32_t sched_util_min;
  std::uint32_t sched_util_max;
};
static_assert(sizeof(SchedAttr) == 56);

constexpr std::array<Named<std::uint32_t>, 7> kPolicies{{
    {"SCHED_OTHER", 0},
    {"SCHED_FIFO", 1},
    {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},  // reserved, the kernel refuses it
    {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6},
}};
constexpr std::array<Named<std::uint64_t>, 7> kSchedFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

Result<SchedAttr> to_sched_attr(const oci::Scheduler& s) {
  auto policy = lookup(kPolicies, s.policy);
  if (!policy) return fail(fmt::format("unknown scheduler policy \"{}\"", s.policy));
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = *policy;
  for (const auto& name : s.flags) {
    auto flag = lookup(kSchedFlags, name);
    if (!flag) return fail(fmt::format("unknown scheduler flag \"{}\"", name));
    attr.sched_flags |= *flag;
  }
  attr.sched_nice = s.nice.value_or(0);
  if (s.priority.value_or(0) < 0)
    return fail(fmt::format("scheduler priority {} is negative", *s.priority));
  attr.sched_priority = static_cast<std::uint32_t>(s.priority.value_or(0));
  attr.sched_runtime = s.runtime.value_or(0);
  attr.sched_deadline = s.deadline.value_or(0);
  attr.sched_period = s.period.value_or(0);
  // The UTIL_CLAMP flags need values the spec does not carry: leave the
  // clamps at their widest, so the flags reset them rather than guess.
  attr.sched_util_max = 1024;
  return attr;
}

}  // namespace

Result<void> apply_oom_score_adj(std::optional<int> adj, pid_t pid) {
  if (!adj) return {};
  std::string path = pid > 0 ? fmt::format("/proc/{}/oom_score_adj", pid) : "/proc/self/oom_score_adj";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", path));
  std::string text = std::to_string(*adj);
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  // Lowering it below the current minimum needs CAP_SYS_RESOURCE (EACCES).
  if (n != static_cast<ssize_t>(text.size()))
    return fail_errno(fmt::format("set oom_score_adj to {}", *adj), n < 0 ? errno : EIO);
  return {};
}

Result<void> apply_io_priority(const std::optional<oci::IoPriority>& prio) {
  if (!prio) return {};
  auto cls = lookup(kIoClasses, prio->io_class);
  if (!cls) return fail(fmt::format("unknown I/O priority class \"{}\"", prio->io_class));
  if (prio->priority < 0 || prio->priority > 7)
    return fail(fmt::format("I/O priority {} out of range 0-7", prio->priority));
  int value = (*cls << kIoprioClassShift) | prio->priority;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, value) != 0)
    return fail_errno(fmt::format("ioprio_set {} {}", prio->io_class, prio->priority));
  return {};
}

Result<void> apply_scheduler(const std::optional<oci::Scheduler>& sched) {
  if (!sched) return {};
  SchedAttr attr = TRY(to_sched_attr(*sched));
  if (::syscall(SYS_sched_setattr, 0, &attr, 0U) != 0)
    return fail_errno(fmt::format("sched_setattr {}", sched->policy));
  return {};
}

}  // namespace nucleus
