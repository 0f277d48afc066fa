// Capability names and the five sets. libcap-ng provides the name table and
// the capset; the bounding and ambient sets are changed one capability at a
// time with prctl so that an error can name the capability.
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <cap-ng.h>

#include "security/capabilities.hpp"
#include "security/process_setup.hpp"

namespace nucleus {
namespace caps {
namespace {

// Index = capability number; "CAP_CHOWN", ... up to what both libcap-ng and
// the kernel know.
const std::vector<std::string>& name_table() {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> names;
    int last = std::min(last_capability(), 63);
    for (int cap = 0; cap <= last; ++cap) {
      const char* name = ::capng_capability_to_name(static_cast<unsigned>(cap));
      if (!name) break;
      std::string upper = "CAP_";
      for (const char* p = name; *p; ++p)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
      names.push_back(std::move(upper));
    }
    return names;
  }();
  return table;
}

std::optional<int> lookup(std::string_view name) {
  const auto& table = name_table();
  auto it = std::find(table.begin(), table.end(), name);
  if (it == table.end()) return std::nullopt;
  return static_cast<int>(it - table.begin());
}

CapMask to_mask(const std::optional<std::vector<std::string>>& names,
                std::vector<std::string>& unknown) {
  CapMask mask = 0;
  if (!names) return mask;
  for (const auto& name : *names) {
    if (auto cap = lookup(name))
      mask |= bit(*cap);
    else if (std::find(unknown.begin(), unknown.end(), name) == unknown.end())
      unknown.push_back(name);
  }
  return mask;
}

void note_ungranted(std::vector<std::string>& out, std::string_view set, CapMask asked,
                    CapMask granted) {
  if (CapMask missing = asked & ~granted)
    out.push_back(fmt::format("{} {}", set, format_mask(missing)));
}

const std::string& name_of(int cap) {
  static const std::string unknown = "CAP_?";
  const auto& table = name_table();
  auto index = static_cast<std::size_t>(cap);
  return cap >= 0 && index < table.size() ? table[index] : unknown;
}

Result<void> set_ambient(CapMask ambient) {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) != 0) {
    // Kernels before 4.3 have no ambient set; fine unless one is asked for.
    if (errno == EINVAL && ambient == 0) return {};
    return fail_errno("clear the ambient capability set");
  }
  for (int cap = 0; cap < 64; ++cap) {
    if (!(ambient & bit(cap))) continue;
    auto c = static_cast<unsigned long>(cap);
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0UL, 0UL) != 0)
      return fail_errno(fmt::format("raise ambient capability {}", name_of(cap)));
  }
  return {};
}

}  // namespace

int last_capability() {
  // The kernel answers EINVAL past its last capability; asked once.
  static const int last = [] {
    int cap = 0;
    while (cap < 63 &&
           ::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap + 1), 0UL, 0UL, 0UL) >= 0)
      ++cap;
    return cap;
  }();
  return last;
}

std::string format_mask(CapMask mask) {
  std::string out = "[";
  for (int cap = 0; cap < 64; ++cap) {
    if (!(mask & bit(cap))) continue;
    if (out.size() > 1) out += ' ';
    out += name_of(cap);
  }
  return out + "]";
}

std::vector<std::string> CapabilityPlan::warnings() const {
  std::vector<std::string> out;
  if (!unknown.empty()) {
    std::string list;
    for (const auto& name : unknown) {
      if (!list.empty()) list += ' ';
      list += name;
    }
    // runc's wording, so log scrapers see the same line.
    out.push_back(fmt::format("ignoring unknown or unavailable capabilities: [{}]", list));
  }
  return out;
}

Result<void> CapabilityPlan::check_grantable() const {
  if (ungranted.empty()) return {};
  std::string list;
  for (const auto& set : ungranted) {
    if (!list.empty()) list += ", ";
    list += set;
  }
  return fail(fmt::format("unable to apply caps: {} not in the runtime's own sets", list), EPERM);
}

