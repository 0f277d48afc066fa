#include "init/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "init/mounts.hpp"
#include "init/rootfs_paths.hpp"

namespace nucleus::init {

namespace {

oci::Device char_device(const char* path, std::int64_t major, std::int64_t minor) {
  oci::Device d;
  d.type = std::string("c");
  d.path = std::string(path);
  d.major = major;
  d.minor = minor;
  d.file_mode = 0666;
  d.uid = 0;
  d.gid = 0;
  return d;
}

const std::vector<oci::Device>& default_devices() {
  static const std::vector<oci::Device> devices = {
      char_device("/dev/null", 1, 3),    char_device("/dev/zero", 1, 5),
      char_device("/dev/full", 1, 7),    char_device("/dev/random", 1, 8),
      char_device("/dev/urandom", 1, 9), char_device("/dev/tty", 5, 0),
  };
  return devices;
}

Result<mode_t> device_type(const oci::Device& d) {
  if (d.type == "c" || d.type == "u") return S_IFCHR;
  if (d.type == "b") return S_IFBLK;
  if (d.type == "p") return S_IFIFO;
  return fail(fmt::format("device \"{}\": unknown type \"{}\"", d.path, d.type));
}

// A user namespace may not mknod: bind the host's node onto an empty file.
Result<void> bind_device(int root_fd, const oci::Device& d) {
  UniqueFd target = TRY(ensure_in_root(root_fd, d.path, false));
  UniqueFd host(::open(d.path.c_str(), O_PATH | O_CLOEXEC));
  if (!host) return fail_errno(fmt::format("open host device \"{}\"", d.path));
  return mount_at(fd_path(host.get()).c_str(), target.get(), nullptr, MS_BIND, {}, d.path);
}

// mknod, then mode and owner set on the node itself (through an O_PATH fd on
// it, never by name again): mknod honours the umask, the config's mode must not.
Result<void> make_device_node(int root_fd, const oci::Device& d) {
  mode_t type = TRY(device_type(d));
  auto [parent, name] = split_parent(d.path);
  UniqueFd dir = TRY(mkdir_all_in_root(root_fd, parent, 0755));
  mode_t perm = d.file_mode.value_or(0666) & 07777;
  dev_t dev = makedev(static_cast<unsigned>(d.major.value_or(0)),
                      static_cast<unsigned>(d.minor.value_or(0)));
  if (::mknodat(dir.get(), name.c_str(), type | perm, type == S_IFIFO ? 0 : dev) != 0) {
    if (errno == EEXIST) return {};  // as runc: what the rootfs has stays
    return fail_errno(fmt::format("mknod \"{}\"", d.path));
  }
  UniqueFd node(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!node) return fail_errno(fmt::format("open \"{}\"", d.path));
  if (::chmod(fd_path(node.get()).c_str(), perm) != 0)
    return fail_errno(fmt::format("chmod \"{}\"", d.path));
  if (::fchownat(node.get(), "", d.uid.value_or(0), d.gid.value_or(0), AT_EMPTY_PATH) != 0)
    return fail_errno(fmt::format("chown \"{}\"", d.path));
  return {};
}

Result<void> create_device(int root_fd, const oci::Device& d, bool bind_from_host) {
  // A fifo is no device: mknod makes it in a user namespace too.
  if (bind_from_host && d.type != "p") return bind_device(root_fd, d);
  return make_device_node(root_fd, d);
}

}  // namespace

bool is_dev_destination(const std::string& destination) {
  auto clean = std::filesystem::path(destination).lexically_normal();
  return clean == "/dev" || clean == "/dev/";
}

bool needs_dev_setup(const oci::Config& config) {
  return std::none_of(config.mounts.begin(), config.mounts.end(), [](const oci::Mount& m) {
    return is_dev_destination(m.destination) && parse_mount_options(m.options).bind();
  });
}

bool dev_mount_is_readonly(const oci::Config& config) {
  return std::any_of(config.mounts.begin(), config.mounts.end(), [](const oci::Mount& m) {
    auto o = parse_mount_options(m.options);
    return is_dev_destination(m.destination) && !o.bind() && (o.flags & MS_RDONLY);
  });
}

std::vector<oci::Device> devices_to_create(const oci::Linux* linux) {
  std::vector<oci::Device> out;
  auto configured = [&](const std::string& path) {
    return linux && std::any_of(linux->devices.begin(), linux->devices.end(),
                                [&](const oci::Device& d) { return d.path == path; });
  };
  for (const auto& d : default_devices())
    if (!configured(d.path)) out.push_back(d);
  if (linux) out.insert(out.end(), linux->devices.begin(), linux->devices.end());
  return out;
}

Result<void> create_devices(int root_fd, const oci::Linux* linux, bool bind_from_host) {
  for (const auto& d : devices_to_create(linux)) TRY_VOID(create_device(root_fd, d, bind_from_host));
  return {};
}

Result<void> create_dev_symlinks(int root_fd) {
  UniqueFd dev = TRY(mkdir_all_in_root(root_fd, "/dev", 0755));
  std::vector<std::pair<const char*, const char*>> links = {
      {"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
  };
  if (::access("/proc/kcore", F_OK) == 0) links.emplace_back("/proc/kcore", "core");
  for (auto [target, name] : links) {
    if (::symlinkat(target, dev.get(), name) != 0 && errno != EEXIST)
      return fail_errno(fmt::format("symlink /dev/{}", name));
  }
  // /dev/ptmx must be the container's devpts instance, whatever the rootfs had.
  if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT)
    return fail_errno("remove /dev/ptmx");
  if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) return fail_errno("symlink /dev/ptmx");
  return {};
}

}  // namespace nucleus::init
