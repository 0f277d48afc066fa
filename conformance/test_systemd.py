"""The systemd cgroup driver (--systemd-cgroup), as runc 1.1 behaves: the
container's cgroup is a transient scope "<prefix>-<name>.scope" in the slice
of cgroupsPath "slice:prefix:name", started by systemd with the init in it;
the limits systemd knows are the unit's properties, and every limit is in
the cgroup files; pause, resume, kill, update and exec work through the
scope, and delete stops it. Later verbs learn the driver from the state.

Needs a systemd that runs (the VM run starts one: tools/with-systemd); where
none runs, those tests skip, and what runc says without systemd is checked.
Runs against runc too: NUCLEUS=/usr/bin/runc.
"""
# vm-check: under systemd (tools/with-systemd)
import contextlib
import glob
import os
import subprocess

from harness import (check, check_eq, check_in, error_messages, kill_and_reap, main, make_bundle, new_id,
                     nothing_left, process_cgroup_dirs, reap_orphans, run, run_detached, skip, state, status,
                     tempdir, test, wait_for, NUCLEUS)

NOT_RUNNING = "systemd not running on this host, cannot use systemd cgroups manager"
IS_RUNC = os.path.basename(NUCLEUS) == "runc"
# The unit name prefix of an empty cgroupsPath: the runtime's name.
DEFAULT_PREFIX = "runc" if IS_RUNC else "nucleus"


def systemd_runs():
    return os.path.isdir("/run/systemd/system") and os.path.exists("/run/systemd/private")


def needs_systemd():
    if not systemd_runs():
        skip("no systemd runs here (the VM run starts one)")


def unit_properties(unit, *names):
    """`systemctl show` of the unit: {property: value}."""
    out = subprocess.run(["systemctl", "show", unit, "-p", ",".join(names)], capture_output=True, text=True,
                         timeout=30).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def unit_gone(unit):
    return unit_properties(unit, "LoadState").get("LoadState") == "not-found"


def cgroup2_dir(pid):
    return process_cgroup_dirs(pid)[""]


def read(path):
    with open(path) as f:
        return f.read().strip()


def limits(c):
    c["linux"]["resources"] = {
        "memory": {"limit": 67108864},
        "cpu": {"quota": 50000, "period": 100000, "shares": 512},
        "pids": {"limit": 32},
    }


def start_in_scope(cgroups_path, mutate=None, args=("sleep", "1000")):
    """`--systemd-cgroup run -d` of a sleeping busybox; returns (id, pid)."""
    cid = new_id("sd")

    def config(c):
        if cgroups_path is not None:
            c["linux"]["cgroupsPath"] = cgroups_path.replace("ID", cid)
        if mutate:
            mutate(c)

    bundle = make_bundle(config, args=list(args))
    rc, _, err = run_detached(["--systemd-cgroup", "run", "-d", "--bundle", bundle, cid])
    check_eq(rc, 0, f"run -d exit code ({error_messages(err)!r})")
    return cid, state(cid)["pid"]


def delete(cid, unit):
    run(["delete", "--force", cid], check=0)
    wait_for(lambda: unit_gone(unit), timeout=30, what=f"systemd to forget {unit}")


@contextlib.contextmanager
def container_in_scope(cgroups_path="system.slice:nucleus:ID", prefix="nucleus", mutate=None):
    """A sleeping container in its scope, force-deleted at the end: yields
    (id, init pid, unit name)."""
    needs_systemd()
    cid, pid = start_in_scope(cgroups_path, mutate)
    unit = f"{prefix}-{cid}.scope"
    try:
        yield cid, pid, unit
    finally:
        delete(cid, unit)


# ---- without systemd ------------------------------------------------------------

def cgroups_named_after(cid):
    """Cgroup dirs with cid in their name (a scope is "<prefix>-<id>.scope")."""
    return [d for depth in range(5) for d in glob.glob("/sys/fs/cgroup/" + "*/" * depth + f"*{cid}*")]


