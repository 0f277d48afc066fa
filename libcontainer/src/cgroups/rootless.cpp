#include "cgroups/rootless.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "cgroups/limit_groups.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

std::string strerror_text(int err) { return Error::describe_errno(err); }

class RootlessManager final : public CgroupManager {
 public:
  RootlessManager(std::unique_ptr<CgroupManager> inner, std::vector<LeftOut> left_out, bool v2)
      : inner_(std::move(inner)), left_out_(std::move(left_out)), v2_(v2) {}

  Result<void> create() override { return inner_->create(); }
  Result<void> apply(pid_t pid) override { return inner_->apply(pid); }
  Result<void> check(const Limits& limits) const override {
    TRY_VOID(check_left_out(limits.change));
    return inner_->check(limits);
  }
  Result<void> set(const Limits& limits) override { return inner_->set(limits); }
  // runc ignores every devices error of a rootless container.
  Result<void> set_devices(const std::vector<oci::DeviceRule>& rules) override {
    auto set = inner_->set_devices(rules);
    if (set) return {};
    if (rules.empty()) log::debug("rootless: device rules not applied: {}", set.error().what());
    else log::warn("linux.resources.devices: not applied in a rootless container: {}", set.error().what());
    return {};
  }
  Result<void> freeze() override { return inner_->freeze(); }
  Result<void> thaw() override { return inner_->thaw(); }
  Result<bool> frozen() const override { return inner_->frozen(); }
  Result<CgroupStats> stats() const override { return inner_->stats(); }
  Result<OomWatch> watch_oom() const override { return inner_->watch_oom(); }
  Result<std::vector<pid_t>> pids() const override { return inner_->pids(); }
  Result<void> kill_all(int signal) override { return inner_->kill_all(signal); }
  Result<void> destroy() override { return inner_->destroy(); }
  std::map<std::string, std::string> paths() const override { return inner_->paths(); }
  std::optional<int> clone_into_fd() const override { return inner_->clone_into_fd(); }

 private:
  const LeftOut* left_out(std::string_view controller) const {
    auto it = std::find_if(left_out_.begin(), left_out_.end(), [&](const LeftOut& l) {
      return std::find(l.controllers.begin(), l.controllers.end(), controller) != l.controllers.end();
    });
    return it == left_out_.end() ? nullptr : &*it;
  }

  Result<void> check_left_out(const oci::Resources& change) const {
    if (v2_) {
      if (left_out_.empty()) return {};
      const LeftOut& l = left_out_.front();
      bool limited = !change.unified.empty();
      for (Group g : kV2Order) limited = limited || uses(g, change);
      if (!limited) return {};
      return fail(fmt::format("rootless needs no limits + no cgrouppath when no permission is granted for "
                              "cgroups: mkdir {}: {}", l.dir.string(), strerror_text(l.err)));
    }
    for (Group g : kV1Order) {
      if (!uses(g, change)) continue;
      const LeftOut* l = left_out(v1_controller(g));
      if (!l) continue;
      return fail(fmt::format("{}: cannot set {} limit: container could not join or create cgroup {}: {}",
                              json_path(g, change), v1_controller(g), l->dir.string(),
                              strerror_text(l->err)));
    }
    auto cgroup2 = std::find_if(left_out_.begin(), left_out_.end(),
                                [](const LeftOut& l) { return l.controllers.empty(); });
    if (!change.unified.empty() && cgroup2 != left_out_.end())
      return fail(fmt::format("linux.resources.unified: container could not join or create cgroup {}: {}",
                              cgroup2->dir.string(), strerror_text(cgroup2->err)));
    return {};
  }

  std::unique_ptr<CgroupManager> inner_;
  std::vector<LeftOut> left_out_;
  bool v2_;
};

}  // namespace

int cgroup_access(const fs::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    const fs::path procs = dir / "cgroup.procs";
    return ::faccessat(AT_FDCWD, procs.c_str(), W_OK, AT_EACCESS) == 0 ? 0 : errno;
  }
  if (errno != ENOENT) return errno;
  fs::path ancestor = dir.parent_path();
  while (::stat(ancestor.c_str(), &st) != 0) {
    if (errno != ENOENT || !ancestor.has_relative_path()) return errno;
    ancestor = ancestor.parent_path();
  }
  return ::faccessat(AT_FDCWD, ancestor.c_str(), W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
}

bool is_permission_errno(int err) { return err == EACCES || err == EPERM || err == EROFS; }

std::unique_ptr<CgroupManager> make_rootless_manager(std::unique_ptr<CgroupManager> inner,
                                                     std::vector<LeftOut> left_out, bool v2) {
  return std::make_unique<RootlessManager>(std::move(inner), std::move(left_out), v2);
}

}  // namespace nucleus::cgroups
