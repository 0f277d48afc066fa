#!/usr/bin/env python3
"""linux.resources and `update`, on real busybox containers: each limit is read
back from the container's cgroup files (v1 controller dirs on a v1/hybrid
host, the cgroup2 dir on a pure v2 host) and, where it shows, from inside: a
process allocating beyond a 32 MiB limit is OOM-killed (exit 137), pids.max
stops forks, cpuset narrows Cpus_allowed. `update` changes only what it is
given, keeps what earlier calls set, and a refused update leaves the limits
and the container as they were. Bad values and limits the host cannot apply
exit 1, naming the JSON path, and leave nothing behind.

Runs against runc too (NUCLEUS=/usr/bin/runc): where runc 1.1 misbehaves, or
nucleus deliberately does more, the test says so and skips. Needs root."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, cgroup_file, check_eq, check_in, create_refused, error_messages, main,  # noqa: E402
                     make_bundle, new_id, nothing_left, run, run_detached, skip, test)

RUNC = os.path.basename(NUCLEUS) == "runc"
PURE_V2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
MiB = 1024 * 1024


# ---- the container's cgroup files --------------------------------------------

def v1_controllers():
    with open("/proc/self/mountinfo") as f:
        return {opt for line in f if " - cgroup " in line for opt in line.split()[-1].split(",")}


def read(pid, controller, name):
    with open(cgroup_file(pid, controller, name)) as f:
        return f.read().strip()


def has_v1(controller):
    return not PURE_V2 and controller in v1_controllers()


# ---- running containers ----------------------------------------------------------

def resources_config(resources, args=None):
    def mutate(c):
        c["linux"]["resources"] = {**c["linux"].get("resources", {}), **resources}
        if args:
            c["process"]["args"] = args
    return mutate


class Running:
    """A created container (init blocked on the FIFO) with these resources."""

    def __init__(self, resources, prefix="res"):
        self.id = new_id(prefix)
        bundle = make_bundle(resources_config(resources), args=["sleep", "600"])
        code, _, err = run_detached(["create", "--bundle", bundle, self.id])
        check_eq(code, 0, f"create exit code ({error_messages(err)!r})")
        self.warnings = error_messages(err)
        _, out, _ = run(["state", self.id], check=0)
        self.pid = json.loads(out)["pid"]

    def read(self, controller, name):
        return read(self.pid, controller, name)

    def update(self, *args, input=None, expect=0):
        code, _, err = run(["update", *args, self.id], input=input)
        check_eq(code, expect, f"update {' '.join(args)} exit code ({error_messages(err)!r})")
        return error_messages(err)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        run(["delete", "--force", self.id])
        nothing_left(self.id)


def run_inside(resources, script):
    """`sh -c script` in a container with these resources: (exit code, output)."""
    bundle = make_bundle(resources_config(resources), args=["sh", "-c", script])
    cid = new_id("resin")
    code, out, err = run(["run", "--bundle", bundle, cid], timeout=120)
    nothing_left(cid)
    return code, out + error_messages(err)


def refused(resources, message, runc_too=True):
    """create exits 1, names `message` (nucleus), and leaves nothing behind."""
    if RUNC and not runc_too:
        return
    create_refused(resources_config(resources), message, peer=RUNC)


# ---- memory --------------------------------------------------------------------------

@test
def allocating_beyond_the_memory_limit_is_oom_killed():
    # dd's 64 MiB buffer cannot fit in 32 MiB (swap = limit: none to spill to).
    limit = {"memory": {"limit": 32 * MiB, "swap": 32 * MiB}}
    code, out = run_inside(limit, "exec dd if=/dev/zero of=/dev/null bs=64M count=1")
    check_eq(code, 137, f"run exit code (output {out!r})")
    code, out = run_inside({"memory": {"limit": 128 * MiB}}, "exec dd if=/dev/zero of=/dev/null bs=64M count=1")
    check_eq(code, 0, f"run exit code with room to spare (output {out!r})")


@test
def memory_files():
    memory = {"limit": 48 * MiB, "reservation": 16 * MiB, "swap": 96 * MiB}
    if not PURE_V2:
        memory.update(swappiness=10, disableOOMKiller=True)
    with Running({"memory": memory}) as c:
        if PURE_V2:
            check_eq(c.read("memory", "memory.max"), str(48 * MiB), "memory.max")
            check_eq(c.read("memory", "memory.low"), str(16 * MiB), "memory.low")
            check_eq(c.read("memory", "memory.swap.max"), str(48 * MiB), "memory.swap.max (swap - limit)")
        else:
            check_eq(c.read("memory", "memory.limit_in_bytes"), str(48 * MiB), "limit_in_bytes")
            check_eq(c.read("memory", "memory.soft_limit_in_bytes"), str(16 * MiB), "soft_limit_in_bytes")
            check_eq(c.read("memory", "memory.memsw.limit_in_bytes"), str(96 * MiB), "memsw.limit_in_bytes")
            check_eq(c.read("memory", "memory.swappiness"), "10", "swappiness")
            check_in("oom_kill_disable 1", c.read("memory", "memory.oom_control"), "oom_control")


@test
def kernel_memory_only_warns_as_in_runc():
    with Running({"memory": {"limit": 64 * MiB, "kernel": 32 * MiB, "kernelTCP": MiB}}) as c:
        check_in("Kernel memory settings are ignored and will be removed", c.warnings, "create's warning")


@test
def fields_cgroup_v2_cannot_apply_are_refused():
    if not PURE_V2:
        skip("cgroup v1 has these files (checked in memory_files)")
    if RUNC:
        skip("runc 1.1 drops swappiness, disableOOMKiller, realtime limits and network on cgroup v2 silently; "
             "nucleus refuses them")
    refused({"memory": {"swappiness": 10}}, "linux.resources.memory.swappiness: cannot be applied on cgroup v2")
    refused({"memory": {"disableOOMKiller": True}}, "linux.resources.memory.disableOOMKiller")
    refused({"cpu": {"realtimeRuntime": 1000, "realtimePeriod": 100000}}, "linux.resources.cpu.realtimeRuntime")
    refused({"network": {"classID": 1048577}}, "linux.resources.network.classID")


# ---- pids, cpu, cpuset -------------------------------------------------------------

@test
def pids_max_stops_forks():
    code, out = run_inside({"pids": {"limit": 4}},
                           "for i in 1 2 3 4 5 6; do sleep 3 & done; echo started; cat /sys/fs/cgroup/pids.max "
                           "2>/dev/null; wait")
    check_in("fork", out.lower(), "a fork beyond pids.max fails")
    with Running({"pids": {"limit": 50}}) as c:
        check_eq(c.read("pids", "pids.max"), "50", "pids.max")


@test
def cpu_files_and_cpuset_inside():
    cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}
    with Running({"cpu": cpu}) as c:
        if PURE_V2:
            check_eq(c.read("cpu", "cpu.weight"), "20", "cpu.weight (512 shares, runc's conversion)")
            check_eq(c.read("cpu", "cpu.max"), "50000 100000", "cpu.max")
            check_eq(c.read("cpuset", "cpuset.cpus"), "0", "cpuset.cpus")
        else:
            check_eq(c.read("cpu", "cpu.shares"), "512", "cpu.shares")
            check_eq(c.read("cpu", "cpu.cfs_quota_us"), "50000", "cfs_quota_us")
            check_eq(c.read("cpu", "cpu.cfs_period_us"), "100000", "cfs_period_us")
            check_eq(c.read("cpuset", "cpuset.cpus"), "0", "cpuset.cpus")
            check_eq(c.read("cpuset", "cpuset.mems"), "0", "cpuset.mems")
    code, out = run_inside({"cpu": {"cpus": "0"}}, "grep Cpus_allowed_list /proc/self/status")
    check_eq(code, 0, f"run exit code ({out!r})")
    check_in("Cpus_allowed_list:\t0\n", out, "the container runs on CPU 0 only")


@test
def cpu_idle_and_burst():
    if RUNC:
        skip("runc 1.1 ignores cpu.idle and cpu.burst (it writes neither file)")
    with Running({"cpu": {"quota": 20000, "period": 100000, "burst": 5000, "idle": 1}}) as c:
        check_eq(c.read("cpu", "cpu.idle"), "1", "cpu.idle")
        check_eq(c.read("cpu", "cpu.max.burst" if PURE_V2 else "cpu.cfs_burst_us"), "5000", "burst")


# ---- block IO, hugetlb ----------------------------------------------------------------

def a_block_device():
    """MAJ:MIN of a block device (a loop device, loading the module if need be)."""
    for attempt in range(2):
        for name in ("loop0", "vda", "sda", "nvme0n1"):
            try:
                with open(f"/sys/block/{name}/dev") as f:
                    return f.read().strip()
            except OSError:
                continue
        subprocess.run(["modprobe", "loop"], capture_output=True)
    skip("no block device to throttle")


@test
def block_io_files():
    dev = a_block_device()
    major, minor = map(int, dev.split(":"))
    throttle = lambda rate: [{"major": major, "minor": minor, "rate": rate}]  # noqa: E731
    with Running({"blockIO": {"weight": 300, "throttleReadBpsDevice": throttle(MiB),
                              "throttleWriteIOPSDevice": throttle(200)}}) as c:
        if PURE_V2:
            check_in(f"{dev} rbps={MiB} wbps=max riops=max wiops=200", c.read("io", "io.max"), "io.max")
            if os.path.exists(cgroup_file(c.pid, "io", "io.bfq.weight")):
                check_in("default 300", c.read("io", "io.bfq.weight"), "io.bfq.weight")
            else:
                check_in("default 2930", c.read("io", "io.weight"), "io.weight (runc's conversion of 300)")
        else:
            check_eq(c.read("blkio", "blkio.throttle.read_bps_device"), f"{dev} {MiB}", "read_bps_device")
            check_eq(c.read("blkio", "blkio.throttle.write_iops_device"), f"{dev} 200", "write_iops_device")
            check_eq(c.read("blkio", "blkio.bfq.weight"), "300", "blkio.bfq.weight")


@test
def hugetlb_limit():
    if not os.path.isdir("/sys/kernel/mm/hugepages/hugepages-2048kB"):
        skip("no 2MB huge pages")
    if RUNC and not PURE_V2 and not has_v1("hugetlb"):
        skip("runc 1.1 cannot set hugetlb when only the hybrid cgroup2 hierarchy has it; nucleus writes it there")
    with Running({"hugepageLimits": [{"pageSize": "2MB", "limit": 4 * MiB}]}) as c:
        name = "hugetlb.2MB.limit_in_bytes" if has_v1("hugetlb") else "hugetlb.2MB.max"
        check_eq(c.read("hugetlb", name), str(4 * MiB), name)
        rsvd = name.replace("2MB.", "2MB.rsvd.")
        if not RUNC and os.path.exists(cgroup_file(c.pid, "hugetlb", rsvd)):
            check_eq(c.read("hugetlb", rsvd), str(4 * MiB), rsvd + " (runc 1.2's reservation limit)")
    refused({"hugepageLimits": [{"pageSize": "3MB", "limit": 0}]},
            "linux.resources.hugepageLimits[0].pageSize: this host has no 3MB huge pages")


# ---- unified, network, rdma -------------------------------------------------------------

@test
def unified_is_written_on_v2_and_refused_on_v1():
    if PURE_V2:
        with Running({"unified": {"memory.high": str(40 * MiB), "pids.max": "7"}}) as c:
            check_eq(c.read("memory", "memory.high"), str(40 * MiB), "memory.high")
            check_eq(c.read("pids", "pids.max"), "7", "pids.max")
        refused({"unified": {"foo.bar": "1"}},
                'unified resource "foo.bar" can\'t be set: controller "foo" not available')
    else:
        refused({"unified": {"memory.high": "1000000"}},
                'linux.resources.unified["memory.high"]: invalid configuration: cannot use unified on cgroup v1')
    refused({"unified": {"../cgroup.procs": "1"}}, "must be a file name (no slashes)")


@test
def network_and_rdma_without_a_controller_are_refused():
    if not PURE_V2 and not has_v1("net_cls"):
        refused({"network": {"classID": 1048577}},
                "linux.resources.network.classID: cannot set net_cls limit: container could not join or create cgroup")
    if not PURE_V2 and not has_v1("rdma"):
        refused({"rdma": {"mlx5_1": {"hcaHandles": 3}}}, "linux.resources.rdma: cannot set rdma limit")
    elif PURE_V2:  # the controller is there, but no such device: the kernel refuses
        refused({"rdma": {"mlx5_1": {"hcaHandles": 3}}}, "linux.resources.rdma: write")


# ---- bad input --------------------------------------------------------------------------

@test
def bad_values_are_refused_naming_the_path():
    refused({"memory": {"limit": -5}}, "linux.resources.memory.limit: must be -1 (unlimited) or a number of bytes")
    refused({"memory": {"limit": 64 * MiB, "swap": 32 * MiB}},
            "linux.resources.memory.swap: memory+swap limit should be >= memory limit")
    refused({"cpu": {"period": 2000000}}, "linux.resources.cpu.period: must be between 1000 and 1000000")
    refused({"cpu": {"quota": 500}}, "linux.resources.cpu.quota: must be between 1000")
    refused({"cpu": {"shares": 1}}, "linux.resources.cpu.shares: the minimum allowed cpu-shares is 2")
    refused({"cpu": {"cpus": "99"}}, "linux.resources.cpu.cpus: CPU 99 is not available to the container")
    refused({"memory": {"swappiness": 101}}, "invalid memory swappiness value: 101 (valid range is 0-100)",
            runc_too=not PURE_V2)


@test
def values_runc_accepts_late_or_silently_are_refused():
    if RUNC:
        skip("nucleus deviates: runc 1.1 takes a swap without a limit (v1: fails at the write), blkio weight 5 "
             "(BFQ's range) and unified cgroup.procs")
    refused({"memory": {"swap": 64 * MiB}}, "linux.resources.memory.swap: unable to set swap limit without memory limit")
    refused({"blockIO": {"weight": 5}}, "linux.resources.blockIO.weight: must be between 10 and 1000, got 5")
    refused({"unified": {"cgroup.procs": "1"}}, "is not a limit and cannot be set")


# ---- update ----------------------------------------------------------------------------

def memory_limit(c):
    return c.read("memory", "memory.max" if PURE_V2 else "memory.limit_in_bytes")


@test
def update_flags_change_only_what_they_name():
    with Running({"memory": {"limit": 64 * MiB, "swap": 128 * MiB}, "pids": {"limit": 10},
                  "cpu": {"quota": 20000, "period": 100000}}) as c:
        c.update("--memory", "32m", "--memory-swap", "64m")
        check_eq(memory_limit(c), str(32 * MiB), "memory limit after update")
        if PURE_V2:
            check_eq(c.read("memory", "memory.swap.max"), str(32 * MiB), "memory.swap.max")
        else:
            check_eq(c.read("memory", "memory.memsw.limit_in_bytes"), str(64 * MiB), "memsw")
        c.update("--pids-limit", "5")
        check_eq(c.read("pids", "pids.max"), "5", "pids.max")
        check_eq(memory_limit(c), str(32 * MiB), "memory limit untouched by --pids-limit")
        c.update("--cpu-share", "1024", "--cpuset-cpus", "0")
        check_eq(c.read("cpuset", "cpuset.cpus"), "0", "cpuset.cpus")
        if PURE_V2:
            check_eq(c.read("cpu", "cpu.weight"), "39", "cpu.weight")
            check_eq(c.read("cpu", "cpu.max"), "20000 100000", "cpu.max untouched")
        else:
            check_eq(c.read("cpu", "cpu.shares"), "1024", "cpu.shares")
            check_eq(c.read("cpu", "cpu.cfs_quota_us"), "20000", "quota untouched")
        c.update("--resources", "-", input=json.dumps({"memory": {"limit": 48 * MiB}, "pids": {"limit": 8}}))
        check_eq(memory_limit(c), str(48 * MiB), "memory limit from --resources")
        check_eq(c.read("pids", "pids.max"), "8", "pids.max from --resources")


@test
def update_keeps_the_recorded_partner_values():
    if RUNC and PURE_V2:
        skip("runc 1.1 bug: on cgroup v2 update --memory-swap alone fails (\"unable to set swap limit without "
             "memory limit\") and update --memory leaves memory.swap.max, changing memory+swap")
    with Running({"memory": {"limit": 32 * MiB, "swap": 64 * MiB}, "cpu": {"quota": 20000, "period": 100000}}) as c:
        c.update("--cpu-quota", "30000")
        c.update("--cpu-period", "60000")
        if PURE_V2:
            check_eq(c.read("cpu", "cpu.max"), "30000 60000", "cpu.max from both updates")
        else:
            check_eq((c.read("cpu", "cpu.cfs_quota_us"), c.read("cpu", "cpu.cfs_period_us")), ("30000", "60000"), "cfs")
        c.update("--memory-swap", "96m")
        c.update("--memory", "16m")
        check_eq(memory_limit(c), str(16 * MiB), "memory limit")
        if PURE_V2:
            check_eq(c.read("memory", "memory.swap.max"), str(80 * MiB), "memory.swap.max keeps memory+swap 96M")
        else:
            check_eq(c.read("memory", "memory.memsw.limit_in_bytes"), str(96 * MiB), "memsw")


@test
def a_refused_update_leaves_limits_and_container_alone():
    with Running({"memory": {"limit": 64 * MiB, "swap": 64 * MiB}, "pids": {"limit": 10}}) as c:
        err = c.update("--memory", "128m", "--pids-limit", "20", expect=1)
        if not RUNC:
            check_in("linux.resources.memory.swap: memory+swap limit should be >= memory limit", err, "update's error")
        c.update("--cpuset-cpus", "99", expect=1)
        err = c.update("--l3-cache-schema", "L3:0=f", expect=1)
        check_in("Intel RDT/CAT: l3 cache schema is not enabled", err, "runc's words")
        check_eq(memory_limit(c), str(64 * MiB), "memory limit unchanged")
        _, out, _ = run(["state", c.id], check=0)
        check_eq(json.loads(out)["status"], "created", "the container is still there")
        if not RUNC:
            err = c.update("--resources", "-", input='{"memory": {"limit": "1g"}}', expect=1)
            check_in("memory.limit: expected an integer", err, "a bad document names the path")
        check_eq(c.read("pids", "pids.max"), "10", "pids.max unchanged")


@test
def check_before_update_refuses_a_limit_below_usage():
    if RUNC:
        skip("runc 1.1 has no memory.checkBeforeUpdate")
    with Running({"memory": {"limit": 64 * MiB, "checkBeforeUpdate": True}}) as c:
        err = c.update("--memory", "4096", expect=1)
        check_in("linux.resources.memory.limit: rejecting memory limit 4096 below usage", err, "update's error")
        check_eq(memory_limit(c), str(64 * MiB), "memory limit unchanged")


@test
def update_of_a_stopped_container_fails():
    bundle = make_bundle(resources_config({"pids": {"limit": 10}}), args=["true"])
    cid = new_id("resstop")
    code, _, err = run_detached(["run", "--detach", "--bundle", bundle, cid])
    check_eq(code, 0, f"run -d ({error_messages(err)!r})")
    try:
        for _ in range(100):
            _, out, _ = run(["state", cid])
            if '"stopped"' in out:
                break
        code, _, err = run(["update", "--pids-limit", "5", cid])
        check_eq(code, 1, "update exit code")
        check_in("container not running", error_messages(err), "update's error")
    finally:
        run(["delete", "--force", cid])
    nothing_left(cid)


main()
