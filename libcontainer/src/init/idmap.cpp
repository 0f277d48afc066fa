#include "init/idmap.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "init/clone.hpp"
#include "init/id_maps.hpp"
#include "init/mount_options.hpp"
#include "init/namespaces.hpp"

namespace nucleus::init {

namespace {

bool has_user_namespace(const oci::Config& config) {
  if (!config.linux) return false;
  const auto& ns = config.linux->namespaces;
  return std::any_of(ns.begin(), ns.end(),
                     [](const oci::Namespace& n) { return n.type == oci::NamespaceType::user; });
}

// The helper child of open_user_namespace: SIGKILLed and reaped on scope exit.
class HelperChild {
 public:
  explicit HelperChild(pid_t pid) : pid_(pid) {}
  HelperChild(const HelperChild&) = delete;
  HelperChild& operator=(const HelperChild&) = delete;
  ~HelperChild() {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

 private:
  pid_t pid_;
};

// One user namespace per distinct mapping: mounts sharing maps share it.
struct UsernsCache {
  struct Entry {
    std::vector<oci::IdMapping> uids, gids;
    UniqueFd fd;
  };
  std::vector<Entry> entries;

  Result<int> get(const IdmapRequest& r) {
    for (const auto& e : entries)
      if (e.uids == r.uid_mappings && e.gids == r.gid_mappings) return e.fd.get();
    UniqueFd fd = TRY(open_user_namespace(r.uid_mappings, r.gid_mappings));
    entries.push_back({r.uid_mappings, r.gid_mappings, std::move(fd)});
    return entries.back().fd.get();
  }
};

Result<UniqueFd> idmapped_tree(const oci::Mount& m, const std::filesystem::path& bundle,
                               const IdmapRequest& r, int userns, std::size_t index) {
  std::filesystem::path src(m.source);
  if (!src.is_absolute()) src = bundle / src;
  MountOptions o = parse_mount_options(m.options);
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((o.flags & MS_REC) ? AT_RECURSIVE : 0u) |
                   (o.src_nofollow ? AT_SYMLINK_NOFOLLOW : 0u);  // crun's src-nofollow
  UniqueFd tree(::open_tree(AT_FDCWD, src.c_str(), flags));
  if (!tree) return fail_errno(fmt::format("mounts[{}]: clone mount \"{}\"", index, src.native()));
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<std::uint64_t>(userns);
  unsigned at = AT_EMPTY_PATH | (r.recursive ? AT_RECURSIVE : 0u);
  if (::mount_setattr(tree.get(), "", at, &attr, sizeof attr) != 0)
    return fail_errno(fmt::format("mounts[{}]: idmap mount of \"{}\"", index, src.native()));
  return tree;
}

}  // namespace

Result<std::optional<IdmapRequest>> idmap_request(const oci::Config& config, std::size_t index) {
  const oci::Mount& m = config.mounts.at(index);
  MountOptions o = parse_mount_options(m.options);
  bool has_maps = !m.uid_mappings.empty() || !m.gid_mappings.empty();
  if (!o.idmap && !has_maps) return std::nullopt;
  const char* option = o.idmap_recursive ? "ridmap" : "idmap";
  if (!o.bind())
    return fail(fmt::format("mounts[{}]: idmapped mounts are only supported for bind mounts "
                            "(\"{}\" on \"{}\" is type \"{}\")",
                            index, option, m.destination, m.type));
  IdmapRequest r;
  r.recursive = o.idmap_recursive;
  if (!o.idmap_spec.empty()) {  // crun's "idmap=uids=...;gids=...": the mount's own mapping
    if (has_maps)
      return fail(fmt::format("mounts[{}]: \"{}=\" and uidMappings/gidMappings both give a mapping",
                              index, option));
    auto maps = parse_inline_idmap(o.idmap_spec);
    if (!maps) return fail(fmt::format("mounts[{}]: {}", index, maps.error().what()));
    r.uid_mappings = std::move(maps->uid_mappings);
    r.gid_mappings = std::move(maps->gid_mappings);
    return r;
  }
  if (has_maps) {
    if (m.uid_mappings.empty() || m.gid_mappings.empty())
      return fail(fmt::format("mounts[{}]: uidMappings and gidMappings must be given together",
                              index));
    r.uid_mappings = m.uid_mappings;
    r.gid_mappings = m.gid_mappings;
    return r;
  }
  if (!has_user_namespace(config))
    return fail(fmt::format("mounts[{}]: \"{}\" needs uidMappings and gidMappings on the mount, "
                            "or a user namespace", index, option));
  if (config.linux->uid_mappings.empty() || config.linux->gid_mappings.empty())
    return fail(fmt::format("mounts[{}]: \"{}\" without uidMappings and gidMappings needs "
                            "linux.uidMappings and linux.gidMappings", index, option));
  r.uid_mappings = config.linux->uid_mappings;
  r.gid_mappings = config.linux->gid_mappings;
  return r;
}

Result<MountFds> prepare_idmapped_mounts(const oci::Config& config,
                                               const std::filesystem::path& bundle) {
  MountFds out;
  UsernsCache userns;
  for (std::size_t i = 0; i < config.mounts.size(); ++i) {
    auto request = TRY(idmap_request(config, i));
    if (!request) continue;
    int fd = TRY(userns.get(*request));
    out.add(&config.mounts[i], TRY(idmapped_tree(config.mounts[i], bundle, *request, fd, i)));
  }
  return out;
}

Result<UniqueFd> open_user_namespace(const std::vector<oci::IdMapping>& uid_mappings,
                                     const std::vector<oci::IdMapping>& gid_mappings) {
  pid_t pid = TRY(clone_process({CLONE_NEWUSER, std::nullopt}));
  if (pid == 0) {
    // Only a holder of the namespace: it runs nothing of the runtime's.
    for (;;) ::pause();
  }
  HelperChild child(pid);
  oci::Linux maps;
  maps.uid_mappings = uid_mappings;
  maps.gid_mappings = gid_mappings;
  TRY_VOID(write_id_maps(pid, maps));
  std::string path = fmt::format("/proc/{}/ns/user", pid);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", path));
  return fd;
}

}  // namespace nucleus::init
