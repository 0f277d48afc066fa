// parse_config: types, ranges and required properties, with the JSON path of
// the offending value in every error; plus round trips of a full config.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "oci/parse.hpp"

namespace {

// A minimal valid config with `extra` members added.
std::string config_with(const std::string& extra) {
  std::string base = R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}})";
  if (extra.empty()) return base;
  return base.substr(0, base.size() - 1) + ", " + extra + "}";
}

std::string parse_error(const std::string& doc) {
  auto c = oci::parse_config(doc);
  INFO(doc);
  REQUIRE_FALSE(c.has_value());
  return c.error().what();
}

struct Case {
  const char* doc;       // members added to the minimal config (or a whole document)
  const char* expected;  // substring of the error
};

}  // namespace

TEST_CASE("parse_config rejects bad documents, naming the path") {
  const Case cases[] = {
      // syntax and document shape
      {"{]", "invalid JSON"},
      {R"({"ociVersion": "1.0.0"} x)", "invalid JSON: trailing garbage"},
      {"[]", "expected an object, got an array"},
      {R"({"root": {"path": "r"}})", "ociVersion: required property missing"},
      {R"({"ociVersion": 1})", "ociVersion: expected a string, got 1"},
      {R"({"ociVersion": null})", "ociVersion: expected a string, got null"},
      // scalar types are strict
      {R"("process": {"cwd": "/", "args": ["sh", 5]})", "process.args[1]: expected a string, got 5"},
      {R"("process": {"cwd": "/", "terminal": "true"})", "process.terminal: expected a boolean, got \"true\""},
      {R"("process": {"cwd": "/", "terminal": 1})", "process.terminal: expected a boolean, got 1"},
      {R"("linux": {"resources": {"memory": {"limit": "1g"}}})",
       "linux.resources.memory.limit: expected an integer, got \"1g\""},
      {R"("linux": {"resources": {"memory": {"limit": 1.5}}})", "linux.resources.memory.limit: expected an integer, got 1.5"},
      {R"("linux": {"resources": {"memory": {"limit": 1.0}}})", "expected an integer, got 1.0"},
      {R"("linux": {"resources": {"memory": {"swappiness": true}}})", "linux.resources.memory.swappiness: expected an integer, got true"},
      {R"("mounts": {"destination": "/x"})", "mounts: expected an array, got an object"},
      {R"("linux": "x")", "linux: expected an object, got \"x\""},
      {R"("annotations": {"foo": 1})", "annotations.foo: expected a string, got 1"},
      {R"("linux": {"sysctl": {"net.ipv4.ip_forward": 1}})", "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1"},
      {R"("hooks": {"poststop": [{"path": "/x", "timeout": "5"}]})", "hooks.poststop[0].timeout: expected an integer"},
      // integer ranges
      {R"("process": {"cwd": "/", "user": {"uid": -1, "gid": 0}})",
       "process.user.uid: expected an integer between 0 and 4294967295, got -1"},
      {R"("process": {"cwd": "/", "user": {"uid": 0, "gid": 4294967296}})", "process.user.gid: expected an integer between 0 and 4294967295"},
      {R"("linux": {"resources": {"blockIO": {"weight": 65536}}})", "linux.resources.blockIO.weight: expected an integer between 0 and 65535"},
      {R"("process": {"cwd": "/", "oomScoreAdj": 2147483648})", "process.oomScoreAdj: expected an integer between -2147483648 and 2147483647"},
      {R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]}})",
       "linux.seccomp.syscalls[0].args[0].value: expected an integer"},
      {R"("linux": {"resources": {"cpu": {"shares": -2}}})", "linux.resources.cpu.shares: expected an integer between 0 and 18446744073709551615"},
      {R"("linux": {"resources": {"memory": {"limit": 9223372036854775808}}})", "linux.resources.memory.limit: expected an integer between -9223372036854775808 and 9223372036854775807"},
      // required properties
      {R"({"ociVersion": "1.3.0", "root": {"readonly": true}})", "root.path: required property missing"},
      {R"("process": {"args": ["sh"]})", "process.cwd: required property missing"},
      {R"("process": {"cwd": "/", "consoleSize": {"height": 1}})", "process.consoleSize.width: required property missing"},
      {R"("process": {"cwd": "/", "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1}]})", "process.rlimits[0].soft: required property missing"},
      {R"("process": {"cwd": "/", "ioPriority": {"priority": 1}})", "process.ioPriority.class: required property missing"},
      {R"("process": {"cwd": "/", "scheduler": {"nice": 1}})", "process.scheduler.policy: required property missing"},
      {R"("mounts": [{"type": "proc"}])", "mounts[0].destination: required property missing"},
      {R"("mounts": [{"destination": "/x", "uidMappings": [{"containerID": 0, "hostID": 0}]}])", "mounts[0].uidMappings[0].size: required property missing"},
      {R"("hooks": {"prestart": [{"args": ["x"]}]})", "hooks.prestart[0].path: required property missing"},
      {R"("linux": {"namespaces": [{"path": "/proc/1/ns/pid"}]})", "linux.namespaces[0].type: required property missing"},
      {R"("linux": {"uidMappings": [{"hostID": 0, "size": 1}]})", "linux.uidMappings[0].containerID: required property missing"},
      {R"("linux": {"devices": [{"type": "c"}]})", "linux.devices[0].path: required property missing"},
      {R"("linux": {"devices": [{"path": "/dev/x"}]})", "linux.devices[0].type: required property missing"},
      {R"("linux": {"resources": {"devices": [{"access": "rwm"}]}})", "linux.resources.devices[0].allow: required property missing"},
      {R"("linux": {"resources": {"pids": {}}})", "linux.resources.pids.limit: required property missing"},
      {R"("linux": {"resources": {"hugepageLimits": [{"pageSize": "2MB"}]}})", "linux.resources.hugepageLimits[0].limit: required property missing"},
      {R"("linux": {"resources": {"blockIO": {"throttleReadBpsDevice": [{"minor": 0, "rate": 1}]}}})", "linux.resources.blockIO.throttleReadBpsDevice[0].major: required property missing"},
      {R"("linux": {"resources": {"blockIO": {"weightDevice": [{"major": 8, "weight": 10}]}}})", "linux.resources.blockIO.weightDevice[0].minor: required property missing"},
      {R"("linux": {"resources": {"network": {"priorities": [{"name": "eth0"}]}}})", "linux.resources.network.priorities[0].priority: required property missing"},
      {R"("linux": {"seccomp": {"syscalls": []}})", "linux.seccomp.defaultAction: required property missing"},
      {R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"]}]}})", "linux.seccomp.syscalls[0].action: required property missing"},
      {R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}})", "linux.seccomp.syscalls[0].names: required property missing"},
      {R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1}]}]}})", "linux.seccomp.syscalls[0].args[0].op: required property missing"},
      // enums decoded at parse time
      {R"("linux": {"namespaces": [{"type": "pid"}, {"type": "foo"}]})", "linux.namespaces[1].type: unknown namespace type \"foo\""},
      // other platforms' sections are checked, not modelled
      {R"("freebsd": {"jail": {"vnet": "disable"}})", "freebsd.jail.vnet: expected one of new,inherit, got \"disable\""},
      {R"("freebsd": {"devices": [{"path": "/dev/x", "mode": 512}]})", "freebsd.devices[0].mode: expected an integer between 0 and 511"},
      {R"("freebsd": {"jail": {"enforceStatfs": 256}})", "freebsd.jail.enforceStatfs: expected an integer between 0 and 255"},
      {R"("windows": {"servicing": true})", "windows.layerFolders: required property missing"},
      {R"("windows": {"layerFolders": []})", "windows.layerFolders: expected at least 1 item(s)"},
      {R"("windows": {"layerFolders": ["C:\\l"], "devices": [{"id": "x", "idType": "vpci"}]})", "windows.devices[0].idType: expected one of class"},
      {R"("vm": {"hypervisor": {"path": "/h"}})", "vm.kernel: required property missing"},
      {R"("vm": {"kernel": {"path": "/k"}, "image": {"path": "/i", "format": "iso"}})", "vm.image.format: expected one of raw,qcow2,vdi,vmdk,vhd"},
      {R"("zos": {"namespaces": [{"type": "network"}]})", "zos.namespaces[0].type: expected one of mount,pid,uts,ipc"},
      {R"("solaris": {"anet": [{"linkname": 5}]})", "solaris.anet[0].linkname: expected a string, got 5"},
      {R"("solaris": [])", "solaris: expected an object, got an array"},
  };
  for (const auto& c : cases) {
    std::string doc = c.doc[0] == '{' || c.doc[0] == '[' ? c.doc : config_with(c.doc);
    CHECK_THAT(parse_error(doc), Catch::Contains(c.expected));
  }
}

