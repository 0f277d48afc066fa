#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sstream>

#include <catch2/catch.hpp>

#include "in_child.hpp"
#include "nucleus/log.hpp"
#include "security/capabilities.hpp"
#include "security/process_setup.hpp"

using namespace nucleus;
using namespace nucleus::test;
using nucleus::caps::bit;
using nucleus::caps::CapabilitySets;

namespace {

// The Cap* lines of a /proc/<pid>/status text, in a fixed order.
std::string cap_lines(const std::string& status) {
  std::istringstream in(status);
  std::string line, inh, prm, eff, bnd, amb;
  while (std::getline(in, line)) {
    auto value = [&] { return line.substr(line.find_first_not_of(" \t", 7)); };
    if (line.starts_with("CapInh:")) inh = value();
    if (line.starts_with("CapPrm:")) prm = value();
    if (line.starts_with("CapEff:")) eff = value();
    if (line.starts_with("CapBnd:")) bnd = value();
    if (line.starts_with("CapAmb:")) amb = value();
  }
  return fmt::format("Bnd={} Prm={} Eff={} Inh={} Amb={}", bnd, prm, eff, inh, amb);
}

std::string hex(std::uint64_t mask) { return fmt::format("{:016x}", mask); }

constexpr std::uint64_t kDefault =
    (1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE);

std::vector<std::string> default_caps() {
  return {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
}

std::vector<std::string> logged;
void record(log::Level, std::string_view message) { logged.emplace_back(message); }

}  // namespace

TEST_CASE("capability names map to numbers known to libcap-ng and the kernel",
          "[security][caps]") {
  CHECK(capability_from_name("CAP_CHOWN") == 0);
  CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == 10);
  CHECK(capability_from_name("CAP_SYS_ADMIN") == 21);
  CHECK(outcome(capability_from_name("cap_chown")) == "unknown capability \"cap_chown\"");
  CHECK(outcome(capability_from_name("CHOWN")) == "unknown capability \"CHOWN\"");
  CHECK(outcome(capability_from_name("CAP_FOO")) == "unknown capability \"CAP_FOO\"");

  auto known = known_capabilities();
  REQUIRE(known.size() == static_cast<std::size_t>(caps::last_capability() + 1));
  CHECK(known.front() == "CAP_CHOWN");
  CHECK(known[CAP_KILL] == "CAP_KILL");
  for (std::size_t i = 0; i < known.size(); ++i)
    CHECK(capability_from_name(known[i]) == static_cast<int>(i));
}

TEST_CASE("the plan keeps what can be granted and names the rest", "[security][caps]") {
  CapabilitySets current;
  current.bounding = current.permitted = current.effective = ~bit(24);  // no CAP_SYS_RESOURCE
  oci::Capabilities asked;
  asked.bounding = asked.permitted = asked.effective = asked.inheritable =
      std::vector<std::string>{"CAP_KILL", "CAP_SYS_RESOURCE", "CAP_FOO"};
  asked.ambient = std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"};
  auto plan = caps::plan_capabilities(asked, current);
  CHECK(plan.sets.bounding == bit(CAP_KILL));
  CHECK(plan.sets.permitted == bit(CAP_KILL));
  CHECK(plan.sets.effective == bit(CAP_KILL));
  CHECK(plan.sets.inheritable == bit(CAP_KILL));
  CHECK(plan.sets.ambient == bit(CAP_KILL));
  CHECK(plan.unknown == std::vector<std::string>{"CAP_FOO"});
  CHECK(plan.warnings() ==
        std::vector<std::string>{"ignoring unknown or unavailable capabilities: [CAP_FOO]"});
  auto grantable = plan.check_grantable();
  REQUIRE_FALSE(grantable);
  // CAP_CHOWN: the config's own sets lack it, so it is not named.
  CHECK(grantable.error().what() ==
        "unable to apply caps: bounding [CAP_SYS_RESOURCE], permitted [CAP_SYS_RESOURCE], effective "
        "[CAP_SYS_RESOURCE], inheritable [CAP_SYS_RESOURCE] not in the runtime's own sets: operation "
        "not permitted");

  // Effective outside permitted, inheritable outside the new bounding set.
  oci::Capabilities odd;
  odd.bounding = std::vector<std::string>{"CAP_KILL"};
  odd.permitted = std::vector<std::string>{"CAP_KILL"};
  odd.effective = std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"};
  odd.inheritable = std::vector<std::string>{"CAP_CHOWN"};
  plan = caps::plan_capabilities(odd, current);
  CHECK(plan.sets.effective == bit(CAP_KILL));
  CHECK(plan.sets.inheritable == 0);
  CHECK(plan.ungranted ==
        std::vector<std::string>{"effective [CAP_CHOWN]", "inheritable [CAP_CHOWN]"});

  // No capabilities object: nothing, silently.
  plan = caps::plan_capabilities(std::nullopt, current);
  CHECK(plan.sets == CapabilitySets{});
  CHECK(plan.warnings().empty());
}

