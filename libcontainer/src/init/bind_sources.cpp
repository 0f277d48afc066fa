#include "init/bind_sources.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <fmt/format.h>

#include "init/mount_options.hpp"

namespace nucleus::init {

Result<MountFds> clone_bind_sources(const oci::Config& config, const std::filesystem::path& bundle,
                                    const MountFds& idmapped) {
  MountFds out;
  for (const auto& m : config.mounts) {
    MountOptions o = parse_mount_options(m.options);
    if (!o.bind() || o.src_nofollow || o.copy_symlink || idmapped.fd_for(m) >= 0) continue;
    std::filesystem::path src(m.source);
    if (src.is_relative()) src = bundle / src;
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((o.flags & MS_REC) ? AT_RECURSIVE : 0);
    UniqueFd tree(::open_tree(AT_FDCWD, src.c_str(), flags));
    if (!tree && errno == EPERM && ::geteuid() != 0 && out.empty()) return out;  // rootless: the init binds them
    if (!tree) return fail_errno(fmt::format("clone bind mount source \"{}\"", src.native()));
    out.add(&m, std::move(tree));
  }
  return out;
}

}  // namespace nucleus::init
