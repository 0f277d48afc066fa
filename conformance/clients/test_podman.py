#!/usr/bin/env python3
"""podman drives nucleus through conmon (`--runtime`)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import cgroup_limit, main, skip, test  # noqa: E402
from peers import IMAGE, Podman  # noqa: E402
from wrapper import RecordingRuntime  # noqa: E402

runtime = RecordingRuntime(os.environ["NUCLEUS"])
pod = None


def daemon():
    global pod
    if pod is None:
        pod = Podman(runtime.path)
    return pod


def container_id(p, name):
    return p.podman("inspect", "--format", "{{.Id}}", name, runtime=False).stdout.strip()


@test
def podman_run_rm_output_and_exit_code():
    p = daemon()
    r = p.podman("run", "--rm", "--name", "pm-rm", IMAGE, "sh", "-c", "echo hi from $(id -u); exit 5",
                 check=False)
    assert r.returncode == 5, (r.returncode, r.stderr)
    assert "hi from 0" in r.stdout, r.stdout
    assert "create" in [runtime._verb(a) for a in runtime.calls()], runtime.calls()


@test
def podman_run_detached_stop_rm():
    p = daemon()
    p.podman("run", "-d", "--name", "pm-detached", IMAGE, "sleep", "1000")
    cid = container_id(p, "pm-detached")
    try:
        state = p.podman("inspect", "--format", "{{.State.Status}}", "pm-detached", runtime=False).stdout
        assert state.strip() == "running", state
        p.podman("stop", "-t", "1", "pm-detached")
        state = p.podman("inspect", "--format", "{{.State.Status}}", "pm-detached", runtime=False).stdout
        assert state.strip() in ("exited", "stopped"), state
        p.podman("rm", "pm-detached")
    finally:
        p.podman("rm", "--force", "pm-detached", check=False)
    verbs = runtime.verbs_for(cid)
    assert "create" in verbs and "start" in verbs and "kill" in verbs and "delete" in verbs, verbs


@test
def podman_exec_user_workdir_env_and_tty():
    p = daemon()
    p.podman("run", "-d", "--name", "pm-exec", IMAGE, "sleep", "1000")
    cid = container_id(p, "pm-exec")
    try:
        r = p.podman("exec", "-u", "65534", "-w", "/tmp", "-e", "FOO=bar", "pm-exec",
                     "sh", "-c", "echo $(id -u) $(pwd) $FOO; exit 3", check=False)
        assert r.returncode == 3 and r.stdout.split() == ["65534", "/tmp", "bar"], (r.returncode, r.stdout, r.stderr)
        cmd = f"podman --runtime {runtime.path} exec -it pm-exec sh -c 'tty; exit 2'"
        t = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                           timeout=90, env=p.env, stdin=subprocess.DEVNULL)
        assert "/dev/pts/" in t.stdout and t.returncode == 2, (t.returncode, t.stdout, t.stderr)
        assert len(runtime.calls_for(cid, "exec")) >= 2, runtime.calls_for(cid)
    finally:
        p.podman("rm", "--force", "pm-exec", check=False)


@test
def podman_run_limits_and_update_reach_the_cgroup():
    p = daemon()
    p.podman("run", "-d", "-m", "64m", "--pids-limit", "100", "--cpus", "0.5", "--name", "pm-limits", IMAGE,
             "sleep", "1000")
    cid = container_id(p, "pm-limits")
    try:
        pid = int(p.podman("inspect", "--format", "{{.State.Pid}}", "pm-limits", runtime=False).stdout)
        assert cgroup_limit(pid, "memory", "memory.limit_in_bytes", "memory.max") == str(64 << 20)
        assert cgroup_limit(pid, "pids", "pids.max", "pids.max") == "100"
        quota = cgroup_limit(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")
        assert quota in ("50000", "50000 100000"), quota
        assert "create" in runtime.verbs_for(cid), runtime.verbs_for(cid)
        r = p.podman("update", "--memory", "128m", "--cpus", "0.25", "pm-limits", check=False)
        if r.returncode != 0 and "cgroup v2" in r.stderr:
            skip(f"podman update needs cgroup v2: {r.stderr.strip()}")
        assert r.returncode == 0, r.stderr
        assert "update" in runtime.verbs_for(cid), runtime.verbs_for(cid)
        assert cgroup_limit(pid, "memory", "memory.limit_in_bytes", "memory.max") == str(128 << 20)
        quota = cgroup_limit(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")
        assert quota in ("25000", "25000 100000"), quota
    finally:
        p.podman("rm", "--force", "pm-limits", check=False)


def nucleus_status(cid):
    """What nucleus itself says (podman passes no --root: the default one)."""
    r = subprocess.run([runtime.real, "state", cid], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["status"]


@test
def podman_pause_unpause_and_stats():
    p = daemon()
    p.podman("run", "-d", "--name", "pm-pause", IMAGE, "sh", "-c", "sleep 1000 & exec sleep 1000")
    cid = container_id(p, "pm-pause")
    try:
        p.podman("pause", "pm-pause")
        status = p.podman("inspect", "--format", "{{.State.Status}}", "pm-pause", runtime=False).stdout.strip()
        assert status == "paused", status
        assert nucleus_status(cid) == "paused"
        # podman reads the container's cgroup itself: nucleus's cgroup, paused or not.
        stats = json.loads(p.podman("stats", "--no-stream", "--format", "json", "pm-pause").stdout)
        assert len(stats) == 1 and stats[0]["name"] == "pm-pause", stats
        assert stats[0]["pids"] == "2", stats
        assert not stats[0]["mem_usage"].startswith("0B"), stats
        p.podman("unpause", "pm-pause")
        status = p.podman("inspect", "--format", "{{.State.Status}}", "pm-pause", runtime=False).stdout.strip()
        assert status == "running", status
        assert nucleus_status(cid) == "running"
        table = p.podman("stats", "--no-stream", "pm-pause").stdout
        assert "pm-pause" in table, table
    finally:
        p.podman("rm", "--force", "pm-pause", check=False)
    verbs = runtime.verbs_for(cid)
    assert "pause" in verbs and "resume" in verbs, verbs


if __name__ == "__main__":
    try:
        main()
    finally:
        if pod:
            pod.close()
        runtime.close()