@test
def without_systemd_create_and_run_are_refused_with_runcs_words():
    if systemd_runs():
        skip("systemd runs here")
    flags = [["--systemd-cgroup"]] + ([] if IS_RUNC else [["--cgroup-manager", "systemd"]])
    for flag in flags:
        for verb in ("create", "run"):
            for cgroups_path in ("system.slice:nucleus:ID", ""):
                cid = new_id("nosd")
                bundle = make_bundle(lambda c: c["linux"].update(cgroupsPath=cgroups_path.replace("ID", cid)),
                                     args=["true"])
                rc, _, err = run_detached(flag + [verb, "--bundle", bundle, cid])
                what = f"{' '.join(flag)} {verb} with cgroupsPath {cgroups_path!r}"
                check_eq(rc, 1, f"{what}: exit code")
                check_in(NOT_RUNNING, error_messages(err), f"{what}: error")
                nothing_left(cid)
                check_eq(cgroups_named_after(cid), [], f"{what}: cgroups left")


@test
def a_path_not_slice_prefix_name_is_refused():
    bundle = make_bundle(lambda c: c["linux"].update(cgroupsPath="/a/b"), args=["true"])
    cid = new_id("bad")
    rc, _, err = run_detached(["--systemd-cgroup", "create", "--bundle", bundle, cid])
    check_eq(rc, 1, "create exit code")
    check_in('expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/a/b" instead',
             error_messages(err), "create's error")
    if not IS_RUNC:  # runc's words do not name the field
        check_in("linux.cgroupsPath: ", error_messages(err), "create's error")
    nothing_left(cid)


# ---- with systemd ---------------------------------------------------------------

@test
def the_scope_holds_the_init_with_its_limits():
    with container_in_scope(mutate=limits) as (cid, pid, unit):
        props = unit_properties(unit, "ActiveState", "ControlGroup", "Slice", "Delegate", "MemoryMax",
                                "TasksMax", "CPUQuotaPerSecUSec", "DevicePolicy", "DefaultDependencies")
        check_eq(props.get("ActiveState"), "active", f"{unit} state")
        check_eq(props.get("ControlGroup"), f"/system.slice/{unit}", f"{unit} cgroup")
        check_eq(props.get("Slice"), "system.slice", f"{unit} slice")
        check_eq(props.get("Delegate"), "yes", f"{unit} Delegate")
        check_eq(props.get("DefaultDependencies"), "no", f"{unit} DefaultDependencies")
        check_eq(props.get("MemoryMax"), "67108864", f"{unit} MemoryMax")
        check_eq(props.get("TasksMax"), "32", f"{unit} TasksMax")
        check_eq(props.get("CPUQuotaPerSecUSec"), "500ms", f"{unit} CPUQuotaPerSecUSec")
        check_eq(props.get("DevicePolicy"), "strict", f"{unit} DevicePolicy")
        d = cgroup2_dir(pid)
        check_eq(d, f"/sys/fs/cgroup/system.slice/{unit}", "the init's cgroup")
        check_eq(read(f"{d}/memory.max"), "67108864", "memory.max")
        check_eq(read(f"{d}/pids.max"), "32", "pids.max")
        check_eq(read(f"{d}/cpu.max"), "50000 100000", "cpu.max")
        check_eq(read(f"{d}/cpu.weight"), "20", "cpu.weight (from 512 shares)")
        check_in(str(pid), read(f"{d}/cgroup.procs"), "the scope's cgroup.procs")
    check(not os.path.exists(f"/sys/fs/cgroup/system.slice/{unit}"), "the scope's cgroup is left")


@test
def pause_resume_kill_and_delete_work_through_the_scope():
    needs_systemd()
    cid, pid = start_in_scope("system.slice:nucleus:ID")
    unit = f"nucleus-{cid}.scope"
    d = cgroup2_dir(pid)
    # Later verbs without --systemd-cgroup: the driver is in the state.
    run(["pause", cid], check=0)
    check_eq(status(cid), "paused", "status after pause")
    check_eq(read(f"{d}/cgroup.freeze"), "1", "cgroup.freeze after pause")
    rc, out, _ = run(["ps", "--format", "json", cid], check=0)
    check_in(str(pid), out, "ps")
    run(["resume", cid], check=0)
    check_eq(status(cid), "running", "status after resume")
    run(["kill", cid, "KILL"], check=0)
    wait_for(lambda: status(cid) == "stopped", what="the container to stop")
    reap_orphans()
    run(["delete", cid], check=0)
    wait_for(lambda: unit_gone(unit), timeout=30, what=f"systemd to forget {unit}")
    check(not os.path.exists(d), "the scope's cgroup is left")
    nothing_left(cid)