TEST_CASE("runc's default capabilities as uid 0", "[security][caps]") {
  if (!is_root()) return;
  auto report = in_child([](int) {
    oci::Process p;
    p.cwd = "/";
    p.capabilities = oci::Capabilities{};
    p.capabilities->bounding = p.capabilities->permitted = p.capabilities->effective =
        default_caps();
    auto r = apply_identity_and_capabilities(p);
    return fmt::format("{} {}", outcome(r), cap_lines(read_file("/proc/self/status")));
  });
  CHECK(report == fmt::format("ok Bnd={0} Prm={0} Eff={0} Inh={1} Amb={1}", hex(kDefault), hex(0)));
}

TEST_CASE("uid 1000 with ambient capabilities keeps them across exec", "[security][caps]") {
  if (!is_root()) return;
  constexpr std::uint64_t effective = (1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL);
  constexpr std::uint64_t ambient = 1ULL << CAP_NET_BIND_SERVICE;
  auto config = [] {
    oci::Process p = {};
    p.user.uid = 1000;
    p.user.gid = 1000;
    p.cwd = "/";
    oci::Capabilities c;
    c.bounding = c.permitted = c.inheritable = default_caps();
    c.effective = std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL"};
    c.ambient = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
    p.capabilities = c;
    return p;
  };
  auto report = in_child([&](int) {
    auto r = apply_identity_and_capabilities(config());
    return fmt::format("{} {}", outcome(r), cap_lines(read_file("/proc/self/status")));
  });
  CHECK(report == fmt::format("ok Bnd={0} Prm={0} Eff={1} Inh={0} Amb={2}", hex(kDefault),
                              hex(effective), hex(ambient)));

  // After execve a non-root process has exactly its ambient set in
  // permitted and effective.
  report = in_child([&](int fd) {
    auto r = apply_identity_and_capabilities(config());
    if (!r) return r.error().what();
    ::dup2(fd, 1);
    ::execl("/bin/cat", "cat", "/proc/self/status", static_cast<char*>(nullptr));
    return std::string("exec failed");
  });
  CHECK(cap_lines(report) == fmt::format("Bnd={0} Prm={1} Eff={1} Inh={0} Amb={1}", hex(kDefault),
                                         hex(ambient)));
}

TEST_CASE("no capabilities object drops every capability", "[security][caps]") {
  if (!is_root()) return;
  auto report = in_child([](int) {
    oci::Process p;
    p.cwd = "/";
    auto r = apply_identity_and_capabilities(p);
    return fmt::format("{} {}", outcome(r), cap_lines(read_file("/proc/self/status")));
  });
  CHECK(report == fmt::format("ok Bnd={0} Prm={0} Eff={0} Inh={0} Amb={0}", hex(0)));
}

TEST_CASE("unknown capabilities are warned about and ignored; ungrantable ones fail",
          "[security][caps]") {
  if (!is_root()) return;
  auto report = in_child([](int) {
    logged.clear();
    log::set_sink(record);
    bool has_resource = ::prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1;
    oci::Process p;
    p.cwd = "/";
    p.capabilities = oci::Capabilities{};
    p.capabilities->bounding = p.capabilities->permitted =
        std::vector<std::string>{"CAP_KILL", "CAP_SYS_RESOURCE", "CAP_FOO"};
    auto r = apply_identity_and_capabilities(p);
    std::string warnings;
    for (const auto& w : logged) warnings += w + ";";
    auto want_prm = (1ULL << CAP_KILL) | (has_resource ? 1ULL << CAP_SYS_RESOURCE : 0);
    return fmt::format("{} prm-ok={} {}", outcome(r),
                       status_field("CapPrm") == hex(want_prm), warnings);
  });
  std::string expected = "ok prm-ok=true ignoring unknown or unavailable capabilities: [CAP_FOO];";
  // This project's CI host: root lacks CAP_SYS_RESOURCE in its bounding set.
  std::string quirk =
      "unable to apply caps: bounding [CAP_SYS_RESOURCE], permitted [CAP_SYS_RESOURCE] not in the "
      "runtime's own sets: operation not permitted prm-ok=false ignoring unknown or unavailable "
      "capabilities: [CAP_FOO];";
  CHECK((report == expected || report == quirk));
}
