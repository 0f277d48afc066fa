#include "rootless_checks.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "state/container_dir.hpp"

namespace nucleus {

namespace {

bool maps(const std::vector<oci::IdMapping>& mappings, std::uint64_t id) {
  return std::any_of(mappings.begin(), mappings.end(), [&](const oci::IdMapping& m) {
    return id >= m.container_id && id - m.container_id < m.size;
  });
}

// "uid=N" / "gid=N" of a mount must name an id of the container; other
// spellings are left to the kernel, as runc leaves them.
Result<void> check_mount_ids(const oci::Mount& m, std::size_t index, const oci::Linux& linux) {
  for (const auto& option : m.options) {
    std::string_view o = option;
    const bool uid = o.starts_with("uid="), gid = o.starts_with("gid=");
    if (!uid && !gid) continue;
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(o.data() + 4, o.data() + o.size(), id);
    if (ec != std::errc() || end == o.data() + 4) continue;
    if (!maps(uid ? linux.uid_mappings : linux.gid_mappings, id))
      return fail(fmt::format("mounts[{}].options: cannot specify {}= mount options for unmapped {} in "
                              "rootless containers",
                              index, uid ? "uid" : "gid", uid ? "uid" : "gid"));
  }
  return {};
}

}  // namespace

bool rootless_euid() { return ::geteuid() != 0; }

bool is_initial_uid_map(std::string_view uid_map) {
  std::istringstream lines{std::string(uid_map)};
  std::string first, rest;
  std::getline(lines, first);
  std::getline(lines, rest, '\0');
  std::istringstream fields(first);
  unsigned long long inside = 1, outside = 1, count = 0;
  fields >> inside >> outside >> count;
  return rest.empty() && inside == 0 && outside == 0 && count == 4294967295ULL;
}

// Read once: the runtime never changes its own user namespace.
bool running_in_user_namespace() {
  static const bool in_one = [] {
    std::ifstream file("/proc/self/uid_map");
    if (!file) return false;
    const std::string uid_map{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    return !is_initial_uid_map(uid_map);
  }();
  return in_one;
}

Result<void> prepare_user_state_root(const std::filesystem::path& root) {
  return ContainerDir::make_sticky_root(root);
}

Result<void> check_rootless_config(const oci::Config& config) {
  const oci::Linux& linux = *config.linux;
  if (!linux.find_namespace(oci::NamespaceType::user))
    return fail("linux.namespaces: rootless container requires user namespaces");
  if (linux.uid_mappings.empty())
    return fail("linux.uidMappings: User namespaces enabled, but no uid mappings found.");
  if (linux.gid_mappings.empty())
    return fail("linux.gidMappings: User namespaces enabled, but no gid mappings found.");
  for (std::size_t i = 0; i < config.mounts.size(); ++i)
    TRY_VOID(check_mount_ids(config.mounts[i], i, linux));
  return check_rootless_process(*config.process);
}

Result<void> check_rootless_process(const oci::Process& process) {
  if (!process.user.additional_gids.empty())
    return fail("process.user.additionalGids: cannot set any additional groups in a rootless container");
  return {};
}

}  // namespace nucleus
