// validate(): one hand-written document per rule, each rejected with an
// error that names the JSON path; and documents that must be accepted.
#include <catch2/catch.hpp>

#include "oci/parse.hpp"

namespace {

// A valid Linux config with `extra` members added; `linux` members go in
// `linux_extra` (the base has pid, mount, uts namespaces).
std::string doc(const std::string& extra, const std::string& linux_extra = "") {
  std::string linux = R"("linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"})";
  linux += linux_extra.empty() ? "]}" : "], " + linux_extra + "}";
  std::string process = R"("process": {"cwd": "/", "args": ["sh"]})";
  std::string out = R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, )";
  // Let `extra` replace the default process or linux section.
  if (extra.find("\"process\"") == std::string::npos) out += process + ", ";
  if (extra.find("\"linux\"") == std::string::npos) out += linux + ", ";
  out += extra.empty() ? R"("hostname": "x")" : extra;
  return out + "}";
}

std::string process(const std::string& members) {
  return R"("process": {"cwd": "/", "args": ["sh"], )" + members + "}";
}

std::string seccomp(const std::string& members) {
  return R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW", )" + members + "}";
}

std::string syscall(const std::string& members) {
  return seccomp(R"("syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", )" + members + "}]");
}

struct Case {
  std::string doc;
  std::string expected;  // the whole error text
};

void check_rejected(const Case& c) {
  INFO(c.doc);
  auto config = oci::parse_config(c.doc);
  INFO((config ? "" : config.error().what()));
  REQUIRE(config.has_value());
  auto result = oci::validate(*config);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().what() == c.expected);
}

void check_accepted(const std::string& d) {
  INFO(d);
  auto config = oci::parse_config(d);
  INFO((config ? "" : config.error().what()));
  REQUIRE(config.has_value());
  auto result = oci::validate(*config);
  INFO((result ? "" : result.error().what()));
  CHECK(result.has_value());
}

}  // namespace

TEST_CASE("validate: the base document is valid") {
  auto c = oci::parse_config(doc(""));
  REQUIRE(c.has_value());
  CHECK(oci::validate(*c).has_value());
}

