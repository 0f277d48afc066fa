#!/usr/bin/env python3
"""linux.resources.devices, the device cgroup, on real busybox containers: a
container given CAP_MKNOD can make a node for /dev/kmsg or a loop device but
not open it, the default devices stay usable, allow rules open what they name
and later rules override earlier ones; linux.devices entries need a rule of
their own, as in runc; refused rules exit 1 naming the JSON path and leave
nothing behind. Works on v1/hybrid hosts (devices.list is also checked from
outside) and pure cgroup v2 hosts (a BPF program), and against runc
(NUCLEUS=/usr/bin/runc): where nucleus deviates or runc 1.1 has a bug, the
test says so and skips.
Needs root."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, create_refused, error_messages, main,  # noqa: E402
                     make_bundle, new_id, nothing_left, run, run_detached, skip, test)

RUNC = os.path.basename(NUCLEUS) == "runc"
PURE_V2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")

# What containerd and podman send: deny everything, then allow the defaults.
ENGINE_RULES = [{"allow": False, "access": "rwm"}] + [
    {"allow": True, "type": t, "major": major, "minor": minor, "access": access}
    for t, major, minor, access in [
        ("c", None, None, "m"), ("b", None, None, "m"),
        ("c", 1, 3, "rwm"), ("c", 1, 5, "rwm"), ("c", 1, 7, "rwm"), ("c", 1, 8, "rwm"), ("c", 1, 9, "rwm"),
        ("c", 5, 0, "rwm"), ("c", 5, 1, "rwm"), ("c", 5, 2, "rwm"), ("c", 136, None, "rwm"),
        ("c", 10, 200, "rwm")]]
for _rule in ENGINE_RULES:  # JSON leaves a wildcard number out
    for _key in ("major", "minor"):
        if _key in _rule and _rule[_key] is None:
            del _rule[_key]

# A shell function run in the container: `probe MODE PATH` opens PATH with the
# sh redirection MODE (<, > or <>) and prints "MODE PATH ok" or the error.
PROBE = ('probe() { if (eval "exec 3$1$2") 2>/tmp/probe.err; then echo "$1 $2 ok"; '
         'else echo "$1 $2 $(cat /tmp/probe.err)"; fi; }; ')


def add_caps(c, *caps):
    for kind in ("bounding", "effective", "permitted"):
        c["process"]["capabilities"][kind] = sorted(set(c["process"]["capabilities"].get(kind, [])) | set(caps))


def device_config(rules, devices=None):
    """The default config with CAP_MKNOD (to make nodes) and CAP_SYSLOG (so
    that only the cgroup decides whether /dev/kmsg opens for reading), a
    writable rootfs, `rules` as linux.resources.devices (None: no resources
    at all) and `devices` as linux.devices."""
    def mutate(c):
        c["root"]["readonly"] = False
        add_caps(c, "CAP_MKNOD", "CAP_SYSLOG")
        if rules is None:
            c["linux"].pop("resources", None)
        else:
            c["linux"].setdefault("resources", {})["devices"] = rules
        if devices:
            c["linux"]["devices"] = devices
    return mutate


def run_script(script, rules, devices=None):
    """Runs `sh -c PROBE+script` in a container; returns its output lines."""
    bundle = make_bundle(device_config(rules, devices), args=["sh", "-c", PROBE + script])
    code, out, err = run(["run", "--bundle", bundle, new_id("dev")])
    check_eq(code, 0, f"run exit code (stderr {error_messages(err)!r}, stdout {out!r})")
    return out.splitlines()


def opened(lines, mode, path):
    """'ok', 'EPERM' or the error text for `probe mode path`."""
    prefix = f"{mode} {path} "
    found = [l[len(prefix):] for l in lines if l.startswith(prefix)]
    check(found, f"no probe of {mode} {path} in {lines!r}")
    result = found[-1]
    return "EPERM" if "Operation not permitted" in result else result


def check_opens(lines, expected):
    """expected: {(mode, path): 'ok' | 'EPERM' | other error text}."""
    got = {key: opened(lines, *key) for key in expected}
    check_eq(got, expected, "opens")


# ---- the hole: nodes made with CAP_MKNOD ----------------------------------------

def made_but_not_opened(path, kind, major, minor, modes):
    """With the engines' rules, mknod of the node works (they allow mknod of
    anything) and each open of it (sh redirection modes) fails with EPERM."""
    probes = "; ".join(f"probe '{mode}' {path}" for mode in modes)
    lines = run_script(f"mknod {path} {kind} {major} {minor} && echo made; {probes}", ENGINE_RULES)
    check_in("made", lines, f"mknod of {kind} {major}:{minor}")
    check_opens(lines, {(mode, path): "EPERM" for mode in modes})


@test
def kmsg_node_made_with_mknod_cannot_be_opened():
    made_but_not_opened("/tmp/kmsg", "c", 1, 11, ["<", ">"])


@test
def block_node_made_with_mknod_cannot_be_opened():
    made_but_not_opened("/tmp/loop", "b", 7, 0, ["<", "<>"])


@test
def the_default_config_confines_devices_too():
    # `spec` writes deny-all only; runc adds its defaults after it. With no
    # linux.resources at all runc applies the same list.
    for rules in ([{"allow": False, "access": "rwm"}], None):
        lines = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg; probe '<>' /dev/null", rules)
        check_opens(lines, {("<", "/tmp/kmsg"): "EPERM", ("<>", "/dev/null"): "ok"})


@test
def default_devices_stay_usable():
    script = ("for d in null zero full random urandom ptmx; do probe '<>' /dev/$d; done; "
              "probe '<' /dev/tty; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-written; "
              "mknod /tmp/null2 c 1 3 && probe '<>' /tmp/null2")
    lines = run_script(script, ENGINE_RULES)
    expected = {("<>", f"/dev/{d}"): "ok" for d in ("null", "zero", "full", "random", "urandom", "ptmx")}
    expected[("<>", "/tmp/null2")] = "ok"
    got = {key: opened(lines, *key) for key in expected}
    check_eq(got, expected, "default devices")
    # No controlling terminal: ENXIO from the tty driver, after the cgroup let it through.
    check_in("No such device or address", opened(lines, "<", "/dev/tty"), "/dev/tty")
    check_in("4", lines, "bytes read from /dev/zero")
    check_in("null-written", lines, "write to /dev/null")


# ---- rules ----------------------------------------------------------------------

@test
def an_allow_rule_opens_what_it_names():
    rules = ENGINE_RULES + [{"allow": True, "type": "c", "major": 1, "minor": 11, "access": "rw"}]
    lines = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg; probe '>' /tmp/kmsg; "
                       "mknod /tmp/mem c 1 1; probe '<' /tmp/mem", rules)
    check_opens(lines, {("<", "/tmp/kmsg"): "ok", (">", "/tmp/kmsg"): "ok", ("<", "/tmp/mem"): "EPERM"})


@test
def later_rules_override_earlier_ones():
    rules = ENGINE_RULES + [{"allow": True, "type": "c", "major": 1, "minor": 11, "access": "rw"},
                            {"allow": False, "type": "c", "major": 1, "minor": 11, "access": "w"}]
    lines = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg; probe '>' /tmp/kmsg; probe '<>' /tmp/kmsg",
                       rules)
    check_opens(lines, {("<", "/tmp/kmsg"): "ok", (">", "/tmp/kmsg"): "EPERM", ("<>", "/tmp/kmsg"): "EPERM"})
    # An allow-all (type a) rule after a deny-all resets it, and a deny-all after it closes again.
    opened_up = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg",
                           ENGINE_RULES + [{"allow": True, "access": "rwm"}])
    check_opens(opened_up, {("<", "/tmp/kmsg"): "ok"})
    closed = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg; probe '<>' /dev/null",
                        [{"allow": True, "access": "rwm"}, {"allow": False, "type": "a", "access": "r"}])
    check_opens(closed, {("<", "/tmp/kmsg"): "EPERM", ("<>", "/dev/null"): "ok"})


@test
def a_deny_rule_in_an_allow_all_list_stops_read_write_opens():
    if RUNC and PURE_V2:
        skip("runc 1.1 bug: its v2 device program lets an O_RDWR open past a rule denying only w "
             "(it wants all of the requested access in the rule; v1, and nucleus, deny any of it)")
    rules = [{"allow": True, "access": "rwm"}, {"allow": False, "type": "c", "major": 1, "minor": 11, "access": "w"}]
    lines = run_script("mknod /tmp/kmsg c 1 11; probe '<' /tmp/kmsg; probe '>' /tmp/kmsg; probe '<>' /tmp/kmsg",
                       rules)
    check_opens(lines, {("<", "/tmp/kmsg"): "ok", (">", "/tmp/kmsg"): "EPERM", ("<>", "/tmp/kmsg"): "EPERM"})


@test
def linux_devices_need_an_allow_rule_as_in_runc():
    # runc 1.1 adds no rule for linux.devices: the node is made, but only a
    # rule in linux.resources.devices opens it (engines send both).
    devices = [{"type": "c", "path": "/dev/kmsg", "major": 1, "minor": 11, "fileMode": 0o600},
               {"type": "b", "path": "/dev/loopx", "major": 7, "minor": 0, "fileMode": 0o600}]
    script = "stat -c '%n %t:%T' /dev/kmsg /dev/loopx; probe '<' /dev/kmsg; probe '<' /dev/loopx"
    lines = run_script(script, ENGINE_RULES, devices)
    check_in("/dev/kmsg 1:b", lines, "the node is made")
    check_opens(lines, {("<", "/dev/kmsg"): "EPERM", ("<", "/dev/loopx"): "EPERM"})
    allowed = run_script(script, ENGINE_RULES + [{"allow": True, "type": "c", "major": 1, "minor": 11, "access": "r"}],
                         devices)
    check_opens(allowed, {("<", "/dev/kmsg"): "ok", ("<", "/dev/loopx"): "EPERM"})


@test
def a_default_device_redefined_in_linux_devices_stays_usable():
    if RUNC:
        skip("runc 1.1 bug: it drops its default rule for a default device that linux.devices redefines, "
             "so that /dev/null cannot be opened and the container fails to start")
    devices = [{"type": "c", "path": "/dev/null", "major": 1, "minor": 3, "fileMode": 0o666},
               {"type": "c", "path": "/dev/zero", "major": 1, "minor": 5, "fileMode": 0o600}]
    lines = run_script("probe '<>' /dev/null; probe '<' /dev/zero", [{"allow": False, "access": "rwm"}], devices)
    check_opens(lines, {("<>", "/dev/null"): "ok", ("<", "/dev/zero"): "ok"})


# ---- seen from outside (v1) -----------------------------------------------------

def devices_cgroup_of(pid):
    """The v1 devices cgroup dir of pid, or None when the host has no v1 devices."""
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if "devices" in controllers.split(","):
                return "/sys/fs/cgroup/devices" + path
    return None


@test
def devices_list_is_runcs_for_the_engine_rules():
    bundle = make_bundle(device_config(ENGINE_RULES), args=["sleep", "60"])
    cid = new_id("devlist")
    code, _, err = run_detached(["create", "--bundle", bundle, cid])
    check_eq(code, 0, f"create exit code ({err!r})")
    try:
        _, out, _ = run(["state", cid], check=0)
        directory = devices_cgroup_of(json.loads(out)["pid"])
        if directory is None:
            skip("no v1 devices hierarchy: the rules are a BPF program (checked from inside above)")
        with open(os.path.join(directory, "devices.list")) as f:
            listed = sorted(f.read().splitlines())
        check_eq(listed, sorted(["b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                                 "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 10:200 rwm",
                                 "c 136:* rwm"]), "devices.list")
    finally:
        run(["delete", "--force", cid])
    nothing_left(cid)


# ---- refused rules ----------------------------------------------------------------

def refused(rules, message):
    """create with deny-all and then `rules` exits 1, names `message` (nucleus:
    the JSON path), and leaves nothing behind."""
    create_refused(device_config([{"allow": False, "access": "rwm"}] + rules), message, peer=RUNC)


def allow_kmsg(**changes):
    return {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "r", **changes}


@test
def bad_type_access_and_numbers_are_refused():
    # runc 1.1 refuses these too, on v1 and v2.
    refused([allow_kmsg(type="x")], 'linux.resources.devices[1].type: unknown device type "x"')
    refused([allow_kmsg(access="")], "linux.resources.devices[1].access: must not be empty")
    no_access = allow_kmsg()
    del no_access["access"]
    refused([no_access], "linux.resources.devices[1].access: must not be empty")
    refused([allow_kmsg(minor=4294967296)],
            "linux.resources.devices[1].minor: must be -1 (any) or between 0 and 1048575, got 4294967296")


@test
def rules_runc_misreads_are_refused():
    if RUNC:
        skip("nucleus deviates: runc 1.1 drops unknown access letters (\"rwx\" is \"rw\") and takes numbers "
             "no device has; \"a\" and -2 fail late at the v1 cgroup write, and on v2 \"a\" allows nothing "
             "while -2 becomes \"*\"")
    refused([allow_kmsg(access="a")],
            'linux.resources.devices[1].access: expected a combination of r, w and m, got "a"')
    refused([allow_kmsg(access="rwx")],
            'linux.resources.devices[1].access: expected a combination of r, w and m, got "rwx"')
    refused([allow_kmsg(major=-2)],
            "linux.resources.devices[1].major: must be -1 (any) or between 0 and 4095, got -2")
    refused([allow_kmsg(major=4096)],
            "linux.resources.devices[1].major: must be -1 (any) or between 0 and 4095, got 4096")


@test
def a_rule_punching_a_hole_in_a_wildcard_is_refused():
    # v1 cannot take c 1:11 r out of c 1:* rw; runc refuses it too.
    refused([{"allow": True, "type": "c", "major": 1, "access": "rw"}, allow_kmsg(allow=False)],
            'linux.resources.devices: rule "c 1:11 r" would punch a hole in the wider exception "c 1:* rw"')


main()
