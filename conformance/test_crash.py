#!/usr/bin/env python3
"""A create killed at any point (issue 12): SIGKILL to `nucleus create` at
delays spread over its whole run, and during a slow prestart hook; each time
`delete --force` must return promptly and leave nothing (no state dir, no
cgroup dir, no process), and the same id must be creatable again. The kill
lands wherever it lands: the check holds for every point.

Then the same at every named step: in a build with -Dtest_hooks=true
(NUCLEUS_TEST_HOOKS=1, set by meson), NUCLEUS_TEST_STOP_AFTER="<who>: <step>"
parks create, or its init, right after that step of its --debug log. The
steps are read from a real --debug run. Needs root."""
import glob
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, main, make_bundle, new_id, nothing_left, own_rootfs,  # noqa: E402
                     reap_orphans, run, run_detached, skip, state_root, tempdir, test, userns, wait_for)


def kill_create_after(bundle, cid, delay):
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()


def delete_cleans_up(cid):
    start = time.time()
    rc, _, err = run(["delete", "--force", cid], timeout=10)
    check_eq(rc, 0, f"delete --force exit code ({err!r})")
    check(time.time() - start < 5, f"delete --force took {time.time() - start:.1f}s")
    nothing_left(cid)


def kills_over(bundle, delays):
    for delay in delays:
        cid = new_id("crash")
        kill_create_after(bundle, cid, delay)
        delete_cleans_up(cid)
    cid = new_id("crash")
    kill_create_after(bundle, cid, delays[len(delays) // 2])
    delete_cleans_up(cid)
    rc, _, err = run_detached(["create", "--bundle", bundle, cid])
    check_eq(rc, 0, f"create of the same id again ({err!r})")
    delete_cleans_up(cid)


@test
def a_create_killed_at_any_point_is_undone_by_delete_force():
    bundle = make_bundle(args=["sleep", "1000"])
    kills_over(bundle, [0.001 + 0.0015 * i for i in range(40)])


@test
def a_create_killed_during_a_slow_prestart_hook_is_undone_by_delete_force():
    def slow_hook(c):
        c["hooks"] = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "0.3"]}]}
    bundle = make_bundle(slow_hook, args=["sleep", "1000"])
    kills_over(bundle, [0.01, 0.05, 0.1, 0.2, 0.35])



@test
def what_a_create_killed_before_naming_its_dir_left_goes_with_the_next_delete():
    # The state dir is made under a temporary name, locked, then renamed: a
    # kill in between (as the timed kills above sometimes land) leaves this.
    os.makedirs(state_root(), exist_ok=True)
    left = os.path.join(state_root(), ".creating@00000000deadbeef")
    os.mkdir(left)
    with open(os.path.join(left, "exec.fifo"), "w"):
        pass
    delete_cleans_up(new_id("crash"))
    check_eq(os.listdir(state_root()), [], "entries left in the state root")


# ---- stopped after each named step (test hooks) --------------------------------

STEP_LINE = re.compile(r'msg="((?:create|init): .*?) \(\d+\.\d+ ms\)"')
PARKED = "nucleus-parked"  # the comm a parked runtime or init takes (step_log.cpp)


def debug_steps(bundle):
    """The steps a successful `--debug create` names, in order."""
    cid = new_id("steps")
    rc, _, err = run_detached(["--debug", "create", "--bundle", bundle, cid])
    check_eq(rc, 0, f"--debug create exit code ({err!r})")
    run(["delete", "--force", cid], check=True)
    return STEP_LINE.findall(err)


def parked_pids():
    found = set()
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(comm) as f:
                if f.read().strip() == PARKED:
                    found.add(int(comm.split("/")[2]))
        except OSError:
            continue
    return found


def mount_count():
    with open("/proc/self/mountinfo") as f:
        return sum(1 for _ in f)


def create_parked_after(bundle, cid, step):
    """Start create with the stop switch set; return once the runtime or its
    init is parked after `step` (or create ended), with create still running."""
    before = parked_pids()
    env = dict(os.environ, NUCLEUS_TEST_STOP_AFTER=step)
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env)
    wait_for(lambda: parked_pids() - before or p.poll() is not None, timeout=10,
             what=f"create parked after {step!r}")
    check(p.poll() is None, f"create ended before parking after {step!r} (exit {p.returncode})")
    return p


def nothing_left_after_step(cid, mounts_before):
    nothing_left(cid)
    check_eq(os.listdir(state_root()), [], "entries left in the state root")
    check_eq(mount_count(), mounts_before, "mounts in the host's mount namespace")
    # A killed init is re-parented to us (the subreaper): reaped, it is gone.
    wait_for(lambda: reap_orphans() or not parked_pids(), timeout=5, what="parked processes to die")


def needs_test_hooks():
    if os.environ.get("NUCLEUS_TEST_HOOKS") != "1":
        skip("built without -Dtest_hooks=true (tools/check builds with it)")


@test
def a_create_killed_after_each_named_step_is_undone_by_delete_force():
    needs_test_hooks()
    kill_after_each_step(make_bundle(args=["sleep", "1000"]))


@test
def the_same_with_a_user_namespace_hooks_and_a_bind_mount():
    """Id maps written by the runtime, hooks run while the init waits, a bind
    source opened for the init: other things to hold at each step."""
    needs_test_hooks()
    source = tempdir()

    def richer(c):
        userns(c)
        c["hooks"] = {"prestart": [{"path": "/bin/true"}], "createRuntime": [{"path": "/bin/true"}],
                      "createContainer": [{"path": "/bin/true"}]}
        c["mounts"].append({"destination": "/mnt", "type": "bind", "source": source, "options": ["rbind"]})
    bundle = make_bundle(richer, args=["sleep", "1000"])
    own_rootfs(bundle)
    kill_after_each_step(bundle)


def kill_after_each_step(bundle):
    steps = debug_steps(bundle)
    check(len(steps) >= 20, f"too few steps in the --debug log: {steps}")
    failures = []
    for step in steps:
        cid = new_id("step")
        mounts_before = mount_count()
        try:
            p = create_parked_after(bundle, cid, step)
            p.send_signal(signal.SIGKILL)
            p.wait()
            delete_cleans_up(cid)
            nothing_left_after_step(cid, mounts_before)
            rc, _, err = run_detached(["create", "--bundle", bundle, cid])
            check_eq(rc, 0, f"create of the same id again ({err!r})")
            delete_cleans_up(cid)
        except (AssertionError, subprocess.TimeoutExpired) as e:
            failures.append(f"after {step!r}: {e}")
            try:
                run(["delete", "--force", cid], timeout=10)
            except subprocess.TimeoutExpired:
                pass
    check(not failures, f"{len(failures)} of {len(steps)} steps:\n  " + "\n  ".join(failures))


main()