TEST_CASE("validate rejects each rule's violation, naming the path") {
  const Case cases[] = {
      // document
      {R"({"ociVersion": "1.0", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "1.0")"},
      {R"({"ociVersion": "01.0.0", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "01.0.0")"},
      {R"({"ociVersion": "1.0.0-", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "1.0.0-")"},
      {R"({"ociVersion": "1.0.0-01", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "1.0.0-01")"},
      {R"({"ociVersion": "1.0.0+a..b", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "1.0.0+a..b")"},
      {R"({"ociVersion": "v1.0.0", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "v1.0.0")"},
      {R"({"ociVersion": "1.0.0.0", "root": {"path": "r"}})", R"(ociVersion: expected a SemVer 2.0 version, got "1.0.0.0")"},
      {R"({"ociVersion": "1.0.0"})", "root: required on Linux"},
      {R"({"ociVersion": "1.0.0", "root": {"path": ""}})", "root.path: must not be empty"},
      {doc(R"("annotations": {"": "x"})"), R"(annotations[""]: keys must not be empty)"},
      {doc(R"("hostname": "h", "linux": {})"), "hostname: requires a uts namespace"},
      {doc(R"("domainname": "d", "linux": {"namespaces": [{"type": "pid"}]})"), "domainname: requires a uts namespace"},
      // Without a mount namespace these would land in the host's mount table.
      {doc(R"("mounts": [{"destination": "/proc", "type": "proc"}], "linux": {})"), "mounts: requires a mount namespace"},
      {doc(R"("linux": {"maskedPaths": ["/proc/kcore"]})"), "linux.maskedPaths: requires a mount namespace"},
      {doc(R"("linux": {"readonlyPaths": ["/proc/sys"]})"), "linux.readonlyPaths: requires a mount namespace"},
      {doc(R"("linux": {"rootfsPropagation": "slave"})"), "linux.rootfsPropagation: requires a mount namespace"},
      // mounts
      {doc(R"("mounts": [{"destination": ""}])"), "mounts[0].destination: must not be empty"},
      {doc(R"("mounts": [{"destination": "/a"}, {"destination": "/b", "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}])"),
       "mounts[1].uidMappings: uidMappings and gidMappings must be given together"},
      {doc(R"("mounts": [{"destination": "/b", "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}])"),
       "mounts[0].gidMappings: uidMappings and gidMappings must be given together"},
      // process
      {doc(R"("process": {"cwd": "/", "args": []})"), "process.args: must not be empty"},
      {doc(R"("process": {"cwd": "/"})"), "process.args: must not be empty"},
      {doc(R"("process": {"cwd": "tmp", "args": ["sh"]})"), R"(process.cwd: must be an absolute path, got "tmp")"},
      {doc(process(R"("env": ["A=1", "FOO"])")), R"(process.env[1]: expected KEY=VALUE, got "FOO")"},
      {doc(process(R"("env": ["=x"])")), R"(process.env[0]: expected KEY=VALUE, got "=x")"},
      {doc(process(R"("capabilities": {"effective": ["chown"]})")), R"(process.capabilities.effective[0]: invalid capability name "chown")"},
      {doc(process(R"("capabilities": {"ambient": ["CAP_KILL", "CAP_"]})")), R"(process.capabilities.ambient[1]: invalid capability name "CAP_")"},
      {doc(process(R"("rlimits": [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}])")), R"(process.rlimits[0].type: unknown rlimit "RLIMIT_FOO")"},
      {doc(process(R"("rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 1}, {"type": "RLIMIT_NOFILE", "hard": 2, "soft": 2}])")),
       R"(process.rlimits[1].type: rlimit "RLIMIT_NOFILE" listed twice)"},
      {doc(process(R"("rlimits": [{"type": "RLIMIT_CORE", "hard": 5, "soft": 10}])")), "process.rlimits[0]: soft limit 10 exceeds hard limit 5"},
      {doc(process(R"("ioPriority": {"class": "IOPRIO_CLASS_X"})")), R"(process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_X")"},
      {doc(process(R"("ioPriority": {"class": "IOPRIO_CLASS_RT", "priority": 8})")), "process.ioPriority.priority: must be between 0 and 7, got 8"},
      {doc(process(R"("scheduler": {"policy": "SCHED_X"})")), R"(process.scheduler.policy: unknown scheduler policy "SCHED_X")"},
      {doc(process(R"("scheduler": {"policy": "SCHED_RR", "flags": ["SCHED_FLAG_X"]})")), R"(process.scheduler.flags[0]: unknown scheduler flag "SCHED_FLAG_X")"},
      {doc(process(R"("execCPUAffinity": {"initial": "0-3", "final": "all"})")), R"(process.execCPUAffinity.final: expected a CPU list like "0-3,7", got "all")"},
      // hooks
      {doc(R"("hooks": {"poststop": [{"path": "/ok"}, {"path": "rel"}]})"), R"(hooks.poststop[1].path: must be an absolute path, got "rel")"},
      {doc(R"("hooks": {"createContainer": [{"path": "/x", "timeout": 0}]})"), "hooks.createContainer[0].timeout: must be greater than zero, got 0"},
      // linux: namespaces and what needs them
      {doc(R"("linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "pid"}]})"),
       R"(linux.namespaces[2].type: namespace "pid" listed twice)"},
      {doc(R"("linux": {"namespaces": [{"type": "uts", "path": "proc/1/ns/uts"}]})"), R"(linux.namespaces[0].path: must be an absolute path, got "proc/1/ns/uts")"},
      {doc("", R"("uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}])"), "linux.uidMappings: requires a user namespace"},
      {doc("", R"("gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}])"), "linux.gidMappings: requires a user namespace"},
      {doc("", R"("timeOffsets": {"monotonic": {"secs": 1}})"), "linux.timeOffsets: requires a time namespace"},
      {doc(R"("linux": {"namespaces": [{"type": "uts"}, {"type": "time"}], "timeOffsets": {"realtime": {"secs": 1}}})"),
       R"(linux.timeOffsets.realtime: unknown clock "realtime" (expected monotonic or boottime))"},
      {doc("", R"("netDevices": {"eth0": {}})"), "linux.netDevices: requires a network namespace"},
      {doc(R"("linux": {"namespaces": [{"type": "uts"}, {"type": "network"}], "netDevices": {"a/b": {}}})"),
       R"(linux.netDevices["a/b"]: invalid interface name "a/b")"},
      {doc(R"("linux": {"namespaces": [{"type": "uts"}, {"type": "network"}], "netDevices": {"eth0": {"name": "much-too-long-name"}}})"),
       R"(linux.netDevices.eth0.name: invalid interface name "much-too-long-name")"},
      // linux: devices
      {doc("", R"("devices": [{"type": "x", "path": "/dev/x"}])"), R"(linux.devices[0].type: unknown device type "x")"},
      {doc("", R"("devices": [{"type": "c", "path": "dev/x", "major": 1, "minor": 1}])"), R"(linux.devices[0].path: must be an absolute path, got "dev/x")"},
      {doc("", R"("devices": [{"type": "b", "path": "/dev/x", "major": 1}])"), R"(linux.devices[0]: major and minor are required for type "b")"},
      {doc("", R"("devices": [{"type": "c", "path": "/dev/x", "major": 1, "minor": 1, "fileMode": 512}])"), "linux.devices[0].fileMode: must be at most 511 (0777), got 512"},
      // linux: resources
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "x"}]})"), R"(linux.resources.devices[0].type: unknown device type "x")"},
      {doc("", R"("resources": {"devices": [{"allow": true, "access": "rwx"}]})"), R"(linux.resources.devices[0].access: expected a combination of r, w and m, got "rwx")"},
      {doc("", R"("resources": {"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "access": "a"}]})"), R"(linux.resources.devices[1].access: expected a combination of r, w and m, got "a")"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "c", "access": "RW"}]})"), R"(linux.resources.devices[0].access: expected a combination of r, w and m, got "RW")"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "c", "major": 1}]})"), "linux.resources.devices[0].access: must not be empty (a combination of r, w and m)"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "c", "access": ""}]})"), "linux.resources.devices[0].access: must not be empty (a combination of r, w and m)"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "c", "major": -2, "access": "r"}]})"), "linux.resources.devices[0].major: must be -1 (any) or between 0 and 4095, got -2"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "c", "major": 4096, "access": "r"}]})"), "linux.resources.devices[0].major: must be -1 (any) or between 0 and 4095, got 4096"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "b", "major": 8, "minor": 1048576, "access": "r"}]})"), "linux.resources.devices[0].minor: must be -1 (any) or between 0 and 1048575, got 1048576"},
      {doc("", R"("resources": {"devices": [{"allow": true, "type": "b", "major": 4294967295, "access": "r"}]})"), "linux.resources.devices[0].major: must be -1 (any) or between 0 and 4095, got 4294967295"},
      {doc("", R"("resources": {"hugepageLimits": [{"pageSize": "64kB", "limit": 1}]})"), R"(linux.resources.hugepageLimits[0].pageSize: expected a page size like "2MB", got "64kB")"},
      {doc("", R"("resources": {"hugepageLimits": [{"pageSize": "02MB", "limit": 1}]})"), R"(linux.resources.hugepageLimits[0].pageSize: expected a page size like "2MB", got "02MB")"},
      {doc("", R"("resources": {"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}})"), "linux.resources.blockIO.weightDevice[0]: weight or leafWeight is required"},
      {doc("", R"("resources": {"rdma": {"mlx5_1": {}}})"), "linux.resources.rdma.mlx5_1: hcaHandles or hcaObjects is required"},
      {doc("", R"("resources": {"cpu": {"quota": 100, "burst": 200}})"), "linux.resources.cpu.burst: must not exceed quota (100), got 200"},
      {doc("", R"("resources": {"memory": {"limit": -2}})"), "linux.resources.memory.limit: must be -1 (unlimited) or a number of bytes, got -2"},
      {doc("", R"("resources": {"memory": {"swap": -5}})"), "linux.resources.memory.swap: must be -1 (unlimited) or a number of bytes, got -5"},
      {doc("", R"("resources": {"memory": {"swappiness": 101}})"), "linux.resources.memory.swappiness: invalid memory swappiness value: 101 (valid range is 0-100)"},
      {doc("", R"("resources": {"cpu": {"shares": 1}})"), "linux.resources.cpu.shares: the minimum allowed cpu-shares is 2"},
      {doc("", R"("resources": {"cpu": {"shares": 262145}})"), "linux.resources.cpu.shares: the maximum allowed cpu-shares is 262144"},
      {doc("", R"("resources": {"cpu": {"period": 999}})"), "linux.resources.cpu.period: must be between 1000 and 1000000 (1 ms to 1 s), got 999"},
      {doc("", R"("resources": {"cpu": {"period": 1000001}})"), "linux.resources.cpu.period: must be between 1000 and 1000000 (1 ms to 1 s), got 1000001"},
      {doc("", R"("resources": {"cpu": {"quota": 500}})"), "linux.resources.cpu.quota: must be between 1000 and 17592186044415 (at least 1 ms), or negative for no limit, got 500"},
      {doc("", R"("resources": {"cpu": {"realtimeRuntime": 2000, "realtimePeriod": 1000}})"), "linux.resources.cpu.realtimeRuntime: must not exceed realtimePeriod (1000), got 2000"},
      {doc("", R"("resources": {"cpu": {"cpus": "0-a"}})"), R"(linux.resources.cpu.cpus: expected a list like "0-3,7", got "0-a")"},
      {doc("", R"("resources": {"cpu": {"mems": "3-1"}})"), R"(linux.resources.cpu.mems: expected a list like "0-3,7", got "3-1")"},
      {doc("", R"("resources": {"cpu": {"idle": 2}})"), "linux.resources.cpu.idle: must be 0 or 1, got 2"},
      {doc("", R"("resources": {"cpu": {"idle": 1, "shares": 512}})"), "linux.resources.cpu.idle: an idle cgroup has the minimum weight: shares cannot be set with it"},
      {doc("", R"("resources": {"blockIO": {"weight": 5}})"), "linux.resources.blockIO.weight: must be between 10 and 1000, got 5"},
      {doc("", R"("resources": {"blockIO": {"throttleReadBpsDevice": [{"major": -1, "minor": 0, "rate": 1}]}})"), "linux.resources.blockIO.throttleReadBpsDevice[0].major: must be between 0 and 4095, got -1"},
      {doc("", R"("resources": {"network": {"priorities": [{"name": "a/b", "priority": 1}]}})"), R"(linux.resources.network.priorities[0].name: invalid interface name "a/b")"},
      {doc("", R"("resources": {"rdma": {"mlx 5": {"hcaHandles": 1}}})"), R"(linux.resources.rdma["mlx 5"]: invalid RDMA device name "mlx 5")"},
      {doc("", R"("resources": {"unified": {"../cgroup.procs": "1"}})"), R"(linux.resources.unified["../cgroup.procs"]: unified resource "../cgroup.procs" must be a file name (no slashes))"},
      {doc("", R"("resources": {"unified": {"memory": "1"}})"), R"(linux.resources.unified.memory: unified resource "memory" must be in the form CONTROLLER.PARAMETER)"},
      {doc("", R"("resources": {"unified": {"cgroup.procs": "1"}})"), R"(linux.resources.unified["cgroup.procs"]: unified resource "cgroup.procs" is not a limit and cannot be set)"},
      // linux: seccomp
      {doc("", R"("seccomp": {"defaultAction": "SCMP_ACT_X"})"), R"(linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_X")"},
      {doc("", R"("seccomp": {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/s"})"), "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action"},
      {doc("", R"("seccomp": {"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 1})"), R"(linux.seccomp.defaultErrnoRet: not supported by action "SCMP_ACT_KILL")"},
      {doc("", seccomp(R"("architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"])")), R"(linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_Z80")"},
      {doc("", seccomp(R"("flags": ["SECCOMP_FILTER_FLAG_X"])")), R"(linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_X")"},
      {doc("", seccomp(R"("listenerMetadata": "m")")), "linux.seccomp.listenerMetadata: must not be set without listenerPath"},
      {doc("", seccomp(R"("syscalls": [{"names": [], "action": "SCMP_ACT_ALLOW"}])")), "linux.seccomp.syscalls[0].names: must not be empty"},
      {doc("", seccomp(R"("syscalls": [{"names": ["x"], "action": "SCMP_ACT_NOPE"}])")), R"(linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_NOPE")"},
      {doc("", seccomp(R"("syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}])")), R"(linux.seccomp.syscalls[0].errnoRet: not supported by action "SCMP_ACT_ALLOW")"},
      {doc("", syscall(R"("args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}])")), R"(linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_XX")"},
      {doc("", syscall(R"("args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}])")), "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5, got 6"},
      // linux: the rest
      {doc("", R"("sysctl": {"": "1"})"), R"(linux.sysctl[""]: keys must not be empty)"},
      {doc("", R"("rootfsPropagation": "bogus")"), R"(linux.rootfsPropagation: unknown rootfs propagation "bogus")"},
      {doc("", R"("maskedPaths": ["/ok", "proc/kcore"])"), R"(linux.maskedPaths[1]: must be an absolute path, got "proc/kcore")"},
      {doc("", R"("readonlyPaths": ["proc/sys"])"), R"(linux.readonlyPaths[0]: must be an absolute path, got "proc/sys")"},
      {doc("", R"("personality": {"domain": "LINUX64"})"), R"(linux.personality.domain: unknown personality domain "LINUX64")"},
      {doc("", R"("personality": {})"), R"(linux.personality.domain: unknown personality domain "")"},
      {doc("", R"("personality": {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]})"), R"(linux.personality.flags[0]: unknown personality flag "ADDR_NO_RANDOMIZE")"},
      {doc("", R"("memoryPolicy": {"mode": "MPOL_X"})"), R"(linux.memoryPolicy.mode: unknown memory policy mode "MPOL_X")"},
      {doc("", R"("memoryPolicy": {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_X"]})"), R"(linux.memoryPolicy.flags[0]: unknown memory policy flag "MPOL_F_X")"},
      {doc("", R"("intelRdt": {"memBwSchema": "L3:0=f"})"), R"(linux.intelRdt.memBwSchema: must start with "MB:" and be one line, got "L3:0=f")"},
      {doc("", R"("intelRdt": {"memBwSchema": "MB:0=20\nL3:0=f"})"), R"(linux.intelRdt.memBwSchema: must start with "MB:" and be one line, got "MB:0=20\nL3:0=f")"},
      {doc("", R"("intelRdt": {"l3CacheSchema": "L3:0=f\nMB:0=1"})"), "linux.intelRdt.l3CacheSchema: must not contain newlines"},
      {doc("", R"("intelRdt": {"schemata": ["L3:0=f", "a\nb"]})"), "linux.intelRdt.schemata[1]: must not contain newlines"},
  };
  for (const auto& c : cases) check_rejected(c);
}

