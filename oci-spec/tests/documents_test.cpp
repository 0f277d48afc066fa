// State, runc's state output, features, exec process.json, hook lists and
// the default config: parsing, exact output format, round trips.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "oci/parse.hpp"

namespace {

std::string error_of(const auto& result) {
  REQUIRE_FALSE(result.has_value());
  return result.error().what();
}

}  // namespace

TEST_CASE("State: compact, in the spec's order, round-trips") {
  oci::State s{"1.3.0", "c1", "created", 42, "/b", {{"k", "v"}}};
  CHECK(oci::to_json(s) ==
        R"({"ociVersion":"1.3.0","id":"c1","status":"created","pid":42,"bundle":"/b","annotations":{"k":"v"}})");
  CHECK(oci::parse_state(oci::to_json(s)).value() == s);
  oci::State creating{"1.3.0", "c1", "creating", std::nullopt, "/b", {}};
  CHECK(oci::to_json(creating) == R"({"ociVersion":"1.3.0","id":"c1","status":"creating","bundle":"/b"})");
  CHECK(oci::parse_state(oci::to_json(creating)).value() == creating);
}

TEST_CASE("State: errors") {
  CHECK(error_of(oci::parse_state(R"({"ociVersion":"1","id":"c","bundle":"/b"})")) ==
        "status: required property missing");
  CHECK(error_of(oci::parse_state(R"({"ociVersion":"1","status":"paused","bundle":"/b","id":"c"})")) ==
        R"(status: expected one of creating, created, running, stopped, got "paused")");
  CHECK(error_of(oci::parse_state(R"({"ociVersion":"1","status":"running","bundle":"/b","id":"c","pid":-1})")) ==
        "pid: must not be negative, got -1");
  CHECK(error_of(oci::parse_state(R"({"ociVersion":"1","status":"running","bundle":"/b","id":"c","pid":"1"})")) ==
        R"(pid: expected an integer, got "1")");
  CHECK(error_of(oci::parse_state(R"({"ociVersion":"1","status":"running","id":"c"})")) ==
        "bundle: required property missing");
}

TEST_CASE("ContainerProcessState: runc's seccomp agent message, byte for byte") {
  oci::ContainerProcessState s{"1.0.2-dev", {"seccompFd"}, 4017, "meta!",
                               {"1.0.2-dev", "c1", "creating", 4017, "/b", {{"a", "b"}}}};
  // As runc 1.1.5 sent it to an agent (conformance/test_seccomp_notify.py).
  CHECK(oci::to_json(s) ==
        R"({"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4017,"metadata":"meta!",)"
        R"("state":{"ociVersion":"1.0.2-dev","id":"c1","status":"creating","pid":4017,"bundle":"/b",)"
        R"("annotations":{"a":"b"}}})");
  s.metadata.clear();
  s.state.annotations.clear();
  CHECK(oci::to_json(s) ==
        R"({"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4017,)"
        R"("state":{"ociVersion":"1.0.2-dev","id":"c1","status":"creating","pid":4017,"bundle":"/b"}})");
}

TEST_CASE("RuntimeState: runc's `state` format") {
  oci::RuntimeState s{"1.0.2-dev", "c1", 1234, "running", "/b", "/b/rootfs",
                      "2024-01-02T03:04:05.123456789Z", {}, ""};
  const char* expected = R"({
  "ociVersion": "1.0.2-dev",
  "id": "c1",
  "pid": 1234,
  "status": "running",
  "bundle": "/b",
  "rootfs": "/b/rootfs",
  "created": "2024-01-02T03:04:05.123456789Z",
  "owner": ""
})";
  CHECK(oci::to_json(s) == expected);
  CHECK(oci::parse_runtime_state(expected).value() == s);

  s.pid = 0;
  s.status = "stopped";
  s.annotations = {{"a", "b&c"}};
  std::string with_annotations = oci::to_json(s);
  CHECK_THAT(with_annotations, Catch::Contains("\"pid\": 0,"));
  CHECK_THAT(with_annotations, Catch::Contains(R"(  "created": "2024-01-02T03:04:05.123456789Z",
  "annotations": {
    "a": "b\u0026c"
  },
  "owner": "")"));
  CHECK(oci::parse_runtime_state(with_annotations).value() == s);
}

