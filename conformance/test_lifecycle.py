#!/usr/bin/env python3
"""The container lifecycle (issue 3): create / start / run / state / kill /
delete / list / ps over real busybox containers; the init's setup checked
from inside (namespaces, id maps, hostname, fds, terminal) and from outside
(state dir, cgroups, processes); hooks with their state and failure
semantics; error strings callers match on; concurrent verbs. Needs root."""
import array
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, error_messages, fails_with,  # noqa: E402
                     listening_socket, load_config, main, make_bundle, new_id, nothing_left, own_rootfs,
                     process_cgroup_dirs, processes_mentioning, run, run_detached, run_to_files, skip, state,
                     state_root, status, tempdir, test, userns, wait_for)


def writable(config):
    config["root"]["readonly"] = False


def with_args(*args, mutate=None, terminal=False):
    return make_bundle(mutate, args=list(args), terminal=terminal)


def detached(*args):
    """Run nucleus with stdio on files: a created or detached container keeps
    the caller's stdio, so pipes would not reach EOF when nucleus exits."""
    d = tempdir()
    with open(os.path.join(d, "out"), "w+") as out, open(os.path.join(d, "err"), "w+") as err:
        p = subprocess.run([NUCLEUS, "--root", state_root(), *args], stdin=subprocess.DEVNULL,
                           stdout=out, stderr=err, timeout=60)
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read(), err.read()


def create(bundle, cid, *extra):
    return detached("create", "--bundle", bundle, *extra, cid)


class Created:
    """A created (not started) container; force-deleted on exit."""

    def __init__(self, bundle, cid=None, extra=()):
        self.id = cid or new_id("lc")
        self.bundle = bundle
        self.pid_file = os.path.join(tempdir(), "init.pid")
        self.extra = list(extra)

    def __enter__(self):
        rc, _, err = create(self.bundle, self.id, "--pid-file", self.pid_file, *self.extra)
        check_eq(rc, 0, f"create exit code ({err!r})")
        with open(self.pid_file) as f:
            self.pid = int(f.read())
        return self

    def __exit__(self, *exc):
        run(["delete", "--force", self.id])


# ---- run ----------------------------------------------------------------------

@test
def run_true_exits_0_and_leaves_nothing():
    cid = new_id("run")
    run(["run", "--bundle", with_args("/bin/true"), cid], check=0)
    nothing_left(cid)


@test
def run_returns_the_exit_code_and_output():
    cid = new_id("run")
    rc, out, err = run(["run", "--bundle", with_args("sh", "-c", "echo hi; echo oops >&2; exit 3"), cid])
    check_eq(rc, 3, "exit code")
    check_eq(out, "hi\n", "stdout")
    check_in("oops", err, "stderr")
    nothing_left(cid)


@test
def run_exits_128_plus_signal_when_killed():
    cid = new_id("run")
    bundle = with_args("sleep", "1000")
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "run", "--bundle", bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: run(["state", cid])[0] == 0 and status(cid) == "running", what="running")
        run(["kill", cid, "KILL"], check=0)
        check_eq(p.wait(timeout=20), 128 + 9, "run exit code")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    nothing_left(cid)


@test
def run_forwards_signals_to_the_container():
    cid = new_id("run")
    script = "trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.05; done"
    bundle = with_args("sh", "-c", script)
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "run", "--bundle", bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        check_eq(p.stdout.readline(), "ready\n", "container output")
        p.send_signal(signal.SIGTERM)
        check_eq(p.wait(timeout=20), 42, "run exit code")
        check_in("got-term", p.stdout.read(), "container output")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


@test
def run_detach_returns_after_start_and_keep_keeps():
    cid = new_id("run")
    rc, _, err = detached("run", "-d", "--bundle", with_args("sleep", "1000"), cid)
    check_eq(rc, 0, f"run -d exit code ({err!r})")
    check_eq(status(cid), "running", "status after run -d")
    run(["delete", "--force", cid], check=0)
    kept = new_id("run")
    run(["run", "--keep", "--bundle", with_args("/bin/true"), kept], check=0)
    check_eq(status(kept), "stopped", "status after run --keep")
    run(["delete", kept], check=0)
    nothing_left(kept)


# ---- create / start / state ------------------------------------------------------

