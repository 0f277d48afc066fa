// process.rlimits: one setrlimit per entry, in the config's order.
#include <sys/resource.h>

#include <array>
#include <optional>
#include <string_view>

#include "security/process_setup.hpp"

namespace nucleus {
namespace {

struct RlimitName {
  std::string_view name;
  int resource;
};

// The getrlimit(2) resources (the set runc accepts).
constexpr std::array<RlimitName, 16> kRlimits{{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

std::optional<int> rlimit_resource(std::string_view name) {
  for (const auto& r : kRlimits)
    if (r.name == name) return r.resource;
  return std::nullopt;
}

}  // namespace

Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  // Check everything first, so a bad entry leaves the limits untouched.
  for (std::size_t i = 0; i < rlimits.size(); ++i) {
    if (!rlimit_resource(rlimits[i].type))
      return fail(fmt::format("wrong rlimit value: {}", rlimits[i].type));
    for (std::size_t j = 0; j < i; ++j)
      if (rlimits[j].type == rlimits[i].type)
        return fail(fmt::format("duplicate rlimit type {}", rlimits[i].type));
  }
  for (const auto& r : rlimits) {
    // rlim_t is 64-bit unsigned here and RLIM_INFINITY is its maximum, so the
    // spec's uint64 maps one to one.
    struct rlimit lim {};
    lim.rlim_cur = static_cast<rlim_t>(r.soft);
    lim.rlim_max = static_cast<rlim_t>(r.hard);
    auto resource = static_cast<__rlimit_resource>(*rlimit_resource(r.type));
    if (::setrlimit(resource, &lim) != 0) return fail_errno(fmt::format("setrlimit {}", r.type));
  }
  return {};
}

}  // namespace nucleus