TEST_CASE("validate accepts what the spec allows") {
  const std::string ok[] = {
      R"({"ociVersion": "1.0.2-dev", "root": {"path": "r"}})",
      R"({"ociVersion": "1.0.0-rc.1+build.5", "root": {"path": "r"}})",
      R"({"ociVersion": "10.20.30-alpha-beta.0+001", "root": {"path": "/abs/rootfs"}})",
      // deprecated but allowed: relative mount destinations (relative to "/")
      doc(R"("mounts": [{"destination": "tmp", "type": "tmpfs"}])"),
      // consoleSize without terminal is ignored, not an error
      doc(process(R"("consoleSize": {"height": 1, "width": 1})")),
      // well-formed capability names the kernel may not know: the runtime warns
      doc(process(R"("capabilities": {"bounding": ["CAP_FUTURE_THING"]})")),
      // runc also accepts the recursive propagation modes
      doc("", R"("rootfsPropagation": "rslave")"),
      doc("", R"("rootfsPropagation": "private")"),
      // joining namespaces, id maps with a user namespace, pipes without numbers
      doc(R"("linux": {"namespaces": [{"type": "uts"}, {"type": "mount"}, {"type": "user", "path": "/proc/1/ns/user"}],
                       "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                       "devices": [{"type": "p", "path": "/dev/fifo"}, {"type": "u", "path": "/dev/u", "major": 1, "minor": 2}]})"),
      doc(R"("hostname": "", "linux": {})"),
      doc("", R"("seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                             "listenerPath": "/s", "listenerMetadata": "m",
                             "syscalls": [{"names": ["x"], "action": "SCMP_ACT_NOTIFY"},
                                          {"names": ["y"], "action": "SCMP_ACT_TRACE", "errnoRet": 2}]})"),
      doc("", R"("resources": {"cpu": {"quota": -1, "burst": 200}, "devices": [{"allow": false, "access": "rwm"}],
                               "hugepageLimits": [{"pageSize": "1GB", "limit": 0}]})"),
      doc("", R"("intelRdt": {"closID": "/", "memBwSchema": "MB:0=70"})"),
      // device rules as runc takes them: -1 is "*", repeated letters, any order, the kernel's largest numbers
      doc("", R"("resources": {"devices": [{"allow": false, "type": "a", "access": "m"},
                                           {"allow": true, "type": "c", "major": -1, "minor": -1, "access": "mrr"},
                                           {"allow": true, "type": "b", "major": 4095, "minor": 1048575, "access": "w"},
                                           {"allow": true, "type": "c", "major": 0, "minor": 0, "access": "rwm"}]})"),
  };
  for (const auto& d : ok) check_accepted(d);
}