@test
def update_changes_the_unit_and_the_files():
    with container_in_scope(mutate=limits) as (cid, pid, unit):
        run(["update", "--pids-limit", "40", "--memory", "100M", cid], check=0)
        props = unit_properties(unit, "TasksMax", "MemoryMax")
        check_eq(props.get("TasksMax"), "40", f"{unit} TasksMax after update")
        check_eq(props.get("MemoryMax"), str(100 << 20), f"{unit} MemoryMax after update")
        d = cgroup2_dir(pid)
        check_eq(read(f"{d}/pids.max"), "40", "pids.max after update")
        check_eq(read(f"{d}/memory.max"), str(100 << 20), "memory.max after update")


@test
def exec_joins_the_scope():
    with container_in_scope() as (cid, pid, unit):
        pid_file = os.path.join(tempdir(), "exec.pid")
        rc, _, err = run_detached(["exec", "-d", "--pid-file", pid_file, cid, "sleep", "100"])
        check_eq(rc, 0, f"exec -d exit code ({error_messages(err)!r})")
        with open(pid_file) as f:
            exec_pid = int(f.read())
        try:
            check_eq(cgroup2_dir(exec_pid), f"/sys/fs/cgroup/system.slice/{unit}", "the exec'd process's cgroup")
        finally:
            # Ours to reap (we are its subreaper): until then the container's
            # pid namespace, and so its init, cannot end.
            kill_and_reap(exec_pid)


@test
def nested_slices_and_the_default_path():
    with container_in_scope("nucleus-test.slice:tprefix:ID", "tprefix") as (cid, pid, unit):
        check_eq(unit_properties(unit, "ControlGroup").get("ControlGroup"),
                 f"/nucleus.slice/nucleus-test.slice/{unit}", f"{unit} cgroup")
        check_eq(cgroup2_dir(pid), f"/sys/fs/cgroup/nucleus.slice/nucleus-test.slice/{unit}", "the init's cgroup")
    # No cgroupsPath: "<runtime>-<id>.scope" in system.slice.
    with container_in_scope(None, DEFAULT_PREFIX) as (cid, pid, unit):
        check_eq(unit_properties(unit, "ControlGroup").get("ControlGroup"), f"/system.slice/{unit}",
                 f"{unit} cgroup")


@test
def a_run_that_exits_leaves_no_unit():
    needs_systemd()
    cid = new_id("sdrun")
    bundle = make_bundle(lambda c: c["linux"].update(cgroupsPath=f"system.slice:nucleus:{cid}"),
                         args=["sh", "-c", "exit 3"])
    rc, _, err = run(["--systemd-cgroup", "run", "--bundle", bundle, cid])
    check_eq(rc, 3, f"run exit code ({err!r})")
    unit = f"nucleus-{cid}.scope"
    wait_for(lambda: unit_gone(unit), timeout=30, what=f"systemd to forget {unit}")
    nothing_left(cid)


@test
def a_unit_systemd_cannot_start_fails_create_and_leaves_nothing():
    needs_systemd()
    # A slice name systemd refuses (runc checks only the path's shape).
    bundle = make_bundle(lambda c: c["linux"].update(cgroupsPath="a--b.slice:nucleus:x"), args=["true"])
    cid = new_id("badslice")
    rc, _, err = run_detached(["--systemd-cgroup", "create", "--bundle", bundle, cid])
    check_eq(rc, 1, "create exit code")
    check_in("invalid slice name: a--b.slice", error_messages(err), "create's error")
    if not IS_RUNC:
        check_in("linux.cgroupsPath: ", error_messages(err), "create's error")
    nothing_left(cid)


if __name__ == "__main__":
    main()
