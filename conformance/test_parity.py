#!/usr/bin/env python3
"""runc parity (issue 11): behaviours runc's users and conformance suites rely
on, each checked on a real container and runnable against runc
(NUCLEUS=/usr/bin/runc). Needs root."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, error_messages, load_config, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, own_rootfs, run, run_detached, run_to_files, skip, state_root, tempdir, test,
                     userns, wait_for)


def add_capability(name):
    def mutate(c):
        caps = c["process"].setdefault("capabilities", {})
        for s in ("bounding", "permitted", "effective"):
            caps.setdefault(s, []).append(name)
    return mutate


@test
def a_capability_the_runtime_cannot_grant_fails_create():
    """runc: "unable to apply caps: operation not permitted"; crun: "capset:
    Operation not permitted". The runtime runs without CAP_SYS_RESOURCE in its
    bounding set (setpriv), and the config asks for it."""
    cid = new_id("caps")
    bundle = make_bundle(add_capability("CAP_SYS_RESOURCE"), args=["true"])
    argv = ["setpriv", "--bounding-set", "-sys_resource", NUCLEUS, "--root", state_root(),
            "run", "--bundle", bundle, cid]
    rc, _, err = run_to_files(argv)
    check_eq(rc, 1, f"exit code ({err!r})")
    check_in("unable to apply caps", error_messages(err), "error")
    check_in("operation not permitted", error_messages(err), "error")
    nothing_left(cid)


@test
def an_unknown_capability_name_is_only_warned_about():
    """The spec: runtimes SHOULD NOT fail on capabilities they do not know."""
    rc, _, err = run(["run", "--bundle", make_bundle(add_capability("CAP_NO_SUCH_THING"), args=["true"]),
                      new_id("caps")])
    check_eq(rc, 0, f"exit code ({err!r})")



PEER = os.path.basename(NUCLEUS)  # "runc" in peer mode


def host_mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(path)]


def without_mount_namespace(c):
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "mount"]
    c["mounts"] = []
    c["linux"]["maskedPaths"] = []
    c["linux"]["readonlyPaths"] = []
    c["root"]["readonly"] = False


@test
def a_container_without_a_mount_namespace_runs():
    """The init reopens the exec fifo through a procfs it took before the
    chroot (the rootfs has no /proc of its own). runc 1.1.5 fails this
    config ("error closing exec fds: open /proc/self/fd"); crun runs it."""
    if PEER == "runc":
        skip("runc 1.1.5 cannot run a container without a mount namespace")
    bundle = make_bundle(without_mount_namespace, args=["sh", "-c", "echo inside"])
    rc, out, err = run(["run", "--bundle", bundle, new_id("nomnt")])
    check_eq((rc, out.strip()), (0, "inside"), f"run ({error_messages(err)!r})")
    check_eq(host_mounts_under(os.path.join(bundle, "rootfs")), [], "host mounts left on the rootfs")


@test
def a_container_with_no_proc_mount_runs():
    """The runtime's own work after pivot_root (the exec fifo, read-only root,
    the console) is done by fd, not through the container's /proc. runc 1.1.5
    fails here ("error closing exec fds: open /proc/self/fd")."""
    if PEER == "runc":
        skip("runc 1.1.5 needs a /proc in the container")
    def no_proc(c):
        c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/proc"]
        c["linux"]["maskedPaths"] = []
        c["linux"]["readonlyPaths"] = []
    rc, out, err = run(["run", "--bundle", make_bundle(no_proc, args=["sh", "-c", "ls /proc | wc -l"]),
                        new_id("noproc")])
    check_eq((rc, out.strip()), (0, "0"), f"run ({error_messages(err)!r})")


@test
def mounts_without_a_mount_namespace_are_refused():
    """They would be made in the host's mount namespace: runc 1.1.5 and crun
    1.8.1 leave them there (18 and 35 mounts on the host for the default
    config's list). nucleus refuses, naming the field."""
    if PEER == "runc":
        skip("runc 1.1.5 mounts into the host's namespace and leaves the mounts (a runc bug)")
    def mutate(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "mount"]
    cid = new_id("nomnt")
    bundle = make_bundle(mutate, args=["true"])
    rc, _, err = run(["run", "--bundle", bundle, cid])
    check_eq(rc, 1, "exit code")
    check_in("mounts: requires a mount namespace", error_messages(err), "error")
    check_eq(host_mounts_under(os.path.join(bundle, "rootfs")), [], "host mounts left on the rootfs")
    nothing_left(cid)



@test
def loopback_is_up_in_a_new_network_namespace():
    """runc and crun bring lo up; podman --network none and CNI setups rely on it."""
    script = "ip addr show lo; nc -l -p 5555 >/dev/null & sleep 0.2; echo x | nc -w1 127.0.0.1 5555 && echo CONNECTED"
    rc, out, err = run(["run", "--bundle", make_bundle(args=["sh", "-c", script]), new_id("lo")])
    check_eq(rc, 0, f"run ({error_messages(err)!r}, {out!r})")
    check_in("inet 127.0.0.1/8", out, "lo's address")
    check_in("UP", out.splitlines()[0], "lo's flags")
    check_in("CONNECTED", out, "a connection over loopback")



@test
def create_container_hooks_run_in_the_rootfs_and_start_container_hooks_under_the_filter():
    """runc's order: createContainer hooks with the rootfs as their cwd;
    startContainer hooks after the noNewPrivileges seccomp filter is loaded."""
    out = tempdir()

    def mutate(c):
        c["process"]["noNewPrivileges"] = True
        c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO"}]}
        c["hooks"] = {
            "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", f"pwd -P > {out}/cwd"]}],
            "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "grep Seccomp: /proc/self/status > /seccomp"]}],
        }
        c["root"]["readonly"] = False
    bundle = make_bundle(mutate, args=["cat", "/seccomp"])
    rc, stdout, err = run(["run", "--bundle", bundle, new_id("hooks")])
    check_eq(rc, 0, f"run ({error_messages(err)!r})")
    check_eq(open(os.path.join(out, "cwd")).read().strip(), os.path.realpath(os.path.join(bundle, "rootfs")),
             "createContainer hook's cwd")
    check_in("Seccomp:\t2", stdout, "startContainer hook's seccomp mode")