@test
def lifecycle_created_running_stopped_deleted():
    bundle = with_args("sh", "-c", "sleep 5")  # still running when state is read, under TCG too
    with Created(bundle) as c:
        s = state(c.id)
        check_eq(s["status"], "created", "status after create")
        check_eq(s["pid"], c.pid, "state pid vs pid-file")
        check_eq(s["bundle"], bundle, "bundle")
        check_eq(s["rootfs"], os.path.join(os.path.realpath(bundle), "rootfs"), "rootfs")
        check_eq(s["owner"], "", "owner")
        check("T" in s["created"] and s["created"].endswith("Z"), f"created {s['created']!r}")
        # No nucleus process stays between the caller and the init.
        with open(f"/proc/{c.pid}/status") as f:
            ppid = int([l for l in f if l.startswith("PPid:")][0].split()[1])
        check_eq(ppid, os.getpid(), "init's parent (the caller is a subreaper)")
        others = [p for p, _ in processes_mentioning(c.id) if p != c.pid]
        check_eq(others, [], "nucleus processes besides the init")
        run(["start", c.id], check=0)
        check_eq(status(c.id), "running", "status after start")
        wait_for(lambda: status(c.id) == "stopped", timeout=30, what="stopped")
        check_eq(state(c.id)["pid"], 0, "pid of a stopped container")
        run(["delete", c.id], check=0)
        fails_with(["state", c.id], "container does not exist")
        nothing_left(c.id)


def in_cgroup(cgroup_dir):
    """A preexec_fn: the child moves itself into cgroup_dir before exec."""
    def move():
        with open(os.path.join(cgroup_dir, "cgroup.procs"), "w") as f:
            f.write("0")
    return move


def read_pids_events_max(cgroup_dir):
    """How many forks the pids limit of cgroup_dir (or an ancestor) refused."""
    with open(os.path.join(cgroup_dir, "pids.events")) as f:
        return int(dict(line.split() for line in f)["max"])


@test
def the_init_is_born_in_its_cgroup_on_cgroup_v2():
    """CLONE_INTO_CGROUP: on pure cgroup v2 the init is in the container's
    cgroup from its first instruction, never in the runtime's. nucleus runs
    in a cgroup with pids.max 1, where it is the one process: a clone that
    puts the child there first (to move it afterwards through cgroup.procs,
    as runc does) is refused; one into the container's cgroup is not."""
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        skip("not a pure cgroup v2 host (CLONE_INTO_CGROUP needs the container's cgroup on cgroup2)")
    if os.path.basename(NUCLEUS) == "runc":
        skip("runc forks runc init in its own cgroup, then moves it")
    cid = new_id("cic")
    trap = f"/sys/fs/cgroup/nucleus-test-{cid}-runtime"
    os.mkdir(trap)
    try:
        with open(f"{trap}/pids.max", "w") as f:
            f.write("1")
        # The trap works: a fork from it fails.
        p = subprocess.run(["/bin/sh", "-c", "/bin/true"], preexec_fn=in_cgroup(trap), capture_output=True,
                           text=True, timeout=30)
        check(p.returncode != 0, f"a fork in a cgroup with pids.max 1 succeeded ({p.stderr!r})")
        refused = read_pids_events_max(trap)
        check(refused > 0, "pids.events counts no refused fork")
        bundle = make_bundle(lambda c: c["linux"].update(cgroupsPath=f"/{cid}"), args=["sleep", "100"])
        pid_file = os.path.join(tempdir(), "init.pid")
        rc, _, err = run_to_files([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle,
                                   "--pid-file", pid_file, cid], preexec_fn=in_cgroup(trap))
        try:
            check_eq(rc, 0, f"create from a cgroup with pids.max 1 ({error_messages(err)!r})")
            check_eq(read_pids_events_max(trap), refused, "forks refused in the runtime's cgroup during create")
            with open(pid_file) as f:
                init = int(f.read())
            check_eq(process_cgroup_dirs(init)[""], f"/sys/fs/cgroup/{cid}", "the init's cgroup")
        finally:
            run(["delete", "--force", cid])
        nothing_left(cid)
    finally:
        os.rmdir(trap)


@test
def pid_file_has_no_newline():
    with Created(with_args("sleep", "1000")) as c:
        with open(c.pid_file) as f:
            text = f.read()
        check(text.isdigit(), f"pid file holds {text!r}")


@test
def missing_args0_fails_create_and_leaves_nothing():
    for arg0, message in [("/x", 'exec: "/x": stat /x: no such file or directory'),
                          ("nope", 'exec: "nope": executable file not found in $PATH')]:
        cid = new_id("miss")
        fails_with(["create", "--bundle", with_args(arg0), cid], message)
        nothing_left(cid)


@test
def failed_mount_fails_create_and_leaves_nothing():
    def bad_mount(c):
        c["mounts"].append({"destination": "/mnt", "type": "nosuchfs", "source": "none"})
    cid = new_id("fail")
    fails_with(["create", "--bundle", with_args("true", mutate=bad_mount), cid], 'mount "none"')
    nothing_left(cid)


