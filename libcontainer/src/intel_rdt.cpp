#include "intel_rdt.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace nucleus {

namespace {

// Where resctrl is mounted, from mountinfo ("" when it is not).
std::string resctrl_mount(const std::filesystem::path& mountinfo) {
  std::ifstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    auto sep = line.find(" - resctrl ");
    if (sep == std::string::npos) continue;
    std::istringstream fields(line);
    std::string f, mount_point;
    for (int i = 0; i < 5 && fields >> f; ++i) mount_point = f;
    return mount_point;
  }
  return {};
}

bool has_resource(const std::string& mount, const char* info) {
  return !mount.empty() && ::access((mount + "/info/" + info).c_str(), F_OK) == 0;
}

}  // namespace

Result<void> check_intel_rdt_flags(const std::optional<std::string>& l3, const std::optional<std::string>& mb,
                                   const std::filesystem::path& mountinfo) {
  const bool l3_given = l3 && !l3->empty(), mb_given = mb && !mb->empty();
  if (!l3_given && !mb_given) return {};
  const std::string mount = resctrl_mount(mountinfo);
  if (l3_given && !has_resource(mount, "L3")) return fail("Intel RDT/CAT: l3 cache schema is not enabled");
  if (mb_given && !has_resource(mount, "MB")) return fail("Intel RDT/MBA: memory bandwidth schema is not enabled");
  return fail(fmt::format("Intel RDT: updating the {} schema is not supported by nucleus yet",
                          l3_given ? "l3 cache" : "memory bandwidth"));
}

}  // namespace nucleus
