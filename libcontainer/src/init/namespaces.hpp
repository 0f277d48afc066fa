// Which namespaces the container gets and how: made by clone3 itself, joined
// (setns) by the child, or unshared by the child after its joins.
//
// clone3 makes every new namespace at once, owned by the new user namespace
// when there is one. That is wrong in two cases, where the child instead joins
// first and unshares after (and forks the init when a new pid namespace is
// needed, since only children enter it):
//  - a user namespace is joined: new namespaces must belong to it;
//  - a user namespace is made and other namespaces are joined: the joins need
//    the host credentials the new user namespace would drop.
// A joined pid namespace is entered through the parent's pid_for_children, so
// clone3 puts the child straight into it. cgroup and time namespaces are
// always unshared by the child: the cgroup one after the parent has moved it
// into the container's cgroup (its root is fixed at creation), the time one so
// its offsets can be written before any process enters it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

struct NamespaceJoin {
  oci::NamespaceType type;
  std::string path;
  UniqueFd fd;  // opened in the runtime's mount namespace before the clone
};

struct NamespacePlan {
  std::uint64_t clone_flags = 0;  // CLONE_NEW* handed to clone3
  int unshare_flags = 0;          // CLONE_NEW* the child unshares after its joins
  bool fork_init = false;         // unshare_flags holds CLONE_NEWPID: the child forks the init
  bool new_cgroup = false;
  bool new_time = false;
  std::vector<NamespaceJoin> joins;  // setns order: user first, mount last
  UniqueFd pid_join;                 // a pid namespace entered via the parent

  bool new_user() const;
  bool in_user_namespace() const;  // made or joined
  bool new_mount() const;
  bool new_network() const;
  bool has_mount_namespace() const;  // made or joined
  bool new_pid() const;
};

// Opens the namespace paths (checking each is a namespace of its type).
Result<NamespacePlan> plan_namespaces(const oci::Linux* linux);

// Parent: enter `pid_ns` for the next clone only; the destructor restores the
// runtime's own pid_for_children.
class PidForChildren {
 public:
  static Result<PidForChildren> enter(int pid_ns);
  PidForChildren(PidForChildren&& o) noexcept : own_(std::move(o.own_)) {}
  PidForChildren& operator=(PidForChildren&&) = delete;
  ~PidForChildren();

 private:
  explicit PidForChildren(UniqueFd own) : own_(std::move(own)) {}
  UniqueFd own_;
};

// Child steps.
Result<void> join_namespaces(const NamespacePlan& plan);
Result<void> unshare_namespaces(int flags);
Result<void> become_root_in_user_namespace();
// unshare(CLONE_NEWTIME) and write the offsets: the init enters the namespace
// at exec, hooks forked before then enter it at fork.
Result<void> enter_time_namespace(const oci::Linux& linux);
Result<void> enter_cgroup_namespace();

}  // namespace nucleus::init