@test
def stdio_is_handed_to_the_containers_user():
    """runc's fixStdioPermissions: a non-root process owns its stdout (here a
    file of the caller), but /dev/null (its stdin) is left alone. Detached, so
    that runc passes the caller's stdio through as nucleus always does."""
    def as_user(c):
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
    script = "stat -L -c %u /proc/self/fd/0 /proc/self/fd/1"
    d = tempdir()
    out_path = os.path.join(d, "out")
    with open(out_path, "w") as out:
        rc = subprocess.run([NUCLEUS, "--root", state_root(), "run", "--detach", "--bundle",
                             make_bundle(as_user, args=["sh", "-c", script]), new_id("stdio")],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, timeout=60).returncode
    check_eq(rc, 0, "run --detach")
    wait_for(lambda: len(open(out_path).read().split()) == 2, what="the container's output")
    check_eq(open(out_path).read().split(), ["0", "1000"], "owners of stdin (/dev/null) and stdout")


@test
def a_read_only_dev_is_made_read_only_after_it_is_filled():
    def ro_dev(c):
        for m in c["mounts"]:
            if m["destination"] == "/dev":
                m["options"].append("ro")
    script = "ls /dev/null /dev/pts/ptmx >/dev/null && echo FILLED; touch /dev/x 2>/dev/null || echo READONLY"
    rc, out, err = run(["run", "--bundle", make_bundle(ro_dev, args=["sh", "-c", script]), new_id("rodev")])
    check_eq((rc, out.split()), (0, ["FILLED", "READONLY"]), f"run ({error_messages(err)!r})")



