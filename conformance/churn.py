"""Churn (issue 12): many lifecycles, one after another or all at once, and
what they leave behind. Used by test_churn.py (short runs, in the suite) and
by tools/churn (the 1000-cycle runs). Not a test script itself.

What is counted before and after, narrowed to what this process made so that
other work on the host does not show up as a leak:
  mounts       lines of /proc/self/mountinfo naming an id prefix or a bundle
  cgroup dirs  dirs named with the id prefix, in every v1 hierarchy and cgroup2
  state dirs   entries in the private --root
  fds          this process's open fds (what the runtime hands its caller)
  zombies      children of this process (the subreaper) not yet reaped
  processes    children of this process, and processes naming the id prefix
The host-wide process and mount counts are reported too, for information."""
import glob
import os
import threading
import time

from harness import (NUCLEUS, check, check_eq, error_messages, new_id, reap_orphans, run_to_files,
                     state_root)


def _children():
    """pid -> state letter, for this process's children."""
    me, found = os.getpid(), {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found[int(stat.split("/")[2])] = fields[0]
    return found


def _naming(word):
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(f"{d}/cmdline", "rb") as f:
                if word.encode() in f.read():
                    found.append(int(d[6:]))
        except OSError:
            continue
    return [p for p in found if p != os.getpid()]


def _cgroup_dirs(prefix):
    found = []
    for depth in range(4):
        found += glob.glob("/sys/fs/cgroup/" + "*/" * depth + prefix + "*")
    return sorted(d for d in found if os.path.isdir(d))


def _lines(path):
    with open(path) as f:
        return f.read().splitlines()


def snapshot(prefix, bundle):
    """The leftovers that matter, as {name: count}, plus host-wide figures."""
    mounts = _lines("/proc/self/mountinfo")
    children = _children()
    return {
        "mounts": sum(1 for m in mounts if prefix in m or bundle in m),
        "cgroup dirs": len(_cgroup_dirs(prefix)),
        "state dirs": len(os.listdir(state_root())) if os.path.isdir(state_root()) else 0,
        "fds": len(os.listdir("/proc/self/fd")),
        "zombies": sum(1 for s in children.values() if s == "Z"),
        "processes": len([p for p, s in children.items() if s != "Z"]) + len(_naming(prefix)),
        "host processes (info)": len(glob.glob("/proc/[0-9]*")),
        "host mounts (info)": len(mounts),
    }


def leaks(before, after):
    """The counted items that grew, as "name: before -> after" strings."""
    return [f"{k}: {before[k]} -> {after[k]}" for k in before
            if not k.endswith("(info)") and after[k] > before[k]]


def nucleus(*args):
    return run_to_files([NUCLEUS, "--root", state_root(), *map(str, args)], timeout=60)


def ok(what, result):
    rc, _, err = result
    check_eq(rc, 0, f"{what} exit code ({error_messages(err)!r})")


def lifecycle(bundle, cid, pid_dir):
    """create -> start -> wait for the init to exit -> delete (not forced)."""
    pid_file = os.path.join(pid_dir, cid + ".pid")
    ok("create", nucleus("create", "--bundle", bundle, "--pid-file", pid_file, cid))
    with open(pid_file) as f:
        pid = int(f.read())
    os.unlink(pid_file)
    ok("start", nucleus("start", cid))
    _wait_gone(pid)
    ok("delete", nucleus("delete", cid))


def _wait_gone(pid):
    """The init is our child once create exited (we are the subreaper)."""
    try:
        os.waitpid(pid, 0)
        return
    except ChildProcessError:
        pass
    while os.path.exists(f"/proc/{pid}"):
        time.sleep(0.002)


def run_once(bundle, cid):
    ok("run", nucleus("run", "--bundle", bundle, cid))


def cycles(kind, bundle, prefix, count, pid_dir, progress=None):
    """`count` lifecycles (kind "lifecycle") or runs (kind "run"), one by one."""
    for i in range(count):
        cid = f"{prefix}-{i}"
        if kind == "run":
            run_once(bundle, cid)
        else:
            lifecycle(bundle, cid, pid_dir)
        if progress and (i + 1) % progress == 0:
            print(f"  {kind}: {i + 1}/{count}", flush=True)
    reap_orphans()


def parallel_lifecycles(bundle, prefix, count, pid_dir):
    """`count` lifecycles at once, one thread each; returns the failures."""
    failures = []

    def one(i):
        try:
            lifecycle(bundle, f"{prefix}-{i}", pid_dir)
        except AssertionError as e:
            failures.append(f"{prefix}-{i}: {e}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reap_orphans()
    return failures


def measured(kind, bundle, count, pid_dir, progress=None):
    """Run the cycles between two snapshots: (seconds, before, after)."""
    prefix = new_id(f"churn{kind[0]}")
    before = snapshot(prefix, bundle)
    start = time.monotonic()
    if kind == "parallel":
        failures = parallel_lifecycles(bundle, prefix, count, pid_dir)
        check_eq(failures, [], "parallel lifecycles that failed")
    else:
        cycles(kind, bundle, prefix, count, pid_dir, progress)
    took = time.monotonic() - start
    time.sleep(0.1)  # let the last reparented exits land before counting
    reap_orphans()
    return took, before, snapshot(prefix, bundle)


def race(verbs):
    """Run the argv lists of `verbs` at the same moment; [(rc, messages)]."""
    results = [None] * len(verbs)
    gate = threading.Barrier(len(verbs))

    def one(i):
        gate.wait()
        rc, _, err = nucleus(*verbs[i])
        results[i] = (rc, error_messages(err))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(verbs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def outcome_in(result, allowed, what):
    """A verb either succeeded or failed with a message containing one of the
    `allowed` texts (runc's words)."""
    rc, messages = result
    if rc == 0:
        return
    last = messages.strip().splitlines()[-1] if messages.strip() else ""
    check(any(a in last for a in allowed), f"{what}: exit {rc} with {last!r}, not one of {allowed}")
