#include <string>

#include <catch2/catch.hpp>

#include "init/sysctl_rules.hpp"

using namespace nucleus::init;

namespace {

std::string refusal(std::string_view key, SysctlScope scope) {
  auto r = check_sysctl(key, scope);
  return r ? std::string() : r.error().what();
}

constexpr SysctlScope kAll{true, true, true};
constexpr SysctlScope kNone{};

}  // namespace

TEST_CASE("net.* needs the container's own network namespace") {
  CHECK(check_sysctl("net.ipv4.ip_forward", {false, false, true}));
  CHECK(refusal("net.ipv4.ip_forward", {true, true, false}) ==
        "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace");
}

TEST_CASE("the IPC sysctls and fs.mqueue.* need an IPC namespace") {
  for (auto key : {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                   "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.msg_max"}) {
    INFO(key);
    CHECK(check_sysctl(key, {true, false, false}));
    CHECK(refusal(key, {false, true, true}) ==
          "sysctl \"" + std::string(key) + "\" is not allowed in the hosts ipc namespace");
  }
}

TEST_CASE("kernel.domainname needs UTS; kernel.hostname conflicts with the hostname field") {
  CHECK(check_sysctl("kernel.domainname", {false, true, false}));
  CHECK(refusal("kernel.domainname", {true, false, true}) ==
        "sysctl \"kernel.domainname\" is not in a separate kernel namespace");
  CHECK(refusal("kernel.hostname", kAll) ==
        "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field");
  CHECK(refusal("kernel.hostname", kNone) ==
        "sysctl \"kernel.hostname\" is not in a separate kernel namespace");
}

TEST_CASE("anything else is refused whatever the namespaces") {
  for (auto key : {"kernel.foo", "vm.swappiness", "fs.file-max", "kernel.core_pattern", "kernel.msgmaxx",
                   "netfilter.x", "fs.mqueue"}) {
    INFO(key);
    CHECK(refusal(key, kAll) == "sysctl \"" + std::string(key) + "\" is not in a separate kernel namespace");
  }
}

TEST_CASE("keys with '/' are checked by their dotted name and must stay below their subtree") {
  CHECK(check_sysctl("net/ipv4/ip_forward", {false, false, true}));
  CHECK(refusal("kernel/shmmax", kNone) == "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace");
  CHECK(refusal("net/../kernel/core_pattern", kAll) ==
        "sysctl \"net/../kernel/core_pattern\" is not a valid sysctl name");
  CHECK_FALSE(check_sysctl("net..ipv4", kAll));
  CHECK_FALSE(check_sysctl("net.ipv4.", kAll));
  CHECK_FALSE(check_sysctl("net/./ipv4", kAll));
  CHECK_FALSE(check_sysctl("/net/ipv4", kAll));
}

TEST_CASE("sysctl_file maps either form onto /proc/sys") {
  CHECK(sysctl_file("net.ipv4.ip_forward") == "net/ipv4/ip_forward");
  CHECK(sysctl_file("net/ipv4/conf/eth0.100/forwarding") == "net/ipv4/conf/eth0.100/forwarding");
  CHECK(normalize_sysctl_key("net/ipv4/ip_forward") == "net.ipv4.ip_forward");
  CHECK(normalize_sysctl_key("net.ipv4.ip_forward") == "net.ipv4.ip_forward");
}

TEST_CASE("the scope follows the config's namespaces; joining our own counts as the host's") {
  oci::Linux l;
  CHECK_FALSE(sysctl_scope(l).net);
  l.namespaces.push_back({oci::NamespaceType::network, std::nullopt});
  l.namespaces.push_back({oci::NamespaceType::ipc, std::string("/proc/self/ns/ipc")});
  l.namespaces.push_back({oci::NamespaceType::uts, std::string("/proc/1/ns/uts-missing")});
  SysctlScope s = sysctl_scope(l);
  CHECK(s.net);
  CHECK_FALSE(s.ipc);  // the runtime's own IPC namespace
  CHECK(s.uts);        // unreadable: left to the namespace setup to report
  l.sysctl["kernel.shmmax"] = "1";
  auto r = validate_sysctls(l);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() ==
        "linux.sysctl[\"kernel.shmmax\"]: sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace");
  l.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.domainname", "x"}};
  CHECK(validate_sysctls(l));
}