@test
def duplicate_id_fails_and_leaves_the_first():
    with Created(with_args("sleep", "1000")) as c:
        fails_with(["create", "--bundle", c.bundle, c.id], f"container with id exists: {c.id}")
        check_eq(status(c.id), "created", "first container's status")
        check_eq(state(c.id)["pid"], c.pid, "first container's pid")


@test
def start_rules():
    with Created(with_args("sleep", "1000")) as c:
        run(["start", c.id], check=0)
        fails_with(["start", c.id], "cannot start an already running container")
        run(["kill", c.id, "KILL"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="stopped")
        fails_with(["start", c.id], "cannot start a container that has stopped")
    fails_with(["start", new_id("none")], "container does not exist")


@test
def state_never_takes_a_recycled_pid_for_the_container():
    with Created(with_args("sleep", "1000")) as c:
        run(["kill", c.id, "KILL"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="stopped")
        # Point the record at a live process (ourselves) with the dead init's
        # start time: a recycled pid.
        path = os.path.join(state_root(), c.id, "state.json")
        with open(path) as f:
            record = json.load(f)
        record["initPid"] = os.getpid()
        with open(path, "w") as f:
            json.dump(record, f)
        check_eq(status(c.id), "stopped", "status with a recycled pid")
        fails_with(["kill", c.id, "KILL"], "container not running")


# ---- kill ----------------------------------------------------------------------

@test
def kill_accepts_names_and_numbers():
    script = "trap 'echo USR1 >> /tmp/log' USR1; touch /tmp/ready; while true; do sleep 0.05; done"
    bundle = with_args("sh", "-c", script, mutate=writable)
    log = os.path.join(bundle, "rootfs", "tmp", "log")
    with Created(bundle) as c:
        run(["start", c.id], check=0)
        wait_for(lambda: os.path.exists(os.path.join(bundle, "rootfs", "tmp", "ready")), what="trap set")
        for i, sig in enumerate(["USR1", "SIGUSR1", "usr1", "sigusr1", str(int(signal.SIGUSR1))]):
            run(["kill", c.id, sig], check=0)
            wait_for(lambda: os.path.exists(log) and len(open(log).read().split()) == i + 1,
                     what=f"signal {sig} delivered")
        fails_with(["kill", c.id, "NOSUCHSIG"], "")
        check_eq(status(c.id), "running", "status")
        run(["kill", c.id], check=0)  # SIGTERM by default: sh has no trap for it
        # As pid 1 of its namespace, sh ignores an untrapped TERM: still running.
        time.sleep(0.2)
        check_eq(status(c.id), "running", "status after an untrapped TERM to pid 1")
        run(["kill", c.id, "9"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="stopped")


@test
def kill_created_and_stopped_containers():
    with Created(with_args("sleep", "1000")) as c:
        run(["kill", c.id, "KILL"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="created container killed")
        fails_with(["kill", c.id, "KILL"], "container not running")
        run(["kill", "--all", c.id, "KILL"], check=0)
    with Created(with_args("sleep", "1000")) as c:
        run(["kill", c.id, "TERM"], check=0)  # delivered to a created container too
        wait_for(lambda: status(c.id) == "stopped", what="created container terminated")
    fails_with(["kill", new_id("none"), "KILL"], "container does not exist")


@test
def kill_all_reaches_every_process():
    bundle = with_args("sh", "-c", "sleep 1000 & sleep 1000 & wait")
    with Created(bundle) as c:
        run(["start", c.id], check=0)
        wait_for(lambda: len(json.loads(run(["ps", "--format", "json", c.id], check=0)[1])) == 3,
                 what="three processes")
        pids = json.loads(run(["ps", "--format", "json", c.id], check=0)[1])
        check_in(c.pid, pids, "ps lists the init")
        run(["kill", "--all", c.id, "KILL"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="stopped")
        wait_for(lambda: not any(os.path.exists(f"/proc/{p}/cmdline") and open(f"/proc/{p}/cmdline").read()
                                 for p in pids), what="all processes gone")


# ---- delete --------------------------------------------------------------------

@test
def delete_rules():
    with Created(with_args("sleep", "1000")) as c:
        run(["start", c.id], check=0)
        fails_with(["delete", c.id], f"cannot delete container {c.id} that is not stopped: running")
        check_eq(status(c.id), "running", "status after refused delete")
        run(["delete", "--force", c.id], check=0)
        nothing_left(c.id)
    with Created(with_args("sleep", "1000")) as c:
        run(["delete", c.id], check=0)  # a created container is killed, then deleted
        check(not os.path.exists(f"/proc/{c.pid}/cmdline") or not open(f"/proc/{c.pid}/cmdline").read(),
              "init still alive")
        nothing_left(c.id)
    missing = new_id("none")
    run(["delete", "--force", missing], check=0)
    fails_with(["delete", missing], "container does not exist")


# ---- list / ps -----------------------------------------------------------------

@test
def list_and_ps_formats():
    with Created(with_args("sleep", "1000")) as c:
        rc, out, _ = run(["list"], check=0)
        header = out.splitlines()[0].split()
        check_eq(header, ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], "list header")
        row = [l.split() for l in out.splitlines()[1:] if l.split()[0] == c.id][0]
        check_eq(row[1:3], [str(c.pid), "created"], "list row")
        listed = json.loads(run(["list", "--format", "json"], check=0)[1])
        entry = [e for e in listed if e["id"] == c.id][0]
        check_eq((entry["pid"], entry["status"]), (c.pid, "created"), "list json")
        check_in(c.id, run(["list", "-q"], check=0)[1].split(), "list -q")
        check_eq(json.loads(run(["ps", "--format", "json", c.id], check=0)[1]), [c.pid], "ps json")


# ---- what the init sets up ---------------------------------------------------------

def host_namespaces():
    return {n: os.readlink(f"/proc/self/ns/{n}") for n in os.listdir("/proc/self/ns")}


def container_namespaces(bundle):
    out = run(["run", "--bundle", bundle, new_id("ns")], check=0)[1]
    links = {}
    for line in out.split():
        name, _, target = line.partition("=")
        links[name] = target
    return links


NS_SCRIPT = "for n in /proc/self/ns/*; do echo ${n##*/}=$(readlink $n); done"


@test
def namespaces_differ_from_the_host():
    def all_namespaces(c):
        c["linux"]["namespaces"] = [{"type": t} for t in
                                    ("pid", "network", "ipc", "uts", "mount", "cgroup", "time")]
    inside = container_namespaces(with_args("sh", "-c", NS_SCRIPT, mutate=all_namespaces))
    host = host_namespaces()
    for name in ("pid", "net", "ipc", "uts", "mnt", "cgroup", "time"):
        check(inside[name] != host[name], f"{name} namespace is the host's")
    check_eq(inside["user"], host["user"], "user namespace (not asked for)")


@test
def namespaces_joined_by_path():
    holder = Created(with_args("sleep", "1000"))
    with holder:
        def join(c):
            c["linux"]["namespaces"] = [
                {"type": "pid", "path": f"/proc/{holder.pid}/ns/pid"},
                {"type": "network", "path": f"/proc/{holder.pid}/ns/net"},
                {"type": "uts", "path": f"/proc/{holder.pid}/ns/uts"},
                {"type": "ipc"}, {"type": "mount"}]
        inside = container_namespaces(with_args("sh", "-c", NS_SCRIPT, mutate=join))
        for name, ns in (("pid", "pid"), ("net", "net"), ("uts", "uts")):
            check_eq(inside[name], os.readlink(f"/proc/{holder.pid}/ns/{ns}"), f"joined {name}")
        check(inside["ipc"] != os.readlink(f"/proc/{holder.pid}/ns/ipc"), "new ipc namespace")

        def wrong_type(c):
            c["linux"]["namespaces"] = [{"type": "network", "path": f"/proc/{holder.pid}/ns/uts"},
                                        {"type": "mount"}]
        cid = new_id("ns")
        fails_with(["create", "--bundle", with_args("true", mutate=wrong_type), cid], "namespace")
        nothing_left(cid)


@test
def user_namespace_with_mappings():
    bundle = with_args("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -n /dev/null",
                       mutate=userns)
    own_rootfs(bundle)
    out = run(["run", "--bundle", bundle, new_id("user")], check=0)[1].split("\n")
    check_eq(out[0].split(), ["0", "100000", "65536"], "uid_map")
    check_eq(out[1].split(), ["0", "100000", "65536"], "gid_map")
    check_eq(out[2], "0", "uid inside")


@test
def user_namespace_with_joined_network_namespace():
    holder = Created(with_args("sleep", "1000"))
    with holder:
        def mutate(c):
            userns(c)
            c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
            c["linux"]["namespaces"].append({"type": "network", "path": f"/proc/{holder.pid}/ns/net"})
        bundle = with_args("sh", "-c", NS_SCRIPT + "; cat /proc/self/uid_map", mutate=mutate)
        own_rootfs(bundle)
        out = run(["run", "--bundle", bundle, new_id("user")], check=0)[1]
        check_in("0     100000      65536", out, "uid_map")
        check_in(f"net={os.readlink(f'/proc/{holder.pid}/ns/net')}", out, "joined net namespace")
        check_in("pid:[", out, "pid namespace")
        check(f"pid={os.readlink('/proc/self/ns/pid')}" not in out, "pid namespace is the host's")


@test
def joined_user_namespace_with_new_pid_and_mount_namespaces():
    holder_bundle = with_args("sleep", "1000", mutate=userns)
    own_rootfs(holder_bundle)
    with Created(holder_bundle) as holder:
        def join(c):
            c["linux"]["namespaces"] = [
                {"type": "user", "path": f"/proc/{holder.pid}/ns/user"},
                {"type": "network", "path": f"/proc/{holder.pid}/ns/net"},
                {"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
        bundle = with_args("sh", "-c", NS_SCRIPT + "; cat /proc/self/uid_map; echo pid=$$", mutate=join)
        own_rootfs(bundle)
        out = run(["run", "--bundle", bundle, new_id("user")], check=0)[1]
        check_in(f"user={os.readlink(f'/proc/{holder.pid}/ns/user')}", out, "joined user namespace")
        check_in(f"net={os.readlink(f'/proc/{holder.pid}/ns/net')}", out, "joined net namespace")
        check(f"pid={os.readlink(f'/proc/{holder.pid}/ns/pid')}" not in out, "new pid namespace")
        check_in("pid=1", out.split(), "the init is pid 1 of its new pid namespace")
        check_in("0     100000      65536", out, "uid_map")


@test
def no_pivot_moves_the_rootfs_and_chroots():
    cid = new_id("nopivot")
    out = run(["run", "--no-pivot", "--bundle", with_args("sh", "-c", "ls /; cat /proc/self/mountinfo"),
               cid], check=0)[1]
    check_in("bin", out.split(), "rootfs contents")
    root = [l.split() for l in out.splitlines() if len(l.split()) > 4 and l.split()[4] == "/"]
    check(root and root[0][3].endswith("/rootfs"), f"rootfs mounted at /: {root}")


@test
def process_attributes_are_applied():
    def attrs(c):
        c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 6], "umask": 0o027}
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]
        c["process"]["oomScoreAdj"] = 123
        c["process"]["noNewPrivileges"] = True
        c["process"]["capabilities"] = {k: ["CAP_KILL"] for k in ("bounding", "effective", "permitted")}
        c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    script = ("id -u; id -g; id -G; umask; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; "
              "grep -E 'NoNewPrivs|CapBnd' /proc/self/status; cat /proc/sys/net/ipv4/ip_forward")
    out = run(["run", "--bundle", with_args("sh", "-c", script, mutate=attrs), new_id("proc")],
              check=0)[1].splitlines()
    check_eq(out[:7], ["1000", "1000", "1000 5 6", "0027", "256", "512", "123"], "identity and limits")
    check_eq([l.split() for l in out[7:9]], [["CapBnd:", "0000000000000020"], ["NoNewPrivs:", "1"]],
             "caps and no_new_privs")
    check_eq(out[9], "1", "sysctl")


@test
def time_namespace_offsets():
    def offsets(c):
        c["linux"]["namespaces"].append({"type": "time"})
        c["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400 * 400}, "boottime": {"secs": 86400 * 400}}
    out = run(["run", "--bundle", with_args("cat", "/proc/uptime", mutate=offsets), new_id("time")],
              check=0)[1]
    with open("/proc/uptime") as f:
        host = float(f.read().split()[0])
    check(float(out.split()[0]) >= host + 86400 * 400 - 5, f"uptime inside {out!r}, host {host}")


@test
def hostname_domainname_and_env():
    def names(c):
        c["hostname"] = "nucleus-host"
        c["domainname"] = "example.test"
        c["process"]["env"].append("FOO=bar")
        c["process"]["cwd"] = "/tmp"
    out = run(["run", "--bundle", with_args("sh", "-c", "hostname; cat /proc/sys/kernel/domainname; "
                                            "echo $FOO $HOME; pwd", mutate=names),
               new_id("uts")], check=0)[1]
    check_eq(out.split(), ["nucleus-host", "example.test", "bar", "/root", "/tmp"], "output")


@test
def default_devices_and_dev_symlinks():
    script = ("for d in null zero full random urandom tty; do stat -c '%n %t:%T %a' /dev/$d; done; "
              "for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done")
    out = run(["run", "--bundle", with_args("sh", "-c", script), new_id("dev")], check=0)[1].splitlines()
    check_eq(out[:6], ["/dev/null 1:3 666", "/dev/zero 1:5 666", "/dev/full 1:7 666",
                       "/dev/random 1:8 666", "/dev/urandom 1:9 666", "/dev/tty 5:0 666"], "devices")
    check_eq(out[6:], ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2",
                       "pts/ptmx"], "symlinks")


@test
def mounts_of_the_default_config():
    bundle = with_args("cat", "/proc/self/mountinfo")
    namespaces = {n["type"] for n in load_config(bundle)["linux"]["namespaces"]}
    out = run(["run", "--bundle", bundle, new_id("mnt")], check=0)[1]
    points = {l.split()[4]: l for l in out.splitlines()}
    for p in ("/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"):
        check_in(p, points, "mount points")
    check(" ro," in points["/"] or " ro " in points["/"], "root is read-only: " + points["/"])
    check(points["/sys"].split()[5].startswith("ro"), "sysfs is read-only: " + points["/sys"])
    if points["/sys/fs/cgroup"].split(" - ")[1].split()[0] == "cgroup2":
        # Pure cgroup v2: the one hierarchy, rooted at the container's own
        # cgroup: a fresh mount in its cgroup namespace (`spec` gives one on
        # v2, as runc's does), else a bind of its dir.
        root = points["/sys/fs/cgroup"].split()[3]
        if "cgroup" in namespaces:
            check_eq(root, "/", "root of the cgroup2 mount in the container's cgroup namespace")
        else:
            check(root != "/", "host cgroup root bound at /sys/fs/cgroup")
        return
    cgroups = [p for p in points if p.startswith("/sys/fs/cgroup/")]
    check(cgroups, "no cgroup hierarchies under /sys/fs/cgroup")
    # The container sees its own cgroup as the hierarchy's root, never the host's.
    for p in cgroups:
        check(points[p].split()[3] != "/", f"host cgroup root bound at {p}")


@test
def no_host_fd_leaks_into_the_container():
    r, w = os.pipe()
    extra = os.open("/etc/hostname", os.O_RDONLY)
    try:
        cmd = [NUCLEUS, "--root", state_root(), "run", "--bundle", with_args("ls", "/proc/self/fd"),
               new_id("fds")]
        p = subprocess.run(cmd, pass_fds=(r, w, extra), capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        check_eq(p.returncode, 0, f"exit code ({p.stderr!r})")
        check_eq(sorted(p.stdout.split(), key=int), ["0", "1", "2", "3"], "fds inside (3 is ls's own)")
    finally:
        for fd in (r, w, extra):
            os.close(fd)


@test
def preserve_fds_and_listen_fds():
    bundle = with_args("sh", "-c", "ls /proc/self/fd; echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID")
    fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
    check_eq(fds, [3, 4, 5], "test fds (the harness must hold no other)")
    try:
        cmd = ["sh", "-c", f'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"', NUCLEUS, "--root", state_root(),
               "run", "--preserve-fds", "2", "--bundle", bundle, new_id("fds")]
        p = subprocess.run(cmd, pass_fds=fds, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=60)
        check_eq(p.returncode, 0, f"exit code ({p.stderr!r})")
        lines = p.stdout.split()
        check_eq(sorted((x for x in lines if x.isdigit()), key=int), ["0", "1", "2", "3", "4", "5", "6"],
                 "fds inside (6 is ls's own)")
        check_in("LISTEN_FDS=1", lines, "env")
        check_in("LISTEN_PID=1", lines, "env")
    finally:
        for fd in fds:
            os.close(fd)


# ---- terminal ------------------------------------------------------------------

def receive_console(listener):
    conn, _ = listener.accept()
    with conn:
        fds = array.array("i")
        msg, ancdata, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize * 4))
        for level, kind, data in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        return msg, list(fds)


@test
def console_socket_gets_the_pty_master():
    def size(c):
        c["process"]["consoleSize"] = {"height": 33, "width": 111}
    bundle = with_args("sh", "-c", "tty; stty size; ls -1 /proc/self/fd; readlink /proc/self/fd/0",
                       mutate=size, terminal=True)
    sock_path, listener = listening_socket("console.sock")
    result = {}
    t = threading.Thread(target=lambda: result.update(got=receive_console(listener)))
    t.start()
    cid = new_id("tty")
    # The caller's stdio are pipes: the container must not keep them.
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle,
                          "--console-socket", sock_path, cid],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=60)
    t.join(timeout=10)
    listener.close()
    try:
        check_eq(p.returncode, 0, f"create exit code ({err!r})")
        msg, fds = result["got"]
        check_eq(len(fds), 1, "fds in the console message")
        check(0 < len(msg) < 4096, f"payload {msg!r}")
        check_eq(out, "", "create stdout (the pipe reached EOF: no copy kept)")
        master = fds[0]
        run(["start", cid], check=0)
        text = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        os.close(master)
        lines = text.decode().replace("\r", "").split("\n")
        check(lines[0].startswith("/dev/pts/"), f"tty: {lines[0]!r}")
        check_eq(lines[1], "33 111", "console size")
        check_eq(sorted((x for x in lines[2:] if x.isdigit()), key=int), ["0", "1", "2", "3"], "fds")
        check_in(lines[0], lines, "stdin is the pty")
    finally:
        run(["delete", "--force", cid])


