#include "cgroups/cgroup_path.hpp"

#include <optional>

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// Lexical clean of a relative path; nullopt when ".." leaves the base.
std::optional<std::string> clean_below(std::string_view p) {
  std::vector<std::string_view> parts;
  while (!p.empty()) {
    auto slash = p.find('/');
    auto part = p.substr(0, slash);
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace

Result<CgroupPath> parse_cgroups_path(std::string_view cgroups_path, std::string_view id) {
  if (cgroups_path.empty()) {
    if (id.empty()) return fail("default cgroup path: empty container id");
    cgroups_path = id;
  }
  CgroupPath out;
  out.absolute = cgroups_path.starts_with('/');
  auto cleaned = clean_below(cgroups_path);
  if (!cleaned)
    return fail(fmt::format("invalid cgroupsPath \"{}\": \"..\" leaves the {}", cgroups_path,
                            out.absolute ? "cgroup root" : "runtime's cgroup"));
  if (cleaned->empty())
    return fail(fmt::format("invalid cgroupsPath \"{}\": names the {} itself", cgroups_path,
                            out.absolute ? "cgroup root" : "runtime's cgroup"));
  out.path = std::move(*cleaned);
  return out;
}

Result<fs::path> cgroup_dir(const Hierarchy& h, const CgroupPath& path,
                            const std::vector<ProcCgroup>& own, Layout layout) {
  if (path.absolute) return (h.mount_point / path.path).lexically_normal();
  std::string own_path = TRY(own_cgroup_in(h, own));
  // In a cgroup namespace a process outside the namespace root shows "/../x".
  auto own_clean = clean_below(own_path);
  if (!own_clean)
    return fail(fmt::format("this process's cgroup \"{}\" is outside the visible cgroup tree", own_path));
  fs::path base(*own_clean);
  if (layout == Layout::v2 && base.filename().native().ends_with(".scope")) base = base.parent_path();
  return (h.mount_point / base / path.path).lexically_normal();
}

}  // namespace nucleus::cgroups
