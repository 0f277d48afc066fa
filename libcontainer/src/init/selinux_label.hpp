// linux.mountLabel: the SELinux context given to the filesystems a container
// mounts, as a `context="..."` mount option. A host without SELinux refuses
// the label at create (security/lsm.hpp); runc ignores it there.
#pragma once

#include <string>
#include <string_view>

namespace nucleus::init {

// Filesystems that take a context= option: not proc, sysfs, cgroup(2), nor
// bind mounts (a bind keeps the source's labels), as runc.
bool takes_mount_label(std::string_view fstype, bool bind);

// `data` with `context="label"` appended (comma-joined); unchanged when the
// label is empty or the data already names a context (the kernel refuses two).
std::string with_mount_label(std::string_view data, std::string_view label);

// What a mount of `fstype` passes as data: with the label when `selinux` and
// the filesystem takes one.
std::string mount_data(std::string_view fstype, bool bind, std::string_view data,
                       std::string_view label, bool selinux);

}  // namespace nucleus::init