@test
def pidfd_socket_gets_a_pidfd_of_the_init():
    """create --pidfd-socket (runc 1.2): one SCM_RIGHTS message carrying a
    pidfd of the container's init, which the receiver can signal."""
    sock_path, listener = listening_socket("pidfd.sock")
    result = {}
    t = threading.Thread(target=lambda: result.update(got=receive_console(listener)))
    t.start()
    cid = new_id("pidfd")
    rc, _, err = detached("create", "--bundle", with_args("sleep", "100"), "--pidfd-socket", sock_path, cid)
    t.join(timeout=10)
    listener.close()
    try:
        check_eq(rc, 0, f"create exit code ({err!r})")
        msg, fds = result["got"]
        check_eq(len(fds), 1, f"fds in the message {msg!r}")
        check_eq(os.readlink(f"/proc/self/fd/{fds[0]}"), "anon_inode:[pidfd]", "the fd is a pidfd")
        pid = json.loads(run(["state", cid], check=0)[1])["pid"]
        with open(f"/proc/self/fdinfo/{fds[0]}") as f:
            check_in(f"Pid:\t{pid}", f.read(), "the pidfd names the init")
        signal.pidfd_send_signal(fds[0], signal.SIGKILL)
        wait_for(lambda: json.loads(run(["state", cid], check=0)[1])["status"] == "stopped",
                 what="the init killed through its pidfd")
        os.close(fds[0])
    finally:
        run(["delete", "--force", cid])