// As runc (Go's encoding/json) reads a repeated member: into what the first
// one left, so a second "root" object adds to the first.
TEST_CASE("parse_config: a repeated member decodes into the first") {
  auto c = oci::parse_config(config_with(R"("hostname": "a", "root": {"readonly": true}, "hostname": "b")"));
  REQUIRE(c.has_value());
  CHECK(c->root->path == "rootfs");
  CHECK(c->root->readonly);
  CHECK(c->hostname == "b");
}

TEST_CASE("parse_config: unknown properties ignored, null means absent") {
  auto c = oci::parse_config(config_with(
      R"("process": null, "x-vendor": {"anything": [1]}, "linux": {"future": true, "resources": {"memory": null}},
         "windows": null)"));
  REQUIRE(c.has_value());
  CHECK_FALSE(c->process.has_value());
  REQUIRE(c->linux.has_value());
  REQUIRE(c->linux->resources.has_value());
  CHECK_FALSE(c->linux->resources->memory.has_value());
}

TEST_CASE("parse_config: values at the edges of their ranges") {
  auto c = oci::parse_config(config_with(
      R"("process": {"cwd": "/", "args": ["sh"], "user": {"uid": 4294967295, "gid": 0}, "oomScoreAdj": -1000},
         "linux": {"resources": {"memory": {"limit": -1, "swap": 9223372036854775807},
                                 "cpu": {"shares": 18446744073709551615}}})"));
  REQUIRE(c.has_value());
  CHECK(c->process->user.uid == 4294967295U);
  CHECK(c->process->oom_score_adj == -1000);
  CHECK(c->linux->resources->memory->limit == -1);
  CHECK(c->linux->resources->memory->swap == INT64_MAX);
  CHECK(c->linux->resources->cpu->shares == UINT64_MAX);
}

TEST_CASE("parse_config: a full Linux config round-trips") {
  std::string doc = config_with(R"(
    "hostname": "h", "domainname": "",
    "process": {"terminal": true, "consoleSize": {"height": 24, "width": 80},
      "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [3, 4]},
      "args": ["sh", "-c", "true"], "env": ["A=1"], "cwd": "/",
      "capabilities": {"bounding": ["CAP_KILL"], "effective": [], "ambient": ["CAP_KILL"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
      "noNewPrivileges": true, "apparmorProfile": "p", "oomScoreAdj": 0,
      "scheduler": {"policy": "SCHED_FIFO", "priority": 1, "flags": ["SCHED_FLAG_RECLAIM"]},
      "selinuxLabel": "l", "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 0},
      "execCPUAffinity": {"initial": "0", "final": "0-1"}},
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/m", "type": "bind", "source": "/s", "options": ["rbind", "idmap"],
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}],
    "hooks": {"prestart": [{"path": "/a"}], "createRuntime": [{"path": "/b", "args": ["b"], "env": ["X=1"], "timeout": 3}],
              "createContainer": [{"path": "/c"}], "startContainer": [{"path": "/d"}],
              "poststart": [{"path": "/e"}], "poststop": [{"path": "/f"}]},
    "annotations": {"a.b": "c", "e": ""},
    "linux": {
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 65536}],
      "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 65536}],
      "sysctl": {"net.ipv4.ip_forward": "1"},
      "resources": {
        "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
        "memory": {"limit": 1000000, "reservation": 1, "swap": 2, "kernel": 3, "kernelTCP": 4, "swappiness": 5,
                   "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
        "cpu": {"shares": 1024, "quota": 100000, "burst": 10, "period": 100000, "realtimeRuntime": 1,
                "realtimePeriod": 2, "cpus": "0-1", "mems": "0", "idle": 0},
        "pids": {"limit": 0},
        "blockIO": {"weight": 10, "leafWeight": 10, "weightDevice": [{"major": 8, "minor": 0, "weight": 500}],
                    "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                    "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 0}],
                    "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 1}],
                    "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 2}]},
        "hugepageLimits": [{"pageSize": "2MB", "limit": 9223372036854771712}],
        "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
        "rdma": {"mlx5_1": {"hcaHandles": 3}},
        "unified": {"memory.high": "max"}},
      "cgroupsPath": "/a/b",
      "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"}, {"type": "mount"},
                     {"type": "ipc"}, {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}],
      "timeOffsets": {"monotonic": {"secs": 1, "nanosecs": 2}, "boottime": {"secs": -5}},
      "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                  {"path": "/dev/p", "type": "p"}],
      "netDevices": {"eth1": {"name": "ceth1"}, "eth2": {}},
      "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                  "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/s.sock", "listenerMetadata": "m",
                  "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                               {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                                "args": [{"index": 1, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
                                         {"index": 0, "value": 1, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]}]},
      "rootfsPropagation": "slave",
      "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"], "mountLabel": "ml",
      "intelRdt": {"closID": "c", "l3CacheSchema": "L3:0=f", "memBwSchema": "MB:0=20", "schemata": ["L2:0=f"],
                   "enableMonitoring": true, "enableCMT": true, "enableMBM": false},
      "memoryPolicy": {"mode": "MPOL_BIND", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"]},
      "personality": {"domain": "LINUX32"}})");
  auto c = oci::parse_config(doc);
  INFO((c ? "" : c.error().what()));
  REQUIRE(c.has_value());
  auto ok = oci::validate(*c);
  INFO((ok ? "" : ok.error().what()));
  CHECK(ok.has_value());

  // Spot checks that each area was decoded into the right member.
  CHECK(c->domainname == std::optional<std::string>(""));
  CHECK(c->process->console_size->width == 80);
  CHECK(c->process->user.umask == 18U);
  CHECK(c->process->capabilities->effective == std::vector<std::string>{});
  CHECK_FALSE(c->process->capabilities->permitted.has_value());
  CHECK(c->process->io_priority->io_class == "IOPRIO_CLASS_BE");
  CHECK(c->hooks.create_runtime[0].timeout == 3);
  CHECK(c->mounts[1].uid_mappings[0].host_id == 1000U);
  CHECK(c->linux->namespaces[1].type == oci::NamespaceType::network);
  CHECK(c->linux->namespaces[1].path == "/proc/1/ns/net");
  CHECK(c->linux->find_namespace(oci::NamespaceType::time) != nullptr);
  CHECK(c->linux->time_offsets.at("boottime").secs == -5);
  CHECK(c->linux->resources->block_io->throttle_write_iops_device[0].rate == 2);
  CHECK(c->linux->resources->rdma.at("mlx5_1").hca_handles == 3U);
  CHECK_FALSE(c->linux->resources->rdma.at("mlx5_1").hca_objects.has_value());
  CHECK(c->linux->seccomp->syscalls[1].args[1].value_two == 3);
  CHECK(c->linux->net_devices.at("eth2").name.empty());
  CHECK(c->linux->intel_rdt->enable_monitoring);
  CHECK(c->linux->personality->domain == "LINUX32");

  // Round trip, compact and indented, and the written text is stable.
  std::string once = oci::to_json(*c);
  auto again = oci::parse_config(once);
  REQUIRE(again.has_value());
  CHECK(*again == *c);
  CHECK(oci::to_json(*again) == once);
  CHECK(oci::parse_config(oci::to_json(*c, {.indent = 4})).value() == *c);
  CHECK(oci::config_from_value(oci::to_value(*c)).value() == *c);
}

