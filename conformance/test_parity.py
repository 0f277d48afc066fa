#!/usr/bin/env python3
"""runc parity (issue 11): behaviours runc's users and conformance suites rely
on, each checked on a real container and runnable against runc
(NUCLEUS=/usr/bin/runc). Needs root."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, run, run_to_files, state_root, test)


def add_capability(name):
    def mutate(c):
        caps = c["process"].setdefault("capabilities", {})
        for s in ("bounding", "permitted", "effective"):
            caps.setdefault(s, []).append(name)
    return mutate


@test
def a_capability_the_runtime_cannot_grant_fails_create():
    """runc: "unable to apply caps: operation not permitted"; crun: "capset:
    Operation not permitted". The runtime runs without CAP_SYS_RESOURCE in its
    bounding set (setpriv), and the config asks for it."""
    cid = new_id("caps")
    bundle = make_bundle(add_capability("CAP_SYS_RESOURCE"), args=["true"])
    argv = ["setpriv", "--bounding-set", "-sys_resource", NUCLEUS, "--root", state_root(),
            "run", "--bundle", bundle, cid]
    rc, _, err = run_to_files(argv)
    check_eq(rc, 1, f"exit code ({err!r})")
    check_in("unable to apply caps", error_messages(err), "error")
    check_in("operation not permitted", error_messages(err), "error")
    nothing_left(cid)


@test
def an_unknown_capability_name_is_only_warned_about():
    """The spec: runtimes SHOULD NOT fail on capabilities they do not know."""
    rc, _, err = run(["run", "--bundle", make_bundle(add_capability("CAP_NO_SUCH_THING"), args=["true"]),
                      new_id("caps")])
    check_eq(rc, 0, f"exit code ({err!r})")


main()