@test
def pidfd_socket_that_nobody_listens_on_fails_create_cleanly():
    cid = new_id("pidfd")
    missing = os.path.join(tempdir(), "absent.sock")
    rc, _, err = detached("create", "--bundle", with_args("sleep", "100"), "--pidfd-socket", missing, cid)
    check_eq(rc, 1, "create exit code")
    check_in("absent.sock", error_messages(err), "the error names the socket")
    nothing_left(cid)


@test
def run_in_the_foreground_proxies_its_own_terminal():
    import pty
    bundle = with_args("sh", "-c", "read line; echo got:$line; tty; exit 5", terminal=True)
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(NUCLEUS, [NUCLEUS, "--root", state_root(), "run", "--bundle", bundle, new_id("fg")])
    output = b""
    os.write(fd, b"hello\n")
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, st = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode(errors="replace").replace("\r", "")
    check_eq(os.waitstatus_to_exitcode(st), 5, f"run exit code (output {text!r})")
    check_in("got:hello", text, "container output")
    check_in("/dev/pts/", text, "container tty")


@test
def terminal_needs_a_console_socket_and_vice_versa():
    fails_with(["create", "--bundle", with_args("true", terminal=True), new_id("tty")],
               "cannot allocate tty if runc will detach without setting console socket")
    fails_with(["create", "--bundle", with_args("true"), "--console-socket", "/nonexistent", new_id("tty")],
               "cannot use console socket if runc will not allocate tty")