TEST_CASE("Features: 4-space indent, optional everything, null is absent") {
  auto minimal = oci::parse_features(R"({"ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0"})");
  REQUIRE(minimal.has_value());
  CHECK(oci::to_json(*minimal) == "{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \"1.3.0\"\n}");

  auto f = oci::parse_features(R"({"ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "hooks": null,
      "mountOptions": [], "linux": {"namespaces": ["pid"], "cgroup": {"v1": true, "v2": false, "rdma": null},
      "seccomp": {"enabled": true, "actions": [], "knownFlags": ["SECCOMP_FILTER_FLAG_LOG"]},
      "intelRdt": {"enabled": false, "schemata": true, "monitoring": true},
      "memoryPolicy": {"modes": ["MPOL_BIND"], "flags": []},
      "mountExtensions": {"idmap": {"enabled": true}}, "netDevices": {"enabled": true},
      "apparmor": {}, "selinux": {"enabled": false}},
      "annotations": {"a": "b"}, "potentiallyUnsafeConfigAnnotations": ["com.example."]})");
  REQUIRE(f.has_value());
  CHECK_FALSE(f->hooks.has_value());
  CHECK(f->mount_options == std::vector<std::string>{});  // empty is not absent
  CHECK(f->linux->cgroup->v2 == false);
  CHECK_FALSE(f->linux->cgroup->rdma.has_value());
  CHECK(f->linux->mount_extensions->idmap->enabled == true);
  CHECK(f->linux->apparmor.has_value());
  CHECK_FALSE(f->linux->apparmor->enabled.has_value());
  CHECK(oci::parse_features(oci::to_json(*f)).value() == *f);
  CHECK_THAT(oci::to_json(*f), Catch::Contains("\"mountOptions\": [],"));

  CHECK(error_of(oci::parse_features(R"({"ociVersionMin": "1.0.0"})")) ==
        "ociVersionMax: required property missing");
  CHECK(error_of(oci::parse_features(R"({"ociVersionMin": "1", "ociVersionMax": "1", "linux": {"cgroup": {"v1": "yes"}}})")) ==
        R"(linux.cgroup.v1: expected a boolean, got "yes")");
}

TEST_CASE("Features: runc's own output is reproduced byte for byte") {
  const char* dir = std::getenv("OCI_SCHEMA_TEST_DIR");
  REQUIRE(dir != nullptr);
  std::ifstream in(std::filesystem::path(dir) / "features/good/runc.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  auto f = oci::parse_features(text);
  REQUIRE(f.has_value());
  CHECK(oci::to_json(*f) == text);
}

TEST_CASE("Process (exec --process): parse, errors, round trip") {
  auto p = oci::parse_process(R"({"terminal": true, "user": {"uid": 5, "gid": 6, "additionalGids": [7]},
      "args": ["top", "-b"], "env": ["TERM=xterm"], "cwd": "/root",
      "capabilities": {"bounding": ["CAP_KILL"]}, "noNewPrivileges": true,
      "apparmorProfile": "prof", "selinuxLabel": "lbl", "oomScoreAdj": 10,
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 10, "soft": 5}],
      "scheduler": {"policy": "SCHED_BATCH", "nice": 5}, "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 7},
      "execCPUAffinity": {"final": "1"}})");
  REQUIRE(p.has_value());
  CHECK(p->user.additional_gids == std::vector<std::uint32_t>{7});
  CHECK(p->scheduler->nice == 5);
  CHECK(p->exec_cpu_affinity->final == "1");
  CHECK(oci::parse_process(oci::to_json(*p)).value() == *p);
  CHECK(oci::parse_process(oci::to_json(*p, {.indent = 2})).value() == *p);
  CHECK(error_of(oci::parse_process(R"({"args": ["sh"]})")) == "cwd: required property missing");
  CHECK(error_of(oci::parse_process(R"({"cwd": "/", "args": "sh"})")) == R"(args: expected an array, got "sh")");
}

