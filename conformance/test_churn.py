#!/usr/bin/env python3
"""Churn and races (issue 12): lifecycles and runs one after another, many at
once, and verbs racing on one id. Nothing may be left behind (churn.py says
what is counted), no state.json may be read corrupt, no lock may stay held,
and each verb either succeeds or fails with runc's words. tools/churn runs the
same cycles by the thousand. Runs against runc too: NUCLEUS=/usr/bin/runc.
Needs root."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import churn  # noqa: E402
from harness import (check, check_eq, main, make_bundle, new_id, reap_orphans, state_root,  # noqa: E402
                     tempdir, test, wait_for)

CYCLES = int(os.environ.get("CHURN_CYCLES", "50"))
ROUNDS = int(os.environ.get("RACE_ROUNDS", "10"))

# runc 1.1.5's words for a verb that lost the race (newer runc, and nucleus,
# name the id: "container with id exists: ID"; runc 1.1.5 may also lose a
# start on an init it saw die).
GONE = "container does not exist"
EXISTS = ("container with given ID already exists", "container with id exists")
STOPPED = ("cannot start a container that has stopped", "container process is already dead")
NOT_RUNNING = "container not running"

_bundles = {}


def bundle(args):
    key = tuple(args)
    if key not in _bundles:
        _bundles[key] = make_bundle(args=list(args))
    return _bundles[key]


def nothing_leaked(kind, count):
    took, before, after = churn.measured(kind, bundle(["true"]), count, tempdir())
    check_eq(churn.leaks(before, after), [], f"left behind by {count} {kind} cycles ({took:.1f}s)")


@test
def lifecycles_one_after_another_leave_nothing():
    nothing_leaked("lifecycle", CYCLES)


@test
def runs_one_after_another_leave_nothing():
    nothing_leaked("run", CYCLES)


@test
def fifty_parallel_lifecycles_leave_nothing():
    nothing_leaked("parallel", 50)


def state_is_whole(result):
    """`state` racing the others: valid JSON or the container is gone."""
    rc, messages = result
    if rc == 0:
        return
    churn.outcome_in(result, [GONE], "state")


def state_now(cid):
    rc, out, err = churn.nucleus("state", cid)
    if rc == 0:
        json.loads(out)  # a corrupt state.json would not parse
        return
    churn.outcome_in((rc, err), [GONE], "state after the race")


def cleaned_up(cid, before):
    start = time.monotonic()
    rc, _, err = churn.nucleus("delete", "--force", cid)
    took = time.monotonic() - start
    check(took < 5, f"delete --force took {took:.1f}s (a stuck lock?)")
    if rc != 0:
        churn.outcome_in((rc, err), [GONE], "delete --force after the race")
    reap_orphans()
    check_eq(os.listdir(state_root()), [], "state dirs left")
    left = lambda: churn.leaks(before, churn.snapshot(cid, "/nonexistent"))  # noqa: E731
    try:
        wait_for(lambda: not left(), timeout=5, what=f"nothing left of {cid}")
    except AssertionError:
        check_eq(left(), [], f"left behind by {cid}")


def racing(setup, verbs, allowed, rounds=ROUNDS):
    """Per round: a fresh id through `setup`, then `verbs` (argv lists with
    "ID" for the id) at once with a `state` alongside; each verb succeeds or
    fails as `allowed[i]` says; then the id is cleaned up completely. Returns
    the outcomes, for the caller's own checks."""
    outcomes = []
    for i in range(rounds):
        cid = new_id("race")
        before = churn.snapshot(cid, "/nonexistent")
        setup(cid)
        argvs = [[cid if a == "ID" else a for a in v] for v in verbs] + [["state", cid]]
        results = churn.race(argvs)
        for v, r, ok in zip(verbs, results, allowed):
            churn.outcome_in(r, ok, f"round {i}: {v[0]}")
        state_is_whole(results[-1])
        state_now(cid)
        cleaned_up(cid, before)
        outcomes.append([r[0] for r in results[:-1]])
    return outcomes


def created(args):
    def setup(cid):
        churn.ok("create", churn.nucleus("create", "--bundle", bundle(args), cid))
    return setup


def running(cid):
    created(["sleep", "100"])(cid)
    churn.ok("start", churn.nucleus("start", cid))


@test
def two_creates_of_one_id_one_wins():
    create = ["create", "--bundle", bundle(["sleep", "100"]), "ID"]
    outcomes = racing(lambda cid: None, [create, create], [EXISTS, EXISTS])
    for o in outcomes:
        check_eq(sorted(o), [0, 1], "exit codes of the two creates")


@test
def delete_during_start():
    racing(created(["sleep", "100"]), [["start", "ID"], ["delete", "--force", "ID"]],
           [[GONE, *STOPPED], [GONE]])


@test
def start_during_delete():
    racing(created(["true"]), [["delete", "--force", "ID"], ["start", "ID"]],
           [[GONE], [GONE, *STOPPED]])


@test
def kill_during_delete():
    racing(running, [["delete", "--force", "ID"], ["kill", "ID", "KILL"]],
           [[GONE], [GONE, NOT_RUNNING]])


if __name__ == "__main__":
    main()