# ---- hooks ---------------------------------------------------------------------

HOOK_KINDS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")


def hook_bundle(out_dir, failing=None, args=("sleep", "0.3")):
    """Every hook kind writes its stdin (and the namespace it ran in) to
    out_dir/<kind>.json; `failing` names a kind whose hook also fails."""
    def mutate(c):
        writable(c)
        c["hooks"] = {}
        for kind in HOOK_KINDS:
            cmd = f"cat > {out_dir}/{kind}.json; readlink /proc/self/ns/mnt > {out_dir}/{kind}.ns"
            hooks = [{"path": "/bin/sh", "args": ["sh", "-c", cmd]}]
            if kind == failing:
                hooks.append({"path": "/bin/sh", "args": ["sh", "-c", "echo bad >&2; exit 7"]})
                hooks.append({"path": "/bin/sh", "args": ["sh", "-c", f"touch {out_dir}/{kind}.after"]})
            c["hooks"][kind] = hooks
    return with_args(*args, mutate=mutate)


def hook_state(out_dir, kind):
    with open(os.path.join(out_dir, kind + ".json")) as f:
        return json.load(f)


@test
def hooks_get_the_state_at_each_point():
    out_dir = tempdir()
    bundle = hook_bundle(out_dir)
    # startContainer resolves in the container: give it the same sh and the out dir.
    os.makedirs(os.path.join(bundle, "rootfs", out_dir.lstrip("/")), exist_ok=True)
    with Created(bundle) as c:
        for kind in ("prestart", "createRuntime", "createContainer"):
            s = hook_state(out_dir, kind)
            check_eq((s["id"], s["status"], s["bundle"]), (c.id, "creating", bundle), f"{kind} state")
        check_eq(hook_state(out_dir, "createRuntime")["pid"], c.pid, "createRuntime pid (host view)")
        check_eq(hook_state(out_dir, "createContainer")["pid"], 1, "createContainer pid (container view)")
        host_mnt = os.readlink("/proc/self/ns/mnt")
        check_eq(open(f"{out_dir}/createRuntime.ns").read().strip(), host_mnt, "createRuntime namespace")
        check(open(f"{out_dir}/createContainer.ns").read().strip() != host_mnt, "createContainer namespace")
        check(not os.path.exists(f"{out_dir}/startContainer.json"), "startContainer ran at create")
        run(["start", c.id], check=0)
        inside = os.path.join(bundle, "rootfs", out_dir.lstrip("/"))
        s = json.load(open(os.path.join(inside, "startContainer.json")))
        check_eq((s["status"], s["pid"]), ("created", 1), "startContainer state")
        s = hook_state(out_dir, "poststart")
        check_eq((s["status"], s["pid"]), ("running", c.pid), "poststart state")
        wait_for(lambda: status(c.id) == "stopped", what="stopped")
        check(not os.path.exists(f"{out_dir}/poststop.json"), "poststop ran before delete")
        run(["delete", c.id], check=0)
        s = hook_state(out_dir, "poststop")
        check_eq((s["id"], s["status"]), (c.id, "stopped"), "poststop state")


