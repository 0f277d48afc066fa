#include "cgroups/systemd.hpp"

#include <sys/stat.h>

namespace nucleus::cgroups {

Result<SystemdPath> parse_systemd_path(std::string_view cgroups_path, std::string_view id) {
  if (cgroups_path.empty()) return SystemdPath{"", "nucleus", std::string(id)};
  auto c1 = cgroups_path.find(':');
  auto c2 = c1 == std::string_view::npos ? c1 : cgroups_path.find(':', c1 + 1);
  if (c2 == std::string_view::npos || cgroups_path.find(':', c2 + 1) != std::string_view::npos)
    return fail(fmt::format("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd "
                            "cgroups, got \"{}\" instead",
                            cgroups_path));
  return SystemdPath{std::string(cgroups_path.substr(0, c1)),
                     std::string(cgroups_path.substr(c1 + 1, c2 - c1 - 1)),
                     std::string(cgroups_path.substr(c2 + 1))};
}

bool systemd_running(const std::filesystem::path& marker) {
  struct stat st {};
  return ::lstat(marker.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::unique_ptr<CgroupManager>> make_systemd_manager(const CgroupConfig& config,
                                                            const std::filesystem::path& marker) {
  TRY_VOID(parse_systemd_path(config.cgroups_path, config.id));
  if (!systemd_running(marker)) return fail("systemd cgroup driver requested but systemd is not running");
  return fail("systemd cgroup driver is not implemented yet; use the cgroupfs driver");
}

}  // namespace nucleus::cgroups
