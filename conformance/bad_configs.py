"""Bad configs (issue 12): mutations of a valid busybox config.json, each a
(label, config) pair, plus the bad examples of the runtime-spec's schema tests.
Used by test_bad_configs.py; not a test script itself."""
import copy
import glob
import json
import os

WRONG_TYPES = {str: [7, True, ["x"]], bool: ["yes", 1], int: ["12", -1.5, None], float: ["1"],
               list: [{"a": 1}, "x"], dict: [["x"], 3]}


def _walk(value, path=()):
    """Every (path, value) under `value`, containers included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, path + (i,))


def _set(config, path, value):
    c = copy.deepcopy(config)
    target = c
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return c


def _label(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def wrong_types(config):
    for path, value in _walk(config):
        if not path or path[0] == "annotations":
            continue
        for bad in WRONG_TYPES.get(type(value), []):
            yield f"{_label(path)} = {json.dumps(bad)}", _set(config, path, bad)


def _edit(config, fn):
    c = copy.deepcopy(config)
    return fn(c) or c


def _mount(extra):
    base = {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"}
    base.update(extra)
    return lambda c: c["mounts"].append(base)


def _process(key, value):
    return lambda c: c["process"].__setitem__(key, value)


def _linux(key, value):
    return lambda c: c["linux"].__setitem__(key, value)


def _user(**kw):
    return lambda c: c["process"]["user"].update(kw)


def _rlimit(type_, soft, hard):
    return lambda c: c["process"]["rlimits"].append({"type": type_, "soft": soft, "hard": hard})


def _caps(name):
    return lambda c: c["process"]["capabilities"]["bounding"].append(name)


def _namespace(entry):
    return lambda c: c["linux"]["namespaces"].append(entry)


def _userns(uid_maps, gid_maps):
    def fn(c):
        c["linux"]["namespaces"].append({"type": "user"})
        c["linux"]["uidMappings"] = uid_maps
        c["linux"]["gidMappings"] = gid_maps
    return fn


def _resources(key, value):
    return lambda c: c["linux"].setdefault("resources", {}).__setitem__(key, value)


GOOD_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]

VALUE_MUTATIONS = [
    # out of range
    ("process.user.uid = -1", _user(uid=-1)),
    ("process.user.uid = 2^32", _user(uid=2 ** 32)),
    ("process.user.gid = -5", _user(gid=-5)),
    ("process.user.umask = 99999", _user(umask=99999)),
    ("process.user.additionalGids = [-1]", _user(additionalGids=[-1])),
    ("process.oomScoreAdj = 5000", _process("oomScoreAdj", 5000)),
    ("process.oomScoreAdj = -5000", _process("oomScoreAdj", -5000)),
    ("process.consoleSize negative", _process("consoleSize", {"height": -1, "width": 80})),
    ("process.cwd relative", _process("cwd", "tmp")),
    ("process.cwd empty", _process("cwd", "")),
    ("process.args empty", _process("args", [])),
    ("process.args[0] empty", _process("args", [""])),
    ("process.env without =", _process("env", ["NOEQUALS"])),
    ("process.env =value", _process("env", ["=value"])),
    ("process.apparmorProfile unknown", _process("apparmorProfile", "no-such-profile")),
    ("process.selinuxLabel malformed", _process("selinuxLabel", "not a label")),
    ("process.ioPriority class", _process("ioPriority", {"class": "IOPRIO_CLASS_NOPE", "priority": 1})),
    ("process.ioPriority priority 9", _process("ioPriority", {"class": "IOPRIO_CLASS_BE", "priority": 9})),
    ("process.scheduler policy", _process("scheduler", {"policy": "SCHED_NOPE"})),
    ("process.scheduler nice 40", _process("scheduler", {"policy": "SCHED_OTHER", "nice": 40})),
    ("process.scheduler priority for OTHER", _process("scheduler", {"policy": "SCHED_OTHER", "priority": 50})),
    ("process.execCPUAffinity", _process("execCPUAffinity", {"initial": "a-b"})),
    ("process.execCPUAffinity out of range", _process("execCPUAffinity", {"initial": "9999"})),
    # rlimits
    ("rlimit unknown name", _rlimit("RLIMIT_NOPE", 1, 1)),
    ("rlimit lowercase name", _rlimit("rlimit_core", 1, 1)),
    ("rlimit without prefix", _rlimit("CORE", 1, 1)),
    ("rlimit soft > hard", _rlimit("RLIMIT_CORE", 10, 5)),
    ("rlimit listed twice", _rlimit("RLIMIT_NOFILE", 10, 10)),
    ("rlimit above the host's hard limit", _rlimit("RLIMIT_NOFILE", 2 ** 40, 2 ** 40)),
    ("rlimit nproc above host", _rlimit("RLIMIT_NPROC", 2 ** 62, 2 ** 62)),
    # mounts
    ("mount type unknown", _mount({"type": "nosuchfs"})),
    ("mount option unknown", _mount({"options": ["nosuchopt"]})),
    ("mount tmpfs size=abc", _mount({"options": ["size=abc"]})),
    ("mount tmpfs mode=999", _mount({"options": ["mode=999"]})),
    ("mount destination empty", _mount({"destination": ""})),
    ("mount destination escapes", _mount({"destination": "../../etc"})),
    ("mount destination /proc/../..", _mount({"destination": "/proc/../.."})),
    ("mount destination relative", _mount({"destination": "mnt"})),
    ("bind mount source missing", _mount({"type": "bind", "source": "/nonexistent/src", "options": ["bind"]})),
    ("bind mount source relative missing", _mount({"type": "none", "source": "nope", "options": ["rbind"]})),
    ("mount propagation unknown", _mount({"options": ["rnope"]})),
    ("mount uidMappings without gid", _mount({"uidMappings": GOOD_MAP})),
    ("mount idmap on tmpfs", _mount({"uidMappings": GOOD_MAP, "gidMappings": GOOD_MAP})),
    ("mount proc with data", _mount({"type": "proc", "source": "proc", "options": ["hidepid=nope"]})),
    ("mount cgroup option", _mount({"type": "cgroup", "source": "cgroup", "options": ["nosuchctrl"]})),
    ("mount sysfs source", _mount({"type": "sysfs", "source": "sysfs", "options": ["size=1"]})),
    ("mount recursive attr unknown", _mount({"options": ["rro", "rnosuchattr"]})),
    # user and group maps
    ("uidMappings without user ns", _linux("uidMappings", GOOD_MAP)),
    ("uid map size 0", _userns([{"containerID": 0, "hostID": 100000, "size": 0}], GOOD_MAP)),
    ("uid map hostID -1", _userns([{"containerID": 0, "hostID": -1, "size": 10}], GOOD_MAP)),
    ("uid maps overlap", _userns([{"containerID": 0, "hostID": 100000, "size": 10},
                                  {"containerID": 5, "hostID": 200000, "size": 10}], GOOD_MAP)),
    ("uid map overflows", _userns([{"containerID": 0, "hostID": 2 ** 32 - 2, "size": 10}], GOOD_MAP)),
    ("gid maps missing with user ns", _userns(GOOD_MAP, [])),
    ("user ns maps not covering uid 0", _userns([{"containerID": 1, "hostID": 100000, "size": 10}],
                                                [{"containerID": 1, "hostID": 100000, "size": 10}])),
    # paths
    ("root.path missing", lambda c: c["root"].__setitem__("path", "/nonexistent/rootfs")),
    ("root.path empty", lambda c: c["root"].__setitem__("path", "")),
    ("root.path a file", lambda c: c["root"].__setitem__("path", "/etc/hostname")),
    ("hooks path relative", lambda c: c.setdefault("hooks", {}).__setitem__("prestart", [{"path": "sleep"}])),
    ("hooks path missing", lambda c: c.setdefault("hooks", {}).__setitem__("prestart", [{"path": "/nonexistent"}])),
    ("hooks timeout 0", lambda c: c.setdefault("hooks", {}).__setitem__("poststart", [{"path": "/bin/true", "timeout": 0}])),
    ("maskedPaths relative", _linux("maskedPaths", ["proc/kcore"])),
    ("readonlyPaths relative", _linux("readonlyPaths", ["proc/sys"])),
    ("maskedPaths empty string", _linux("maskedPaths", [""])),
    ("mountLabel malformed", _linux("mountLabel", "bad label")),
    ("linux.rootfsPropagation unknown", _linux("rootfsPropagation", "nope")),
    # capabilities
    ("capability lowercase", _caps("cap_chown")),
    ("capability without CAP_", _caps("CHOWN")),
    ("capability with digits", _caps("CAP_1")),
    ("capability empty", _caps("")),
    # sysctls
    ("sysctl unknown name", _linux("sysctl", {"net.nope.x": "1"})),
    ("sysctl not namespaced", _linux("sysctl", {"vm.swappiness": "1"})),
    ("sysctl kernel unknown", _linux("sysctl", {"kernel.nope": "1"})),
    ("sysctl empty name", _linux("sysctl", {"": "1"})),
    ("sysctl path escape", _linux("sysctl", {"net/../../x": "1"})),
    ("sysctl hostname without uts", lambda c: (c["linux"].__setitem__("sysctl", {"kernel.hostname": "x"}),
                                              c["linux"].__setitem__("namespaces", [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]),
                                              c.pop("hostname", None))[0]),
    ("sysctl value not settable", _linux("sysctl", {"net.ipv4.ip_forward": "notanumber"})),
    # namespaces
    ("namespace type unknown", _namespace({"type": "nope"})),
    ("namespace listed twice", _namespace({"type": "pid"})),
    ("namespace path relative", lambda c: c["linux"].__setitem__("namespaces", [{"type": "network", "path": "ns/net"}])),
    ("namespace path missing", lambda c: c["linux"].__setitem__("namespaces", [{"type": "network", "path": "/proc/999999999/ns/net"}, {"type": "mount"}])),
    ("namespace path of the wrong type", lambda c: c["linux"].__setitem__("namespaces", [{"type": "network", "path": "/proc/self/ns/ipc"}, {"type": "mount"}])),
    ("namespace path not a namespace", lambda c: c["linux"].__setitem__("namespaces", [{"type": "ipc", "path": "/etc/hostname"}, {"type": "mount"}])),
    ("hostname without uts", lambda c: c["linux"].__setitem__("namespaces", [n for n in c["linux"]["namespaces"] if n["type"] != "uts"])),
    ("timeOffsets without time ns", _linux("timeOffsets", {"monotonic": {"secs": 1}})),
    ("time ns clock unknown", lambda c: (c["linux"]["namespaces"].append({"type": "time"}),
                                        c["linux"].__setitem__("timeOffsets", {"nope": {"secs": 1}}))[0]),
    # devices
    ("device type unknown", _linux("devices", [{"path": "/dev/x", "type": "q", "major": 1, "minor": 3}])),
    ("device path relative", _linux("devices", [{"path": "dev/x", "type": "c", "major": 1, "minor": 3}])),
    ("device major negative", _linux("devices", [{"path": "/dev/x", "type": "c", "major": -1, "minor": 3}])),
    ("device fileMode huge", _linux("devices", [{"path": "/dev/x", "type": "c", "major": 1, "minor": 3, "fileMode": 999999}])),
    ("device outside /dev", _linux("devices", [{"path": "/etc/x", "type": "c", "major": 1, "minor": 3}])),
    ("cgroup device access", _resources("devices", [{"allow": True, "access": "rwz"}])),
    ("cgroup device type", _resources("devices", [{"allow": True, "type": "q"}])),
    # resources
    ("memory limit negative", _resources("memory", {"limit": -5})),
    ("memory limit tiny", _resources("memory", {"limit": 1})),
    ("memory swap below limit", _resources("memory", {"limit": 100000000, "swap": 1000})),
    ("cpu shares 1", _resources("cpu", {"shares": 1})),
    ("cpu quota without period", _resources("cpu", {"quota": 5})),
    ("cpu cpus malformed", _resources("cpu", {"cpus": "x-y"})),
    ("cpu cpus out of range", _resources("cpu", {"cpus": "4096"})),
    ("cpu mems out of range", _resources("cpu", {"mems": "64"})),
    ("pids limit 0", _resources("pids", {"limit": 0})),
    ("blkio weight 5000", _resources("blockIO", {"weight": 5000})),
    ("hugepage size unknown", _resources("hugepageLimits", [{"pageSize": "3MB", "limit": 1}])),
    ("network classID", _resources("network", {"classID": -1})),
    ("unified key unknown", _resources("unified", {"nope.max": "1"})),
    ("unified key escapes", _resources("unified", {"../x": "1"})),
    # seccomp
    ("seccomp default action", _linux("seccomp", {"defaultAction": "SCMP_ACT_NOPE"})),
    ("seccomp arch", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_NOPE"]})),
    ("seccomp syscall name", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["nosuchcall"], "action": "SCMP_ACT_ERRNO"}]})),
    ("seccomp operator", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NOPE"}]}]})),
    ("seccomp arg index 9", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]})),
    ("seccomp flag", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]})),
    ("seccomp notify without socket", _linux("seccomp", {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})),
    # misc
    ("ociVersion not semver", lambda c: c.__setitem__("ociVersion", "one")),
    ("personality domain", _linux("personality", {"domain": "NOPE"})),
    ("intelRdt", _linux("intelRdt", {"closID": "x"})),
    ("annotations empty key", lambda c: c.__setitem__("annotations", {"": "x"})),
    ("cgroupsPath relative escape", _linux("cgroupsPath", "../../escape")),
    ("memoryPolicy mode", _linux("memoryPolicy", {"mode": "MPOL_NOPE", "nodes": "0"})),
    ("netDevices bad name", lambda c: c["linux"].__setitem__("netDevices", {"a/b": {}})),
    ("process missing", lambda c: c.pop("process")),
    ("root missing", lambda c: c.pop("root")),
    ("linux.namespaces empty with mounts", _linux("namespaces", [])),
]


def value_mutations(config):
    for label, fn in VALUE_MUTATIONS:
        yield label, _edit(config, fn)


def spec_examples(spec_dir, config):
    """The runtime-spec's bad configs, with our root and process when theirs
    are missing (so the bad part is what fails)."""
    for path in sorted(glob.glob(os.path.join(spec_dir, "schema", "test", "config", "bad", "*.json"))):
        name = "spec " + os.path.basename(path)
        with open(path) as f:
            text = f.read()
        try:
            c = json.loads(text)
        except ValueError:
            yield name, text  # not JSON at all: written as it is
            continue
        if isinstance(c, dict):
            c.setdefault("root", config["root"])
            c.setdefault("process", config["process"])
            c["root"] = config["root"]
        yield name, c


def all_bad(config, spec_dir):
    yield from wrong_types(config)
    yield from value_mutations(config)
    yield from spec_examples(spec_dir, config)