@test
def failing_create_hooks_fail_create_and_leave_nothing():
    for kind in ("prestart", "createRuntime", "createContainer"):
        out_dir = tempdir()
        cid = new_id("hook")
        fails_with(["create", "--bundle", hook_bundle(out_dir, failing=kind), cid], "exit status 7")
        check(not os.path.exists(f"{out_dir}/{kind}.after"), f"{kind}: hooks ran after the failure")
        nothing_left(cid)


@test
def a_failing_poststart_hook_stops_and_destroys_the_container():
    """runtime.md step 9: generate an error, stop the container, continue at
    step 12 (destroy; then the poststop hooks). runc 1.1 does so too (it runs
    poststart at create, a runc bug; the outcome is the same)."""
    for verb in ("start", "run"):
        out_dir = tempdir()
        bundle = hook_bundle(out_dir, failing="poststart", args=("sleep", "1000"))
        os.makedirs(os.path.join(bundle, "rootfs", out_dir.lstrip("/")), exist_ok=True)
        cid = new_id("hook")
        if verb == "start":
            rc, _, err = run_detached(["create", "--bundle", bundle, cid])
            check_eq(rc, 0, f"create ({err!r})")
            rc, _, err = run(["start", cid])
        else:
            rc, _, err = run_detached(["run", "--detach", "--bundle", bundle, cid])
        check_eq(rc, 1, f"{verb} exit code ({err!r})")
        check_in("error running poststart hook #1", error_messages(err), f"{verb} error")
        check_in("exit status 7", error_messages(err), f"{verb} error")
        check(not os.path.exists(f"{out_dir}/poststart.after"), f"{verb}: a hook ran after the failure")
        check(os.path.exists(f"{out_dir}/poststop.json"), f"{verb}: poststop hooks did not run")
        nothing_left(cid)


