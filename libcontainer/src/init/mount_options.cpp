#include "mountinfo/split.hpp"
#include "init/mount_options.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "nucleus/mount_options.hpp"

namespace nucleus::init {

namespace {

struct FlagOption {
  std::string_view name;
  bool clear;
  unsigned long flag;
};

// mount(8)'s flag options, plus runc's "acl"/"noacl" (MS_POSIXACL).
constexpr FlagOption kFlagOptions[] = {
    {"acl", false, MS_POSIXACL},       {"noacl", true, MS_POSIXACL},
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},          {"defaults", false, 0},
    {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},     {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},         {"symfollow", true, MS_NOSYMFOLLOW},
    {"sync", false, MS_SYNCHRONOUS},
};

constexpr std::pair<std::string_view, unsigned long> kPropagation[] = {
    {"private", MS_PRIVATE},  {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},      {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct AttrOption {
  std::string_view name;
  bool clear;
  std::uint64_t attr;
};

constexpr AttrOption kRecursiveAttrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},        {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},      {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

// The recursive atime options select one value of the atime field (which
// mount_setattr changes only as a whole): the "no"/"a" forms fall back to the
// kernel's default (relatime), "rnorelatime" to strictatime.
constexpr std::pair<std::string_view, std::uint64_t> kRecursiveAtime[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},       {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},         {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

// Options nucleus acts on itself; never passed to mount(2).
constexpr std::string_view kExtensions[] = {"tmpcopyup",    "idmap",         "ridmap",
                                            "src-nofollow", "dest-nofollow", "copy-symlink"};

bool apply_flag(std::string_view o, MountOptions& out) {
  for (const auto& f : kFlagOptions) {
    if (o != f.name) continue;
    if (f.clear) {
      out.flags &= ~f.flag;
      out.cleared |= f.flag;
    } else {
      out.flags |= f.flag;
      out.cleared &= ~f.flag;
    }
    return true;
  }
  return false;
}

bool apply_recursive_attr(std::string_view o, MountOptions& out) {
  for (const auto& a : kRecursiveAttrs) {
    if (o != a.name) continue;
    (a.clear ? out.attr_clr : out.attr_set) |= a.attr;
    (a.clear ? out.attr_set : out.attr_clr) &= ~a.attr;
    return true;
  }
  for (auto [name, attr] : kRecursiveAtime) {
    if (o != name) continue;
    out.attr_clr |= MOUNT_ATTR__ATIME;
    out.attr_set = (out.attr_set & ~static_cast<std::uint64_t>(MOUNT_ATTR__ATIME)) | attr;
    return true;
  }
  return false;
}

bool apply_extension(std::string_view o, MountOptions& out) {
  if (o == "tmpcopyup") {
    out.tmpcopyup = true;
  } else if (o == "idmap" || o == "ridmap") {
    out.idmap = true;
    out.idmap_recursive = o == "ridmap";
    out.idmap_spec.clear();
  } else if (o.starts_with("idmap=") || o.starts_with("ridmap=")) {
    out.idmap = true;
    out.idmap_recursive = o.front() == 'r';
    out.idmap_spec = std::string(o.substr(o.find('=') + 1));
  } else if (o == "src-nofollow") {
    out.src_nofollow = true;
  } else if (o == "dest-nofollow") {
    out.dest_nofollow = true;
  } else if (o == "copy-symlink") {
    out.copy_symlink = true;
  } else {
    return false;
  }
  return true;
}

bool apply_option(std::string_view o, MountOptions& out) {
  if (apply_flag(o, out)) return true;
  for (auto [name, flag] : kPropagation) {
    if (o == name) {
      out.propagation = flag;
      return true;
    }
  }
  return apply_recursive_attr(o, out) || apply_extension(o, out);
}

Result<std::uint32_t> parse_id(std::string_view s, std::string_view range) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return fail(fmt::format("\"{}\" is not <containerID>-<hostID>-<size>", range));
  return v;
}

Result<std::vector<oci::IdMapping>> parse_ranges(std::string_view list) {
  std::vector<oci::IdMapping> out;
  for (std::string_view range : split(list, '#')) {
    if (range.starts_with('@'))
      return fail(fmt::format("relative range \"{}\" (\"@\") is not supported", range));
    auto parts = split(range, '-');
    if (parts.size() != 3) return fail(fmt::format("\"{}\" is not <containerID>-<hostID>-<size>", range));
    oci::IdMapping m;
    m.container_id = TRY(parse_id(parts[0], range));
    m.host_id = TRY(parse_id(parts[1], range));
    m.size = TRY(parse_id(parts[2], range));
    if (m.size == 0) return fail(fmt::format("range \"{}\" has size 0", range));
    out.push_back(m);
  }
  return out;
}

Result<InlineIdmap> parse_inline_sections(std::string_view spec) {
  InlineIdmap out;
  for (std::string_view part : split(spec, ';')) {
    if (part.starts_with("uids=") && out.uid_mappings.empty()) {
      out.uid_mappings = TRY(parse_ranges(part.substr(5)));
    } else if (part.starts_with("gids=") && out.gid_mappings.empty()) {
      out.gid_mappings = TRY(parse_ranges(part.substr(5)));
    } else {
      return fail(fmt::format("unexpected \"{}\" (want uids=...;gids=...)", part));
    }
  }
  if (out.uid_mappings.empty() || out.gid_mappings.empty())
    return fail("both uids= and gids= are needed");
  return out;
}

}  // namespace

Result<InlineIdmap> parse_inline_idmap(std::string_view spec) {
  auto maps = parse_inline_sections(spec);
  if (!maps) return fail(fmt::format("idmap option \"{}\": {}", spec, maps.error().what()));
  return maps;
}

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::remount() const { return (flags & MS_REMOUNT) != 0; }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& o : options) {
    if (apply_option(o, out)) continue;
    if (!out.data.empty()) out.data += ',';
    out.data += o;
  }
  return out;
}

}  // namespace nucleus::init

namespace nucleus {

std::vector<std::string> supported_mount_options() {
  using namespace nucleus::init;
  std::vector<std::string> out;
  for (const auto& f : kFlagOptions) out.emplace_back(f.name);
  for (const auto& p : kPropagation) out.emplace_back(p.first);
  for (const auto& a : kRecursiveAttrs) out.emplace_back(a.name);
  for (const auto& a : kRecursiveAtime) out.emplace_back(a.first);
  for (auto name : kExtensions) out.emplace_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

bool idmapped_mounts_supported() {
  // An invalid call: ENOSYS only when the kernel lacks the syscall.
  errno = 0;
  (void)::mount_setattr(-1, "", AT_EMPTY_PATH, nullptr, 0);
  return errno != ENOSYS;
}

}  // namespace nucleus