TEST_CASE("to_json(Config) writes fields in the spec's order and omits absent ones") {
  oci::Config c;
  c.oci_version = "1.3.0";
  c.root = oci::Root{"rootfs", false};
  c.hostname = std::string("h");
  c.linux.emplace();
  c.linux->namespaces = {{oci::NamespaceType::uts, std::nullopt}};
  c.process.emplace();
  c.process->cwd = std::string("/");
  c.process->args = {"sh"};
  CHECK(oci::to_json(c) ==
        R"({"ociVersion":"1.3.0","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},)"
        R"("root":{"path":"rootfs"},"hostname":"h","linux":{"namespaces":[{"type":"uts"}]}})");
}

TEST_CASE("load_config names the file in its errors") {
  char tmpl[] = "/tmp/oci-spec-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::filesystem::path dir = tmpl;
  auto file = dir / "config.json";

  auto missing = oci::load_config(file);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().what() == "open " + file.string() + ": no such file or directory");

  std::ofstream(file) << R"({"ociVersion": "1.0.0", "linux": {"resources": {"memory": {"limit": "1g"}}}})";
  auto bad = oci::load_config(file);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().what() ==
        file.string() + ": linux.resources.memory.limit: expected an integer, got \"1g\"");

  std::ofstream(file) << "{";
  auto broken = oci::load_config(file);
  REQUIRE_FALSE(broken.has_value());
  CHECK_THAT(broken.error().what(), Catch::StartsWith(file.string() + ": invalid JSON"));

  std::ofstream(file) << config_with("");
  auto good = oci::load_config(file);
  REQUIRE(good.has_value());
  CHECK(good->root->path == "rootfs");

  std::filesystem::remove_all(dir);
}

TEST_CASE("namespace type names") {
  using oci::NamespaceType;
  for (auto t : {NamespaceType::pid, NamespaceType::network, NamespaceType::mount, NamespaceType::ipc,
                 NamespaceType::uts, NamespaceType::user, NamespaceType::cgroup, NamespaceType::time})
    CHECK(oci::namespace_type_from_name(oci::namespace_type_name(t)) == t);
  CHECK(oci::namespace_type_name(NamespaceType::network) == "network");
  CHECK_FALSE(oci::namespace_type_from_name("net").has_value());
}