TEST_CASE("validate(Process) checks an exec process.json") {
  auto p = oci::parse_process(R"({"cwd": "/", "args": ["sh"], "env": ["PATH=/bin"]})");
  REQUIRE(p.has_value());
  CHECK(oci::validate(*p).has_value());
  auto bad = oci::parse_process(R"({"cwd": "/", "args": ["sh"], "env": ["PATH"]})");
  REQUIRE(bad.has_value());
  REQUIRE_FALSE(oci::validate(*bad).has_value());
  CHECK(oci::validate(*bad).error().what() == R"(env[0]: expected KEY=VALUE, got "PATH")");
  auto no_args = oci::parse_process(R"({"cwd": "/"})");
  REQUIRE(no_args.has_value());
  CHECK(oci::validate(*no_args).error().what() == "args: must not be empty");
}

// What the kernel or the cgroup code would refuse after the clone, refused
// before it (issue 12), naming the path.
TEST_CASE("validate refuses before the clone what the kernel would refuse after it") {
  const std::string user = R"({"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "user"})";
  auto maps = [&](const std::string& uid) {
    return doc(R"("linux": {"namespaces": [)" + user + R"(], "uidMappings": )" + uid +
               R"(, "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]})");
  };
  const Case cases[] = {
      {doc(R"("process": {"cwd": "/", "args": [""]})"), "process.args[0]: must not be empty"},
      {doc(process(R"("oomScoreAdj": 1001)")), "process.oomScoreAdj: must be between -1000 and 1000, got 1001"},
      {doc(process(R"("oomScoreAdj": -1001)")), "process.oomScoreAdj: must be between -1000 and 1000, got -1001"},
      {doc(process(R"("scheduler": {"policy": "SCHED_OTHER", "nice": 20})")), "process.scheduler.nice: must be between -20 and 19, got 20"},
      {doc(process(R"("scheduler": {"policy": "SCHED_OTHER", "priority": 5})")), "process.scheduler.priority: must be 0 for SCHED_OTHER, got 5"},
      {doc(process(R"("scheduler": {"policy": "SCHED_FIFO"})")), "process.scheduler.priority: must be between 1 and 99 for SCHED_FIFO, got 0"},
      {maps(R"([{"containerID": 0, "hostID": 1000, "size": 0}])"), "linux.uidMappings[0].size: must be greater than zero"},
      {maps(R"([{"containerID": 4294967290, "hostID": 1000, "size": 10}])"), "linux.uidMappings[0].size: range of 10 ids passes 2^32"},
      {maps(R"([{"containerID": 0, "hostID": 1000, "size": 10}, {"containerID": 9, "hostID": 5000, "size": 1}])"), "linux.uidMappings[1]: overlaps entry 0"},
      {maps(R"([{"containerID": 0, "hostID": 1000, "size": 10}, {"containerID": 10, "hostID": 1005, "size": 1}])"), "linux.uidMappings[1]: overlaps entry 0"},
      {doc("", R"("devices": [{"type": "c", "path": "/dev/x", "major": -1, "minor": 1}])"), "linux.devices[0].major: must not be negative"},
      {doc(R"("linux": {"namespaces": [)" + user + R"(], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]})"),
       "linux.gidMappings: required with a new user namespace"},
      {maps(R"([{"containerID": 1, "hostID": 1000, "size": 10}])"), "linux.uidMappings: must map container id 0 (the init is root in the namespace first)"},
      {doc(R"("process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0, "additionalGids": [10]}},
              "linux": {"namespaces": [)" + user + R"(], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                        "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]})"),
       "process.user.additionalGids[0]: 10 is not mapped in linux.gidMappings"},
      {doc("", R"("cgroupsPath": "a/../../x")"), R"(linux.cgroupsPath: "a/../../x": ".." leaves the runtime's cgroup)"},
      {doc("", R"("cgroupsPath": "/..")"), R"(linux.cgroupsPath: "/..": ".." leaves the runtime's cgroup)"},
  };
  for (const auto& c : cases) check_rejected(c);
  const std::string ok[] = {
      maps(R"([{"containerID": 0, "hostID": 1000, "size": 10}, {"containerID": 10, "hostID": 1010, "size": 5}])"),
      doc("", R"("cgroupsPath": "a/../b")"),
      doc("", R"("cgroupsPath": "system.slice:nucleus:x")"),
      doc(process(R"("scheduler": {"policy": "SCHED_RR", "priority": 99, "nice": -20})")),
  };
  for (const auto& d : ok) check_accepted(d);
}
