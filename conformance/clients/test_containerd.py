#!/usr/bin/env python3
"""containerd drives nucleus through its runc v2 shim (`--runc-binary`)."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import cgroup_limit, main, test  # noqa: E402
from peers import IMAGE, Containerd  # noqa: E402
from wrapper import RecordingRuntime  # noqa: E402

runtime = RecordingRuntime(os.environ["NUCLEUS"])
ctrd = None


def daemon():
    global ctrd
    if ctrd is None:
        ctrd = Containerd(runtime.path)
    return ctrd


@test
def ctr_run_rm_output_and_exit_code():
    c = daemon()
    p = c.ctr(*c.run_args("--rm", IMAGE, "ctr-rm", "sh", "-c", "echo hello from $(id -u); exit 7"),
              check=False)
    assert p.returncode == 7, (p.returncode, p.stderr)
    assert "hello from 0" in p.stdout, p.stdout
    verbs = runtime.verbs_for("ctr-rm")
    assert "create" in verbs and "start" in verbs and "delete" in verbs, verbs


@test
def ctr_detached_kill_delete():
    c = daemon()
    c.ctr(*c.run_args("-d", IMAGE, "ctr-detached", "sleep", "1000"))
    try:
        tasks = c.ctr("tasks", "ls").stdout
        assert "ctr-detached" in tasks and "RUNNING" in tasks, tasks
        # nucleus (not runc) holds the container: its own state verb reads it.
        root = runtime.root_for("ctr-detached")
        st = subprocess.run([runtime.real, "--root", root, "state", "ctr-detached"],
                            capture_output=True, text=True)
        assert st.returncode == 0 and '"running"' in st.stdout, (st.stdout, st.stderr)
        c.ctr("tasks", "kill", "-s", "SIGKILL", "ctr-detached")
        deadline = time.time() + 20
        while "STOPPED" not in c.ctr("tasks", "ls").stdout:
            assert time.time() < deadline, c.ctr("tasks", "ls").stdout
            time.sleep(0.1)
        c.ctr("tasks", "delete", "ctr-detached")
    finally:
        c.ctr("tasks", "delete", "--force", "ctr-detached", check=False)
        c.ctr("containers", "delete", "ctr-detached", check=False)
    verbs = runtime.verbs_for("ctr-detached")
    assert "kill" in verbs and "delete" in verbs, verbs
    assert not os.path.exists(os.path.join(root, "ctr-detached")), "state dir left behind"


@test
def ctr_run_with_tty():
    c = daemon()
    # `ctr run -t` needs a terminal on its own stdin: give it one with script(1).
    cmd = " ".join(["ctr", "-a", c.sock, *c.run_args("--rm", "-t", IMAGE, "ctr-tty", "sh", "-c",
                                                      "'tty; echo cols=$(stty size); exit 3'")])
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert "/dev/pts/" in p.stdout, (p.stdout, p.stderr)
    assert p.returncode == 3, (p.returncode, p.stdout)
    assert "create" in runtime.verbs_for("ctr-tty")
    assert any("--console-socket" in a for a in runtime.calls_for("ctr-tty", "create"))


@test
def ctr_task_exec_with_and_without_tty():
    c = daemon()
    c.ctr(*c.run_args("-d", IMAGE, "ctr-exec", "sleep", "1000"))
    try:
        p = c.ctr("tasks", "exec", "--exec-id", "e1", "ctr-exec", "sh", "-c", "echo exec-ok; exit 4",
                  check=False)
        assert p.returncode == 4 and "exec-ok" in p.stdout, (p.returncode, p.stdout, p.stderr)
        cmd = f"ctr -a {c.sock} tasks exec --tty --exec-id e2 ctr-exec sh -c 'tty; exit 6'"
        t = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        assert "/dev/pts/" in t.stdout and t.returncode == 6, (t.returncode, t.stdout, t.stderr)
        execs = runtime.calls_for("ctr-exec", "exec")
        assert len(execs) >= 2 and any("--console-socket" in a for a in execs), execs
    finally:
        c.ctr("tasks", "kill", "-s", "SIGKILL", "ctr-exec", check=False)
        time.sleep(0.3)
        c.ctr("tasks", "delete", "--force", "ctr-exec", check=False)
        c.ctr("containers", "delete", "ctr-exec", check=False)


@test
def ctr_run_memory_limit_and_cpus_reach_the_cgroup():
    c = daemon()
    c.ctr(*c.run_args("-d", "--memory-limit", str(64 << 20), "--cpus", "0.5", IMAGE, "ctr-limits", "sleep", "1000"))
    try:
        st = subprocess.run([runtime.real, "--root", runtime.root_for("ctr-limits"), "state", "ctr-limits"],
                            capture_output=True, text=True)
        assert st.returncode == 0, st.stderr
        pid = json.loads(st.stdout)["pid"]
        limit = cgroup_limit(pid, "memory", "memory.limit_in_bytes", "memory.max")
        assert limit == str(64 << 20), limit
        quota = cgroup_limit(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")
        assert quota in ("50000", "50000 100000"), quota
        assert "create" in runtime.verbs_for("ctr-limits")
    finally:
        c.ctr("tasks", "kill", "-s", "SIGKILL", "ctr-limits", check=False)
        time.sleep(0.3)
        c.ctr("tasks", "delete", "--force", "ctr-limits", check=False)
        c.ctr("containers", "delete", "ctr-limits", check=False)


# containerd 1.6's ctr has no `tasks update`; the CRI plugin's update path
# (`update --resources=-`) is covered by conformance/test_resources.py.

def task_status(c, name):
    for line in c.ctr("tasks", "ls").stdout.splitlines():
        if line.split()[:1] == [name]:
            return line.split()[-1]
    return None


def nucleus_status(name):
    root = runtime.root_for(name)
    r = subprocess.run([runtime.real, "--root", root, "state", name], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["status"]


@test
def ctr_task_pause_resume():
    c = daemon()
    c.ctr(*c.run_args("-d", IMAGE, "ctr-pause", "sleep", "1000"))
    try:
        c.ctr("tasks", "pause", "ctr-pause")
        assert task_status(c, "ctr-pause") == "PAUSED", c.ctr("tasks", "ls").stdout
        assert nucleus_status("ctr-pause") == "paused"
        c.ctr("tasks", "resume", "ctr-pause")
        assert task_status(c, "ctr-pause") == "RUNNING", c.ctr("tasks", "ls").stdout
        assert nucleus_status("ctr-pause") == "running"
    finally:
        c.ctr("tasks", "kill", "-s", "SIGKILL", "ctr-pause", check=False)
        time.sleep(0.3)
        c.ctr("tasks", "delete", "--force", "ctr-pause", check=False)
        c.ctr("containers", "delete", "ctr-pause", check=False)
    verbs = runtime.verbs_for("ctr-pause")
    assert "pause" in verbs and "resume" in verbs, verbs


def metric_names(table):
    """The METRIC column of `ctr task metrics`."""
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("METRIC"))
    return [line.split()[0] for line in lines[start + 1:] if line.strip()]


@test
def ctr_task_metrics_as_for_runc():
    """The shim reads the task's cgroups itself: it must find nucleus's
    where it finds runc's, and print the same metrics."""
    c = daemon()
    names = {"ctr-metrics": c.run_args("-d"),
             "ctr-metrics-runc": ["run", "--runtime", "io.containerd.runc.v2", "--runc-binary", "/usr/bin/runc",
                                  "-d"]}
    try:
        for name, args in names.items():
            c.ctr(*args, IMAGE, name, "sh", "-c", "sleep 1000 & exec sleep 1000")
        assert nucleus_status("ctr-metrics") == "running"
        ours = json.loads(c.ctr("tasks", "metrics", "--format", "json", "ctr-metrics").stdout)
        theirs = json.loads(c.ctr("tasks", "metrics", "--format", "json", "ctr-metrics-runc").stdout)
        assert ours["pids"]["current"] == 2, ours["pids"]
        assert ours["memory"]["usage"]["usage"] > 0, ours["memory"]
        assert ours["cpu"]["usage"]["total"] > 0, ours["cpu"]
        assert ours["memory"]["usage"]["limit"] == theirs["memory"]["usage"]["limit"]
        assert ours["hugetlb"] == theirs["hugetlb"], (ours["hugetlb"], theirs["hugetlb"])
        tables = [c.ctr("tasks", "metrics", name).stdout for name in names]
        assert metric_names(tables[0]) == metric_names(tables[1]), tables
    finally:
        for name in names:
            c.ctr("tasks", "kill", "-s", "SIGKILL", name, check=False)
        time.sleep(0.3)
        for name in names:
            c.ctr("tasks", "delete", "--force", name, check=False)
            c.ctr("containers", "delete", name, check=False)
    assert "create" in runtime.verbs_for("ctr-metrics")


if __name__ == "__main__":
    try:
        main()
    finally:
        if ctrd:
            ctrd.close()
        runtime.close()