@test
def exec_cgroup_paths_stay_inside_the_container():
    cid = new_id("cgexec")
    rc, _, err = run_detached(["run", "--detach", "--bundle", make_bundle(args=["sleep", "1000"]), cid])
    check_eq(rc, 0, f"run --detach ({err!r})")
    try:
        for arg in ("..", "a/../..", "../x"):
            rc, _, err = run(["exec", "--cgroup", arg, cid, "true"])
            check(rc != 0, f"exec --cgroup {arg} succeeded")
            check_in(f"{arg} is not a sub cgroup path", error_messages(err), f"exec --cgroup {arg}")
        rc, _, err = run(["exec", "--cgroup", "nosuch:sub", cid, "true"])
        check(rc != 0, "exec --cgroup nosuch:sub succeeded")
        check_in("unknown controller nosuch in SubCgroupPaths", error_messages(err), "unknown controller")
    finally:
        run(["delete", "--force", cid])



def host_mount_count():
    with open("/proc/self/mountinfo") as f:
        return sum(1 for _ in f)


@test
def sysfs_is_fresh_in_a_joined_network_namespace_whatever_the_propagation():
    """Every Kubernetes container joins its pod's network namespace: its
    /sys/class/net must show that namespace's interfaces (a fresh sysfs), not
    the host's, and with rootfsPropagation rshared nothing mounted under /sys
    may reach the host (a bind of the host's /sys made create fail there)."""
    name = f"nucleus-test-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        props = [None, "rshared", "shared", "rslave", "slave", "private", "rprivate", "unbindable", "runbindable"]
        if PEER == "runc":  # runc 1.1.5 fails on both: "mount ... flags: 0x5000: invalid argument"
            props = props[:-2]
        for prop in props:
            def join(c, prop=prop):
                for ns in c["linux"]["namespaces"]:
                    if ns["type"] == "network":
                        ns["path"] = f"/var/run/netns/{name}"
                if prop:
                    c["linux"]["rootfsPropagation"] = prop
            before = host_mount_count()
            cid = new_id("sysfs")
            rc, out, err = run(["run", "--bundle", make_bundle(join, args=["ls", "/sys/class/net"]), cid])
            check_eq((rc, out.split()), (0, ["lo"]), f"rootfsPropagation {prop}: ({error_messages(err)!r})")
            check_eq(host_mount_count(), before, f"rootfsPropagation {prop}: host mounts")
            nothing_left(cid)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


@test
def sysfs_falls_back_to_the_hosts_in_a_user_namespace_without_a_network_namespace():
    """The kernel refuses a fresh sysfs to a user namespace that does not own
    the network namespace: the host's /sys is bound (rslave) instead, as crun
    1.8.1 does."""
    if PEER == "runc":
        skip("runc 1.1.5 has no fallback: mount sysfs ... operation not permitted")
    def shared_net(c):
        userns(c)
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
    bundle = make_bundle(shared_net, args=["ls", "/sys/kernel"])
    own_rootfs(bundle)
    before = host_mount_count()
    rc, out, err = run(["run", "--bundle", bundle, new_id("sysfs")])
    check_eq(rc, 0, f"run ({error_messages(err)!r})")
    check("mm" in out.split() or "uevent_seqnum" in out.split(), f"/sys/kernel looks empty: {out!r}")
    check_eq(host_mount_count(), before, "host mounts")



@test
def a_bind_source_under_a_root_only_directory_works_in_a_user_namespace():
    """runc opens mount sources on the host side: the container's root (an
    unprivileged host uid) could not reach one under a 0700 directory."""
    private = tempdir()
    os.chmod(private, 0o700)
    os.makedirs(os.path.join(private, "data"))
    with open(os.path.join(private, "data", "file"), "w") as f:
        f.write("reached\n")

    def mutate(c):
        userns(c)
        c["mounts"].append({"destination": "/data", "type": "bind", "source": os.path.join(private, "data"),
                            "options": ["rbind", "ro"]})
    bundle = make_bundle(mutate, args=["cat", "/data/file"])
    own_rootfs(bundle)
    rc, out, err = run(["run", "--bundle", bundle, new_id("bindsrc")])
    check_eq((rc, out.strip()), (0, "reached"), f"run ({error_messages(err)!r})")