CapabilityPlan plan_capabilities(const std::optional<oci::Capabilities>& requested,
                                 const CapabilitySets& current) {
  CapabilityPlan plan;
  CapabilitySets asked;
  if (requested) {
    asked.bounding = to_mask(requested->bounding, plan.unknown);
    asked.permitted = to_mask(requested->permitted, plan.unknown);
    asked.effective = to_mask(requested->effective, plan.unknown);
    asked.inheritable = to_mask(requested->inheritable, plan.unknown);
    asked.ambient = to_mask(requested->ambient, plan.unknown);
  }
  auto& s = plan.sets;
  s.bounding = asked.bounding & current.bounding;
  s.permitted = asked.permitted & current.permitted;
  // capset(2): new inheritable within old inheritable plus old permitted, and
  // within old inheritable plus the (already reduced) bounding set.
  s.inheritable = asked.inheritable & (current.inheritable | (current.permitted & s.bounding));
  s.effective = asked.effective & s.permitted;
  s.ambient = asked.ambient & s.permitted & s.inheritable;
  note_ungranted(plan.ungranted, "bounding", asked.bounding, s.bounding);
  note_ungranted(plan.ungranted, "permitted", asked.permitted, s.permitted);
  note_ungranted(plan.ungranted, "effective", asked.effective, s.effective);
  note_ungranted(plan.ungranted, "inheritable", asked.inheritable, s.inheritable);
  // An ambient capability missing from the config's own inheritable or
  // permitted set is dropped by the kernel's rule, not by this host: runc is
  // silent about it (its default spec asks for ambient without inheritable).
  note_ungranted(plan.ungranted, "ambient", asked.ambient & asked.permitted & asked.inheritable,
                 s.ambient);
  return plan;
}

Result<CapabilitySets> read_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, data) != 0) return fail_errno("capget");
  auto join = [&](auto field) {
    return CapMask{data[0].*field} | (CapMask{data[1].*field} << 32);
  };
  CapabilitySets sets;
  sets.permitted = join(&__user_cap_data_struct::permitted);
  sets.effective = join(&__user_cap_data_struct::effective);
  sets.inheritable = join(&__user_cap_data_struct::inheritable);
  int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    auto c = static_cast<unsigned long>(cap);
    if (::prctl(PR_CAPBSET_READ, c, 0UL, 0UL, 0UL) == 1) sets.bounding |= bit(cap);
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0UL, 0UL) == 1) sets.ambient |= bit(cap);
  }
  return sets;
}

Result<void> drop_bounding_set(CapMask keep) {
  int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    auto c = static_cast<unsigned long>(cap);
    if ((keep & bit(cap)) || ::prctl(PR_CAPBSET_READ, c, 0UL, 0UL, 0UL) != 1) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0UL, 0UL, 0UL) != 0)
      return fail_errno(fmt::format("drop {} from the bounding set", name_of(cap)));
  }
  return {};
}

Result<void> set_capabilities(const CapabilitySets& sets) {
  // libcap-ng keeps the pid of the thread that first used it; after clone3
  // that is the parent's, and capset on another pid fails.
  ::capng_setpid(static_cast<int>(::gettid()));
  ::capng_clear(CAPNG_SELECT_CAPS);
  struct Target {
    CapMask mask;
    capng_type_t type;
  };
  for (Target t : {Target{sets.permitted, CAPNG_PERMITTED}, Target{sets.effective, CAPNG_EFFECTIVE},
                   Target{sets.inheritable, CAPNG_INHERITABLE}}) {
    for (int cap = 0; cap < 64; ++cap) {
      if (!(t.mask & bit(cap))) continue;
      if (::capng_update(CAPNG_ADD, t.type, static_cast<unsigned>(cap)) != 0)
        return fail(fmt::format("libcap-ng does not know capability {}", name_of(cap)));
    }
  }
  errno = 0;
  if (::capng_apply(CAPNG_SELECT_CAPS) != 0)
    return fail_errno(fmt::format("capset permitted {} effective {} inheritable {}",
                                  format_mask(sets.permitted), format_mask(sets.effective),
                                  format_mask(sets.inheritable)),
                      errno ? errno : EPERM);
  return set_ambient(sets.ambient);
}

}  // namespace caps

Result<int> capability_from_name(std::string_view name) {
  if (auto cap = caps::lookup(name)) return *cap;
  return fail(fmt::format("unknown capability \"{}\"", name));
}

std::vector<std::string> known_capabilities() { return caps::name_table(); }

}  // namespace nucleus
