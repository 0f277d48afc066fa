#!/usr/bin/env python3
"""pause / resume, the frozen-cgroup checks of create, and events, on real
busybox containers, as runc 1.1 behaves: a paused container's processes stop
(its freezer says so, and a busy loop's CPU time stands still), state says
paused as long as the freezer does, exec is refused, kill and delete --force
still work; a frozen cgroup fails create at once; `events --stats` in runc's
JSON with numbers that match the container, the stream with --interval,
and an OOM kill reported as an oom event. Works on v1/hybrid hosts and pure
cgroup v2 (tools/vm-check), and against runc (NUCLEUS=/usr/bin/runc): where
nucleus goes beyond runc the test says so. Needs root."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, cgroup_mounts, error_messages, fails_with,  # noqa: E402
                     main, make_bundle, new_id, nothing_left, process_cgroup_dirs, run, run_detached, state,
                     state_root, status, test, wait_for)

RUNC = os.path.basename(NUCLEUS) == "runc"
BUSY_LOOP = ["sh", "-c", "while :; do :; done"]


class Container:
    """A container (started unless start=False), force-deleted on exit after
    a resume, so that no frozen cgroup outlives the test."""

    def __init__(self, args=("sleep", "1000"), start=True, mutate=None):
        self.id = new_id("pz")
        self.bundle = make_bundle(mutate, args=list(args))
        self.start = start

    def __enter__(self):
        rc, _, err = run_detached(["create", "--bundle", self.bundle, self.id])
        check_eq(rc, 0, f"create ({err!r})")
        self.pid = state(self.id)["pid"]
        if self.start:
            run(["start", self.id], check=0)
        return self

    def __exit__(self, *exc):
        run(["resume", self.id])
        run(["delete", "--force", self.id])

    def pids(self):
        rc, out, err = run(["ps", "--format", "json", self.id])
        check_eq(rc, 0, f"ps ({err!r})")
        return json.loads(out)


def freezer_says_frozen(pid):
    """What the kernel says: freezer.state (v1) or cgroup.events (v2)."""
    dirs = process_cgroup_dirs(pid)
    if "freezer" in dirs:
        with open(os.path.join(dirs["freezer"], "freezer.state")) as f:
            return f.read().strip() == "FROZEN"
    with open(os.path.join(dirs[""], "cgroup.events")) as f:
        return "frozen 1" in f.read().splitlines()


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def proc_state(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("State:"):
            return line.split()[1]
    return "?"


def set_freezer(pid, frozen):
    """Freeze or thaw the container's cgroup behind nucleus's back."""
    dirs = process_cgroup_dirs(pid)
    if "freezer" in dirs:
        path, value = os.path.join(dirs["freezer"], "freezer.state"), "FROZEN" if frozen else "THAWED"
    else:
        path, value = os.path.join(dirs[""], "cgroup.freeze"), "1" if frozen else "0"
    with open(path, "w") as f:
        f.write(value)
    if frozen:
        wait_for(lambda: freezer_says_frozen(pid), timeout=10, what="the kernel to freeze the cgroup")


# ---- pause / resume -------------------------------------------------------------

@test
def pause_freezes_every_process_and_resume_lets_them_run():
    with Container(["sh", "-c", "sleep 1000 & while :; do :; done"]) as c:
        wait_for(lambda: len(c.pids()) == 2, what="the container's two processes")
        run(["pause", c.id], check=0)
        check_eq(status(c.id), "paused", "status after pause")
        check(freezer_says_frozen(c.pid), "the freezer does not say frozen")
        if "freezer" in process_cgroup_dirs(c.pid):  # a v1 freezer parks tasks in D
            for pid in c.pids():
                check_eq(proc_state(pid), "D", f"state of pid {pid}")
        before = cpu_ticks(c.pid)
        time.sleep(0.5)
        check_eq(cpu_ticks(c.pid), before, "the busy loop's CPU time while paused")
        run(["resume", c.id], check=0)
        check_eq(status(c.id), "running", "status after resume")
        check(not freezer_says_frozen(c.pid), "still frozen after resume")
        wait_for(lambda: cpu_ticks(c.pid) > before, what="the busy loop to run again")


@test
def paused_is_read_from_the_freezer_each_time():
    with Container() as c:
        set_freezer(c.pid, True)
        check_eq(status(c.id), "paused", "status with the cgroup frozen behind our back")
        rc, out, _ = run(["list", "--format", "json"])
        check_eq([x["status"] for x in json.loads(out) if x["id"] == c.id], ["paused"], "list")
        set_freezer(c.pid, False)
        check_eq(status(c.id), "running", "status once thawed behind our back")


@test
def pause_and_resume_errors_as_runc():
    with Container() as c:
        fails_with(["resume", c.id], "container not paused")
        run(["pause", c.id], check=0)
        fails_with(["pause", c.id], "container not running")
        run(["resume", c.id], check=0)
    fails_with(["pause", "nosuch"], "container does not exist")
    fails_with(["resume", "nosuch"], "container does not exist")
    with Container(["true"]) as stopped:
        wait_for(lambda: status(stopped.id) == "stopped", what="stopped")
        fails_with(["pause", stopped.id], "container not running")
        fails_with(["resume", stopped.id], "container not paused")


@test
def a_created_container_pauses_and_resumes_to_created():
    with Container(start=False) as c:
        run(["pause", c.id], check=0)
        check_eq(status(c.id), "paused", "status")
        fails_with(["start", c.id], "cannot start a container in the paused state")
        run(["resume", c.id], check=0)
        check_eq(status(c.id), "created", "status after resume")
        run(["start", c.id], check=0)
        check_eq(status(c.id), "running", "status after start")


@test
def exec_into_a_paused_container_is_refused():
    with Container() as c:
        run(["pause", c.id], check=0)
        fails_with(["exec", c.id, "true"], "cannot exec in a paused container (use --ignore-paused to override)",
                   code=255)
        check_eq(status(c.id), "paused", "status after the refused exec")


@test
def kill_of_a_paused_container():
    with Container() as c:
        run(["pause", c.id], check=0)
        run(["kill", c.id, "TERM"], check=0)  # pending until thawed, as in runc
        time.sleep(0.3)
        check_eq(status(c.id), "paused", "status after kill TERM")
        run(["kill", c.id, "KILL"], check=0)  # SIGKILL thaws it
        wait_for(lambda: status(c.id) == "stopped", what="stopped after kill KILL")


@test
def kill_all_of_a_paused_container_thaws_it_as_runc():
    with Container(["sh", "-c", "trap '' TERM; sleep 1000 & wait; sleep 1000"]) as c:
        wait_for(lambda: len(c.pids()) == 2, what="the container's two processes")
        run(["pause", c.id], check=0)
        run(["kill", "--all", c.id, "TERM"], check=0)
        check_eq(status(c.id), "running", "status after kill --all TERM (runc thaws)")
        run(["pause", c.id], check=0)
        run(["kill", "--all", c.id, "KILL"], check=0)
        wait_for(lambda: status(c.id) == "stopped", what="stopped after kill --all KILL")


@test
def delete_force_of_a_paused_container_leaves_nothing():
    with Container(["sh", "-c", "sleep 1000 & sleep 1000"]) as c:
        run(["pause", c.id], check=0)
        fails_with(["delete", c.id], f"cannot delete container {c.id} that is not stopped: paused")
        run(["delete", "--force", c.id], check=0)
        nothing_left(c.id)


# ---- create with an existing cgroup -----------------------------------------------

class ForeignCgroup:
    """The cgroup at cgroupsPath `path` in every hierarchy, made by someone
    else; removed (thawed first, its processes killed) on exit."""

    def __init__(self, path):
        self.path = path
        self.dirs = {}
        for ctrls, point in cgroup_mounts().items():
            self.dirs[",".join(sorted(ctrls))] = os.path.join(point, path.lstrip("/"))
        self.procs = []

    def __enter__(self):
        for ctrls, d in self.dirs.items():
            os.makedirs(d, exist_ok=True)
            if ctrls == "cpuset":  # no task may join an empty cpuset
                for name in ("cpuset.cpus", "cpuset.mems"):
                    with open(os.path.join(os.path.dirname(d), name)) as src, open(os.path.join(d, name), "w") as f:
                        f.write(src.read())
        return self

    def freeze(self):
        if "freezer" in self.dirs:
            with open(os.path.join(self.dirs["freezer"], "freezer.state"), "w") as f:
                f.write("FROZEN")
        else:
            with open(os.path.join(self.dirs[""], "cgroup.freeze"), "w") as f:
                f.write("1")

    def add_process(self):
        p = subprocess.Popen(["sleep", "1000"])
        self.procs.append(p)
        for d in self.dirs.values():
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(p.pid))

    def __exit__(self, *exc):
        for name, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
            for d in self.dirs.values():
                if os.path.exists(os.path.join(d, name)):
                    with open(os.path.join(d, name), "w") as f:
                        f.write(value)
        for p in self.procs:
            p.kill()
            p.wait()
        for d in self.dirs.values():
            deadline = time.time() + 5
            while os.path.isdir(d):
                try:
                    os.rmdir(d)
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)


def in_cgroup(path):
    def mutate(c):
        c["linux"]["cgroupsPath"] = path
    return mutate


@test
def a_frozen_cgroup_fails_create_at_once_leaving_nothing():
    path = f"/nucleus-test-frozen-{os.getpid()}"
    cid = new_id("frz")
    bundle = make_bundle(in_cgroup(path), args=["true"])
    with ForeignCgroup(path) as cg:
        cg.freeze()
        start = time.time()
        rc, _, err = run_detached(["create", "--bundle", bundle, cid], timeout=20)
        took = time.time() - start
        check_eq(rc, 1, f"create into a frozen cgroup ({err!r})")
        check_in("container's cgroup unexpectedly frozen", error_messages(err), "create error")
        check(took < 5, f"create took {took:.1f} s")
        check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left behind")
        check(all(os.path.isdir(d) for d in cg.dirs.values()), "the caller's cgroup was removed")
    nothing_left(cid)


@test
def a_cgroup_with_processes_is_a_warning():
    path = f"/nucleus-test-busy-{os.getpid()}"
    cid = new_id("busy")
    bundle = make_bundle(in_cgroup(path), args=["sleep", "1000"])
    with ForeignCgroup(path) as cg:
        cg.add_process()
        try:
            rc, _, err = run_detached(["create", "--bundle", bundle, cid])
            check_eq(rc, 0, f"create into a busy cgroup ({err!r})")
            check_in("container's cgroup is not empty: 1 process(es) found", error_messages(err), "warning")
            check_eq(status(cid), "created", "status")
        finally:
            run(["delete", "--force", cid])


# ---- events -----------------------------------------------------------------------

def events_stats(cid):
    rc, out, err = run(["events", "--stats", cid])
    check_eq(rc, 0, f"events --stats ({err!r})")
    check(out.endswith("\n") and out.count("\n") == 1, f"one line: {out[:200]!r}")
    return json.loads(out)


@test
def events_stats_is_runcs_event_with_the_containers_numbers():
    with Container(["sh", "-c", "sleep 1000 & sleep 1000 & exec sleep 1000"]) as c:
        wait_for(lambda: len(c.pids()) == 3, what="the container's three processes")
        e = events_stats(c.id)
        check_eq(list(e), ["type", "id", "data"], "event keys")
        check_eq((e["type"], e["id"]), ("stats", c.id), "type and id")
        d = e["data"]
        check_eq(list(d), ["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt",
                           "network_interfaces"], "data keys (runc's order)")
        check_eq(d["pids"]["current"], len(c.pids()), "pids.current against ps")
        check(d["memory"]["usage"]["usage"] > 0, f"memory usage {d['memory']['usage']}")
        for entry in ("usage", "swap", "kernel", "kernelTCP"):
            check("limit" in d["memory"][entry] and "failcnt" in d["memory"][entry], f"memory.{entry}")
        check(d["cpu"]["usage"]["total"] > 0, f"cpu usage {d['cpu']['usage']}")
        check(set(d["cpu"]["usage"]) >= {"kernel", "user"}, "cpu.usage fields")
        if RUNC:
            check_eq(d["network_interfaces"], None, "runc 1.1 reports no interfaces")
        else:  # nucleus: the container's own network namespace
            names = [i["Name"] for i in d["network_interfaces"]]
            check_in("lo", names, "interfaces")
            check_eq(list(d["network_interfaces"][0]), ["Name", "RxBytes", "RxPackets", "RxErrors", "RxDropped",
                                                        "TxBytes", "TxPackets", "TxErrors", "TxDropped"],
                     "interface fields (Go's names)")
        run(["pause", c.id], check=0)
        check_eq(events_stats(c.id)["data"]["pids"]["current"], 3, "pids.current while paused")


@test
def events_errors_as_runc():
    fails_with(["events", "--stats", "nosuch"], "container does not exist")
    with Container(["true"]) as c:
        wait_for(lambda: status(c.id) == "stopped", what="stopped")
        fails_with(["events", "--stats", c.id], f"container with id {c.id} is not running")
        fails_with(["events", "--interval", "0s", c.id], "duration interval must be greater than 0")


@test
def events_interval_streams_stats_until_the_container_exits():
    cid = new_id("ev")
    bundle = make_bundle(args=["sh", "-c", "sleep 3.5"])
    # `run` in the foreground deletes the container when it exits: runc's
    # stream ends when the cgroup goes; nucleus's already when the init exits.
    container = subprocess.Popen([NUCLEUS, "--root", state_root(), "run", "--bundle", bundle, cid],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    events = None
    try:
        wait_for(lambda: run(["state", cid])[0] == 0 and status(cid) == "running", what="running")
        events = subprocess.Popen([NUCLEUS, "--root", state_root(), "events", "--interval", "1s", cid],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        check_eq(container.wait(timeout=30), 0, "run exit code")
        out, err = events.communicate(timeout=10)
        check_eq(events.returncode, 0, f"events exit code ({err!r})")
    finally:
        for p in (container, events):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    lines = [json.loads(line) for line in out.splitlines()]
    check(len(lines) >= 2, f"{len(lines)} lines in 3.5 s at 1 s intervals")
    check_eq({(e["type"], e["id"]) for e in lines}, {("stats", cid)}, "every line a stats event")


def set_memory_limit(pid, limit):
    """The limit written straight into the container's cgroup (the limits of
    linux.resources come with the resources work)."""
    dirs = process_cgroup_dirs(pid)
    if "memory" in dirs:
        files = {"memory.limit_in_bytes": limit}
        base = dirs["memory"]
    else:
        files = {"memory.max": limit, "memory.swap.max": 0}
        base = dirs[""]
    for name, value in files.items():
        if os.path.exists(os.path.join(base, name)):
            with open(os.path.join(base, name), "w") as f:
                f.write(str(value))


@test
def an_oom_kill_is_an_oom_event():
    hog = "sleep 1; a=$(dd if=/dev/zero bs=1M count=300 2>/dev/null | tr '\\0' a); echo survived"
    with Container(["sh", "-c", hog], start=False) as c:
        set_memory_limit(c.pid, 20 * 1024 * 1024)
        events = subprocess.Popen([NUCLEUS, "--root", state_root(), "events", "--interval", "1s", c.id],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        try:
            time.sleep(0.3)  # the watch is in place
            run(["start", c.id], check=0)
            wait_for(lambda: status(c.id) == "stopped", timeout=60, what="the OOM kill")
            if RUNC:
                run(["delete", c.id], check=0)  # runc's v1 stream ends with the cgroup
            out, err = events.communicate(timeout=20)
        finally:
            if events.poll() is None:
                events.kill()
                events.communicate()
    ooms = [json.loads(line) for line in out.splitlines() if '"oom"' in line]
    check(ooms, f"no oom event in {out[-500:]!r} ({err!r})")
    check_eq(ooms[0], {"type": "oom", "id": c.id}, "the oom event")


if __name__ == "__main__":
    main()