TEST_CASE("hook lists for libcontainer's own records") {
  std::vector<oci::Hook> hooks = {{"/bin/a", {"a", "1"}, {"X=1"}, 5}, {"/bin/b", {}, {}, std::nullopt}};
  oci::json::Value v = oci::to_value(hooks);
  CHECK(oci::json::write(v) == R"([{"path":"/bin/a","args":["a","1"],"env":["X=1"],"timeout":5},{"path":"/bin/b"}])");
  CHECK(oci::hooks_from_value(v).value() == hooks);
  auto bad = oci::hooks_from_value(oci::json::parse(R"([{"path": "/a"}, {"args": []}])").value());
  CHECK(error_of(bad) == "[1].path: required property missing");
  CHECK(error_of(oci::hooks_from_value(oci::json::Value("x"))) == R"(expected an array, got "x")");
}

TEST_CASE("default_config is what `runc spec` writes, and is valid") {
  // `runc spec` (1.1.5) output, ociVersion aside.
  const char* runc_spec = R"({"ociVersion": "1.3.0",
    "process": {"terminal": true, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
      "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], "cwd": "/",
      "capabilities": {"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": true},
    "root": {"path": "rootfs", "readonly": true}, "hostname": "runc",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
      {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
      {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
       "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
      {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
      {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
      {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
      {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}],
    "linux": {"resources": {"devices": [{"allow": false, "access": "rwm"}]},
      "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
      "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}})";
  oci::Config c = oci::default_config(false);
  CHECK(c == oci::parse_config(runc_spec).value());
  CHECK(oci::validate(c).has_value());
  CHECK(oci::parse_config(oci::to_json(c, {.indent = 4})).value() == c);
  // Same member order as runc's file.
  std::string text = oci::to_json(c);
  CHECK(text.find("\"process\"") < text.find("\"root\""));
  CHECK(text.find("\"hostname\"") < text.find("\"mounts\""));
  CHECK(text.find("\"resources\"") < text.find("\"namespaces\""));
}

TEST_CASE("default_config(rootless) is what `runc spec --rootless` writes") {
  oci::Config c = oci::default_config(true);
  CHECK(oci::validate(c).has_value());
  CHECK(oci::parse_config(oci::to_json(c)).value() == c);
  REQUIRE(c.linux.has_value());
  CHECK(c.linux->find_namespace(oci::NamespaceType::user) != nullptr);
  CHECK(c.linux->find_namespace(oci::NamespaceType::network) == nullptr);
  CHECK_FALSE(c.linux->resources.has_value());
  REQUIRE(c.linux->uid_mappings.size() == 1);
  CHECK(c.linux->uid_mappings[0] == oci::IdMapping{0, static_cast<std::uint32_t>(::geteuid()), 1});
  CHECK(c.linux->gid_mappings[0] == oci::IdMapping{0, static_cast<std::uint32_t>(::getegid()), 1});
  CHECK(c.mounts[5] == oci::Mount{"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}});
  CHECK(c.mounts[2].options.back() == "mode=0620");  // no gid=5
}

TEST_CASE("default_config on a cgroup v2 host has runc's cgroup namespace, before the user one") {
  using enum oci::NamespaceType;
  auto types = [](const oci::Config& c) {
    std::vector<oci::NamespaceType> out;
    for (const auto& n : c.linux->namespaces) out.push_back(n.type);
    return out;
  };
  CHECK(types(oci::default_config(false, true)) ==
        std::vector<oci::NamespaceType>{pid, network, ipc, uts, mount, cgroup});
  CHECK(types(oci::default_config(true, true)) == std::vector<oci::NamespaceType>{pid, ipc, uts, mount, cgroup, user});
  CHECK(oci::validate(oci::default_config(true, true)).has_value());
}