@test
def intel_rdt_is_refused_not_ignored():
    """nucleus does not apply linux.intelRdt yet: a config asking for it must
    not run as if it did. (runc refuses it too where the host has no resctrl.)"""
    def rdt(c):
        c["linux"]["intelRdt"] = {"l3CacheSchema": "L3:0=ff"}
    cid = new_id("rdt")
    rc, _, err = run(["run", "--bundle", make_bundle(rdt, args=["true"]), cid])
    check_eq(rc, 1, f"exit code ({err!r})")
    check_in("intelRdt", error_messages(err), "error names the field")
    nothing_left(cid)



@test
def rootless_true_as_root_runs():
    """--rootless=true as root (runc's flag): the config needs no user
    namespace (that is for a user), cgroups are made where root may make them,
    and the container runs, as in runc. Runs as a user: test_rootless.py."""
    cid = new_id("rootless")
    rc, _, err = run(["--rootless=true", "run", "--bundle", make_bundle(args=["true"]), cid])
    check_eq(rc, 0, f"exit code ({err!r})")
    nothing_left(cid)


@test
def debug_logs_each_step_with_its_duration():
    """--debug: a line per step of create, of the init and of exec, with how
    long it took, in text and JSON log formats; a failing step says so."""
    if PEER == "runc":
        skip("nucleus's own step names")
    step = re.compile(r"^(create|init|exec): .+ \(\d+\.\d{3} ms\)$")
    cid = new_id("debug")
    rc, _, err = run_detached(["--debug", "run", "--detach", "--bundle", make_bundle(args=["sleep", "1000"]), cid])
    check_eq(rc, 0, f"run ({err!r})")
    try:
        lines = error_messages(err).splitlines()
        for want in ("create: validate the config", "init: mount_rootfs (", "init: switch_identity (",
                     "create: record the container"):
            check(any(line.startswith(want) and step.match(line) for line in lines), f"no {want!r} in {lines}")
        rc, _, err = run(["--debug", "--log-format", "json", "exec", cid, "true"])
        check_eq(rc, 0, f"exec ({err!r})")
        records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        check(any(r["level"] == "debug" and r["msg"].startswith("exec: enter_namespaces (") for r in records),
              f"no exec step in {records}")
    finally:
        run(["delete", "--force", cid])

    def bad_mount(c):
        c["mounts"].append({"destination": "/x", "type": "bind", "source": "/nonexistent-nucleus-source"})
    rc, _, err = run(["--debug", "run", "--bundle", make_bundle(bad_mount, args=["true"]), new_id("debug")])
    check_eq(rc, 1, "run with a missing bind source")
    check_in("init: mount_rootfs failed (", error_messages(err), "the failing step")


@test
def repeated_keys_and_invalid_utf8_are_read_as_go_reads_them():
    """runc reads config.json with Go's encoding/json: a repeated key decodes
    into what the first left (a second "hostname" wins; a second, partial
    "process" object changes only the members it names) and each byte that is
    not valid UTF-8 in a string becomes U+FFFD (runc 1.1.5 prints exactly
    this)."""
    bundle = make_bundle(args=["sh", "-c", 'hostname; echo "$FOO"; pwd'])
    config = load_config(bundle)
    config["hostname"] = "SECOND"
    config["process"]["env"].append("FOO=X")
    raw = json.dumps(config, indent=2).encode()
    raw = raw.replace(b'"hostname": "SECOND"', b'"hostname": "first", "hostname": "h\xfe"')
    raw = raw.replace(b'"FOO=X"', b'"FOO=a\xffb\xc3"')
    raw = raw.rstrip()[:-1] + b', "process": {"cwd": "/bin"}}'
    with open(os.path.join(bundle, "config.json"), "wb") as f:
        f.write(raw)
    cid = new_id("gojson")
    p = subprocess.run([NUCLEUS, "--root", state_root(), "run", "--bundle", bundle, cid],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    check_eq(p.returncode, 0, f"exit code ({p.stderr!r})")
    fffd = "\ufffd".encode()
    check_eq(p.stdout, b"h" + fffd + b"\na" + fffd + b"b" + fffd + b"\n/bin\n", "stdout")
    nothing_left(cid)


main()
