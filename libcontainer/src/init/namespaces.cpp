#include "init/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

constexpr int kCloneOnly = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
                           CLONE_NEWUTS | CLONE_NEWPID;

int clone_flag(oci::NamespaceType t) {
  using T = oci::NamespaceType;
  switch (t) {
    case T::pid: return CLONE_NEWPID;
    case T::network: return CLONE_NEWNET;
    case T::mount: return CLONE_NEWNS;
    case T::ipc: return CLONE_NEWIPC;
    case T::uts: return CLONE_NEWUTS;
    case T::user: return CLONE_NEWUSER;
    case T::cgroup: return CLONE_NEWCGROUP;
    case T::time: return CLONE_NEWTIME;
  }
  return 0;
}

// setns order: the user namespace first (it grants the capabilities over the
// namespaces it owns), the mount namespace last.
int join_rank(oci::NamespaceType t) {
  using T = oci::NamespaceType;
  switch (t) {
    case T::user: return 0;
    case T::ipc: return 1;
    case T::uts: return 2;
    case T::network: return 3;
    case T::cgroup: return 4;
    case T::time: return 5;
    case T::pid: return 6;
    case T::mount: return 7;
  }
  return 8;
}

Result<UniqueFd> open_namespace(const oci::Namespace& ns) {
  std::string_view name = oci::namespace_type_name(ns.type);
  UniqueFd fd(::open(ns.path->c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {} namespace path \"{}\"", name, *ns.path));
  int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
  if (type < 0)
    return fail_errno(fmt::format("namespace path \"{}\" is not a namespace", *ns.path));
  if (type != clone_flag(ns.type))
    return fail(fmt::format("namespace path \"{}\" is not a {} namespace", *ns.path, name));
  return fd;
}

}  // namespace

bool NamespacePlan::new_user() const {
  return ((clone_flags | static_cast<std::uint64_t>(unshare_flags)) & CLONE_NEWUSER) != 0;
}
bool NamespacePlan::in_user_namespace() const {
  return new_user() || std::any_of(joins.begin(), joins.end(), [](const NamespaceJoin& j) {
           return j.type == oci::NamespaceType::user;
         });
}
bool NamespacePlan::new_mount() const {
  return ((clone_flags | static_cast<std::uint64_t>(unshare_flags)) & CLONE_NEWNS) != 0;
}
bool NamespacePlan::new_network() const {
  return ((clone_flags | static_cast<std::uint64_t>(unshare_flags)) & CLONE_NEWNET) != 0;
}
bool NamespacePlan::new_pid() const {
  return ((clone_flags | static_cast<std::uint64_t>(unshare_flags)) & CLONE_NEWPID) != 0;
}
bool NamespacePlan::has_mount_namespace() const {
  return new_mount() || std::any_of(joins.begin(), joins.end(), [](const NamespaceJoin& j) {
           return j.type == oci::NamespaceType::mount;
         });
}

Result<NamespacePlan> plan_namespaces(const oci::Linux* linux) {
  NamespacePlan plan;
  if (!linux) return plan;
  int fresh = 0;
  bool join_user = false, join_other = false;
  for (const auto& ns : linux->namespaces) {
    if (!ns.path || ns.path->empty()) {
      fresh |= clone_flag(ns.type);
      continue;
    }
    UniqueFd fd = TRY(open_namespace(ns));
    if (ns.type == oci::NamespaceType::pid) {
      plan.pid_join = std::move(fd);
      continue;
    }
    (ns.type == oci::NamespaceType::user ? join_user : join_other) = true;
    plan.joins.push_back({ns.type, *ns.path, std::move(fd)});
  }
  std::stable_sort(plan.joins.begin(), plan.joins.end(),
                   [](const NamespaceJoin& a, const NamespaceJoin& b) {
                     return join_rank(a.type) < join_rank(b.type);
                   });
  if (join_user || ((fresh & CLONE_NEWUSER) && join_other)) {
    plan.unshare_flags = fresh & kCloneOnly;
    plan.fork_init = (fresh & CLONE_NEWPID) != 0;
  } else {
    plan.clone_flags = static_cast<std::uint64_t>(fresh & kCloneOnly);
  }
  plan.new_cgroup = (fresh & CLONE_NEWCGROUP) != 0;
  plan.new_time = (fresh & CLONE_NEWTIME) != 0;
  return plan;
}

Result<PidForChildren> PidForChildren::enter(int pid_ns) {
  UniqueFd own(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
  if (!own) return fail_errno("open /proc/self/ns/pid");
  if (::setns(pid_ns, CLONE_NEWPID) != 0) return fail_errno("join pid namespace");
  return PidForChildren(std::move(own));
}

PidForChildren::~PidForChildren() {
  if (own_) (void)::setns(own_.get(), CLONE_NEWPID);
}

Result<void> join_namespaces(const NamespacePlan& plan) {
  for (const auto& j : plan.joins) {
    if (::setns(j.fd.get(), clone_flag(j.type)) != 0)
      return fail_errno(fmt::format("join {} namespace \"{}\"", oci::namespace_type_name(j.type),
                                    j.path));
  }
  return {};
}

Result<void> unshare_namespaces(int flags) {
  if (flags != 0 && ::unshare(flags) != 0)
    return fail_errno(fmt::format("unshare namespaces (flags {:#x})", flags));
  return {};
}

Result<void> become_root_in_user_namespace() {
  if (::setresgid(0, 0, 0) != 0) return fail_errno("become root in user namespace: setresgid");
  if (::setresuid(0, 0, 0) != 0) return fail_errno("become root in user namespace: setresuid");
  return {};
}

namespace {

Result<void> write_time_offsets(const oci::Linux& linux) {
  std::string offsets;
  for (const auto& [clock, off] : linux.time_offsets)
    offsets += fmt::format("{} {} {}\n", clock, off.secs, off.nanosecs);
  UniqueFd fd(::open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open /proc/self/timens_offsets");
  if (::write(fd.get(), offsets.data(), offsets.size()) < 0)
    return fail_errno("linux.timeOffsets: write time namespace offsets");
  return {};
}

}  // namespace

// unshare() makes the namespace for children only, and before Linux 6.2
// execve does not move the caller into it: the init enters it by setns once
// the offsets are written (they freeze when the first process enters).
Result<void> enter_time_namespace(const oci::Linux& linux) {
  if (::unshare(CLONE_NEWTIME) != 0) return fail_errno("unshare time namespace");
  if (!linux.time_offsets.empty()) TRY_VOID(write_time_offsets(linux));
  UniqueFd ns(::open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC));
  if (!ns) return fail_errno("open /proc/self/ns/time_for_children");
  if (::setns(ns.get(), CLONE_NEWTIME) != 0) return fail_errno("enter the new time namespace");
  return {};
}

Result<void> enter_cgroup_namespace() {
  if (::unshare(CLONE_NEWCGROUP) != 0) return fail_errno("unshare cgroup namespace");
  return {};
}

}  // namespace nucleus::init
