// The config `spec` writes: the same content as `runc spec [--rootless]`.
#include <unistd.h>

#include "oci/parse.hpp"

namespace oci {

namespace {

std::vector<Mount> default_mounts(bool rootless) {
  std::vector<Mount> m = {
      {"/proc", "proc", "proc", {}, {}, {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}},
      {"/dev/pts", "devpts", "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}, {}, {}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, {}, {}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, {}, {}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, {}, {}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}, {}, {}},
  };
  if (rootless) {
    // No gid 5 to own ptys, and sysfs cannot be mounted without a netns.
    m[2].options.pop_back();
    m[5] = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}};
  }
  return m;
}

Linux default_linux(bool rootless, bool cgroup_namespace) {
  Linux l;
  l.masked_paths = {"/proc/acpi",        "/proc/asound",     "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  using enum NamespaceType;
  if (rootless) {
    l.namespaces = {{pid, {}}, {ipc, {}}, {uts, {}}, {mount, {}}, {user, {}}};
    l.uid_mappings = {{0, static_cast<std::uint32_t>(::geteuid()), 1}};
    l.gid_mappings = {{0, static_cast<std::uint32_t>(::getegid()), 1}};
  } else {
    l.namespaces = {{pid, {}}, {network, {}}, {ipc, {}}, {uts, {}}, {mount, {}}};
    Resources r;
    DeviceRule deny_all;
    deny_all.access = "rwm";
    r.devices = {deny_all};
    l.resources = std::move(r);
  }
  // runc appends it before turning the config rootless, which appends user.
  if (cgroup_namespace) l.namespaces.insert(l.namespaces.end() - (rootless ? 1 : 0), {cgroup, {}});
  return l;
}

}  // namespace

Config default_config(bool rootless, bool cgroup_namespace) {
  Config c;
  c.oci_version = std::string(kSpecVersion);
  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = std::string("/");  // (assigning a literal trips a g++ 12 -Wrestrict false positive)
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  p.capabilities = Capabilities{
      .bounding = caps, .effective = caps, .inheritable = {}, .permitted = caps, .ambient = caps};
  p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  c.process = std::move(p);
  c.root = Root{"rootfs", true};
  c.hostname = std::string("runc");
  c.mounts = default_mounts(rootless);
  c.linux = default_linux(rootless, cgroup_namespace);
  return c;
}

}  // namespace oci
