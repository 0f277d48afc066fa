#include "exec/namespaces.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <utility>
#include <vector>

#include <fmt/format.h>

namespace nucleus::exec {

namespace {

UniqueFd open_ns_file(pid_t pid, std::string_view name) {
  std::string path = fmt::format("/proc/{}/ns/{}", pid, name);
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

}  // namespace

Result<int> differing_namespaces(const std::filesystem::path& theirs,
                                 const std::filesystem::path& ours) {
  struct stat dir {};
  if (::stat(theirs.c_str(), &dir) != 0) return fail_errno(fmt::format("stat {}", theirs.native()));
  int mask = 0;
  for (const auto& kind : kNamespaceKinds) {
    std::filesystem::path their_file = theirs / kind.name;
    struct stat a {}, b {};
    if (::stat(their_file.c_str(), &a) != 0) {
      if (errno == ENOENT) continue;  // a kind this kernel does not have
      return fail_errno(fmt::format("stat {}", their_file.native()));
    }
    bool same = ::stat((ours / kind.name).c_str(), &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino;
    if (!same) mask |= kind.flag;
  }
  return mask;
}

Result<void> join_namespaces(int pidfd, pid_t pid, int mask) {
  if (mask == 0) return {};
  if (pidfd >= 0) {
    if (::setns(pidfd, mask) == 0) return {};
    // EINVAL: a kernel without setns on pidfds; anything else is real.
    if (errno != EINVAL)
      return fail_errno(fmt::format("join the namespaces of pid {} (flags {:#x})", pid, mask));
  }
  // All files are opened before the first join changes what /proc is.
  std::vector<std::pair<const NamespaceKind*, UniqueFd>> files;
  for (const auto& kind : kNamespaceKinds) {
    if (!(mask & kind.flag)) continue;
    UniqueFd fd = open_ns_file(pid, kind.name);
    if (!fd) return fail_errno(fmt::format("open /proc/{}/ns/{}", pid, kind.name));
    files.emplace_back(&kind, std::move(fd));
  }
  for (const auto& [kind, fd] : files) {
    if (::setns(fd.get(), kind->flag) != 0)
      return fail_errno(fmt::format("join {} namespace of pid {}", kind->name, pid));
  }
  return {};
}

Result<PidNamespaceForChildren> PidNamespaceForChildren::enter(int pidfd, pid_t pid) {
  UniqueFd own(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
  if (!own) return fail_errno("open /proc/self/ns/pid");
  if (pidfd >= 0 && ::setns(pidfd, CLONE_NEWPID) == 0) return PidNamespaceForChildren(std::move(own));
  if (pidfd >= 0 && errno != EINVAL)
    return fail_errno(fmt::format("join pid namespace of pid {}", pid));
  UniqueFd ns = open_ns_file(pid, "pid");
  if (!ns) return fail_errno(fmt::format("open /proc/{}/ns/pid", pid));
  if (::setns(ns.get(), CLONE_NEWPID) != 0)
    return fail_errno(fmt::format("join pid namespace of pid {}", pid));
  return PidNamespaceForChildren(std::move(own));
}

PidNamespaceForChildren::~PidNamespaceForChildren() {
  if (own_) (void)::setns(own_.get(), CLONE_NEWPID);
}

}  // namespace nucleus::exec