@test
def a_failing_poststop_hook_is_a_warning():
    out_dir = tempdir()
    bundle = hook_bundle(out_dir, failing="poststop", args=("true",))
    os.makedirs(os.path.join(bundle, "rootfs", out_dir.lstrip("/")), exist_ok=True)
    cid = new_id("hook")
    rc, _, err = run(["run", "--bundle", bundle, cid])
    check_eq(rc, 0, "run exit code")
    check_in("exit status 7", err, "warning")
    check(os.path.exists(f"{out_dir}/poststop.after"), "later poststop hook did not run")
    nothing_left(cid)


# ---- concurrency ------------------------------------------------------------------

@test
def concurrent_verbs_on_one_id_serialise():
    cid = new_id("conc")
    bundle = with_args("sleep", "1000")
    results = []
    threads = [threading.Thread(target=lambda: results.append(create(bundle, cid))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    results = [(rc, err) for rc, _, err in results]
    check_eq(sorted(rc for rc, _ in results), [0, 1, 1, 1], f"create exit codes {results}")
    for rc, err in results:
        if rc:
            check_in(f"container with id exists: {cid}", err, "loser's error")
    check_eq(status(cid), "created", "status")
    verbs = [["start", cid], ["kill", cid, "KILL"], ["delete", "--force", cid], ["state", cid]] * 2
    procs = [subprocess.Popen([NUCLEUS, "--root", state_root(), *v], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for v in verbs]
    for p in procs:
        p.wait(timeout=60)
        err = error_messages(p.stderr.read())
        for line in filter(None, err.splitlines()):
            check(any(m in line for m in ("container does not exist", "container not running",
                                          "cannot start", "container process is already dead")),
                  f"unexpected error under concurrency: {line!r}")
    run(["delete", "--force", cid], check=0)
    nothing_left(cid)


main()
