#include "init/selinux_label.hpp"

#include <unistd.h>

#include <array>

namespace nucleus::init {

namespace {

// The SELinux mount options that set a context; one of them is enough.
bool names_a_context(std::string_view data) {
  constexpr std::array<std::string_view, 4> kContextOptions = {"context=", "fscontext=",
                                                               "defcontext=", "rootcontext="};
  std::size_t start = 0;
  while (start <= data.size()) {
    std::size_t end = data.find(',', start);
    std::string_view option = data.substr(start, end == std::string_view::npos ? end : end - start);
    for (auto name : kContextOptions)
      if (option.starts_with(name)) return true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool takes_mount_label(std::string_view fstype, bool bind) {
  if (bind) return false;
  constexpr std::array<std::string_view, 4> kUnlabelled = {"proc", "sysfs", "cgroup", "cgroup2"};
  for (auto t : kUnlabelled)
    if (fstype == t) return false;
  return true;
}

std::string with_mount_label(std::string_view data, std::string_view label) {
  std::string out(data);
  if (label.empty() || names_a_context(data)) return out;
  if (!out.empty()) out += ',';
  out += "context=\"";
  out += label;
  out += '"';
  return out;
}

std::string mount_data(std::string_view fstype, bool bind, std::string_view data,
                       std::string_view label, bool selinux) {
  if (!selinux || !takes_mount_label(fstype, bind)) return std::string(data);
  return with_mount_label(data, label);
}

}  // namespace nucleus::init
