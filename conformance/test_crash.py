#!/usr/bin/env python3
"""A create killed at any point (issue 12): SIGKILL to `nucleus create` at
delays spread over its whole run, and during a slow prestart hook; each time
`delete --force` must return promptly and leave nothing (no state dir, no
cgroup dir, no process), and the same id must be creatable again. The kill
lands wherever it lands: the check holds for every point. Needs root."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, main, make_bundle, new_id, nothing_left, run,  # noqa: E402
                     run_detached, state_root, test)


def kill_create_after(bundle, cid, delay):
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()


def delete_cleans_up(cid):
    start = time.time()
    rc, _, err = run(["delete", "--force", cid], timeout=30)
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


main()
