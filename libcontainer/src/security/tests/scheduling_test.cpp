#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "security/process_setup.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime, sched_deadline, sched_period;
  std::uint32_t sched_util_min, sched_util_max;
};

std::string sched_now() {
  SchedAttr attr{};
  if (::syscall(SYS_sched_getattr, 0, &attr, static_cast<unsigned>(sizeof attr), 0U) != 0)
    return "sched_getattr failed";
  return fmt::format("policy={} nice={} prio={} flags={:#x}", attr.sched_policy, attr.sched_nice,
                     attr.sched_priority, attr.sched_flags);
}

long ioprio_now() { return ::syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0); }

oci::Scheduler policy(std::string name) {
  oci::Scheduler s;
  s.policy = std::move(name);
  return s;
}

}  // namespace

TEST_CASE("oom_score_adj is written when set and left alone otherwise", "[security][oom]") {
  auto report = in_child([](int) {
    auto before = read_file("/proc/self/oom_score_adj");
    auto unset = apply_oom_score_adj(std::nullopt);
    auto same = read_file("/proc/self/oom_score_adj") == before;
    auto r = apply_oom_score_adj(500);
    return fmt::format("{} {} {} {}", outcome(unset), same, outcome(r),
                       read_file("/proc/self/oom_score_adj"));
  });
  CHECK(report == "ok true ok 500\n");
}

TEST_CASE("a negative oom_score_adj needs CAP_SYS_RESOURCE", "[security][oom]") {
  auto report = in_child([](int) {
    bool has_cap = ::prctl(PR_CAPBSET_READ, 24UL /* CAP_SYS_RESOURCE */, 0UL, 0UL, 0UL) == 1 &&
                   ::geteuid() == 0;
    auto r = apply_oom_score_adj(-500);
    if (has_cap) return fmt::format("{} {}", outcome(r), read_file("/proc/self/oom_score_adj"));
    return outcome(r);
  });
  // This project's CI host: root without CAP_SYS_RESOURCE in its bounding set.
  CHECK((report == "ok -500\n" || report == "set oom_score_adj to -500: permission denied"));
}

TEST_CASE("io priority is read back with ioprio_get", "[security][ioprio]") {
  auto report = in_child([](int) {
    auto r1 = apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_BE", 5});
    long be = ioprio_now();
    auto r2 = apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_IDLE", 0});
    long idle = ioprio_now();
    return fmt::format("{} {:#x} {} {:#x}", outcome(r1), be, outcome(r2), idle);
  });
  CHECK(report == fmt::format("ok {:#x} ok {:#x}", (2 << 13) | 5, 3 << 13));
  if (is_root()) {
    report = in_child([](int) {
      auto r = apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_RT", 3});
      return fmt::format("{} {:#x}", outcome(r), ioprio_now());
    });
    CHECK(report == fmt::format("ok {:#x}", (1 << 13) | 3));
  }
}

TEST_CASE("bad io priorities are errors naming them", "[security][ioprio]") {
  CHECK(outcome(apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_XX", 1})) ==
        "unknown I/O priority class \"IOPRIO_CLASS_XX\"");
  CHECK(outcome(apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_BE", 8})) ==
        "I/O priority 8 out of range 0-7");
  CHECK(outcome(apply_io_priority(std::nullopt)) == "ok");
}

TEST_CASE("scheduler policy and nice are read back with sched_getattr", "[security][sched]") {
  auto report = in_child([](int) {
    auto s = policy("SCHED_OTHER");
    s.nice = 5;
    auto r = apply_scheduler(s);
    return fmt::format("{} {}", outcome(r), sched_now());
  });
  CHECK(report == "ok policy=0 nice=5 prio=0 flags=0x0");

  report = in_child([](int) {
    auto s = policy("SCHED_BATCH");
    s.nice = 7;
    s.flags = {"SCHED_FLAG_RESET_ON_FORK"};
    auto r = apply_scheduler(s);
    return fmt::format("{} {}", outcome(r), sched_now());
  });
  CHECK(report == "ok policy=3 nice=7 prio=0 flags=0x1");

  report = in_child([](int) {
    auto r = apply_scheduler(policy("SCHED_IDLE"));
    return fmt::format("{} {}", outcome(r), sched_now());
  });
  CHECK(report == "ok policy=5 nice=0 prio=0 flags=0x0");
}

TEST_CASE("a scheduler the kernel refuses is an error naming the policy", "[security][sched]") {
  // Without CAP_SYS_NICE and with RLIMIT_RTPRIO 0, a real-time policy is EPERM.
  auto report = in_child([](int) {
    struct rlimit zero {};
    ::setrlimit(RLIMIT_RTPRIO, &zero);
    if (::geteuid() == 0 && ::setresuid(65534, 65534, 65534) != 0) return std::string("setresuid");
    auto s = policy("SCHED_FIFO");
    s.priority = 10;
    return outcome(apply_scheduler(s));
  });
  CHECK(report == "sched_setattr SCHED_FIFO: operation not permitted");

  report = in_child([](int) { return outcome(apply_scheduler(policy("SCHED_ISO"))); });
  CHECK(report == "sched_setattr SCHED_ISO: invalid argument");

  CHECK(outcome(apply_scheduler(policy("SCHED_NOPE"))) ==
        "unknown scheduler policy \"SCHED_NOPE\"");
  auto bad_flag = policy("SCHED_OTHER");
  bad_flag.flags = {"SCHED_FLAG_NOPE"};
  CHECK(outcome(apply_scheduler(bad_flag)) == "unknown scheduler flag \"SCHED_FLAG_NOPE\"");
  CHECK(outcome(apply_scheduler(std::nullopt)) == "ok");
}
