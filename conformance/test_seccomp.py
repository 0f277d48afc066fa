#!/usr/bin/env python3
"""linux.seccomp on real busybox containers: ERRNO with and without errnoRet,
argument filters, an allowlist (podman's default profile, converted as podman
converts it), noNewPrivileges false with a non-root user, exec'd processes,
the Seccomp line of /proc/self/status, refused notify profiles and what
`nucleus features` says. Needs root."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, run, skip, state_root, tempdir, test)

PODMAN_PROFILE = "/usr/share/containers/seccomp.json"
CLONE_NEWUTS = 0x04000000


def allow_all_but(*rules, **extra):
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(rules), **extra}


def block_mkdir(**rule):
    return {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", **rule}


def run_with(profile, script, mutate=None, rc=0):
    """Runs `sh -c script` under `profile`; returns stdout."""
    def mutator(c):
        c["linux"]["seccomp"] = profile
        c["root"]["readonly"] = False  # so only the filter makes mkdir fail
        if mutate:
            mutate(c)
    bundle = make_bundle(mutator, args=["sh", "-c", script])
    code, out, err = run(["run", "--bundle", bundle, new_id("scmp")])
    check_eq(code, rc, f"exit code (stdout {out!r}, stderr {err!r})")
    return out


def add_caps(c, *caps):
    for kind in ("bounding", "effective", "permitted"):
        c["process"]["capabilities"][kind] = sorted(set(c["process"]["capabilities"].get(kind, [])) | set(caps))


@test
def mkdir_blocked_with_eperm_others_work():
    out = run_with(allow_all_but(block_mkdir()),
                   "mkdir /tmp/x 2>&1; echo rc=$?; echo hello > /tmp/f && cat /tmp/f; ls -d /tmp/x 2>&1; true")
    check_in("Operation not permitted", out, "mkdir's error")
    check_in("rc=1", out, "mkdir's exit")
    check_in("hello", out, "other commands")
    check_in("No such file", out, "the directory was not made")


@test
def errno_ret_is_honoured():
    out = run_with(allow_all_but(block_mkdir(errnoRet=38)), "mkdir /tmp/x 2>&1; true")
    check_in("Function not implemented", out, "mkdir's error")


@test
def default_errno_ret_is_honoured():
    if not os.path.exists(PODMAN_PROFILE):
        skip(f"{PODMAN_PROFILE} not installed")
    # Everything but the shell's needs is allowed by a broad ALLOW rule; the
    # default (ERRNO 38) catches sethostname.
    profile = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
               "syscalls": [{"names": sorted(podman_allowlist()), "action": "SCMP_ACT_ALLOW"}]}
    out = run_with(profile, "hostname foo 2>&1; echo done",
                   mutate=lambda c: add_caps(c, "CAP_SYS_ADMIN"))
    check_in("Function not implemented", out, "hostname's error")
    check_in("done", out, "the shell ran")


@test
def argument_filter_blocks_only_the_matching_call():
    # unshare(flags & CLONE_NEWUTS) refused; unshare of the ipc namespace allowed.
    rule = {"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
            "args": [{"index": 0, "value": CLONE_NEWUTS, "valueTwo": CLONE_NEWUTS, "op": "SCMP_CMP_MASKED_EQ"}]}
    out = run_with(allow_all_but(rule), "unshare -u true 2>&1; echo uts=$?; unshare -i true 2>&1; echo ipc=$?",
                   mutate=lambda c: add_caps(c, "CAP_SYS_ADMIN"))
    check_in("uts=1", out, "unshare -u")
    check_in("Permission denied", out, "unshare -u's error (errnoRet 13)")
    check_in("ipc=0", out, "unshare -i")


@test
def same_argument_twice_is_an_or():
    rule = {"names": ["unshare"], "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 0, "value": CLONE_NEWUTS, "op": "SCMP_CMP_EQ"},
                     {"index": 0, "value": 0x08000000, "op": "SCMP_CMP_EQ"}]}  # CLONE_NEWIPC
    out = run_with(allow_all_but(rule),
                   "unshare -u true; echo uts=$?; unshare -i true; echo ipc=$?; unshare -m true; echo mnt=$?",
                   mutate=lambda c: add_caps(c, "CAP_SYS_ADMIN"))
    check_in("uts=1", out, "unshare -u")
    check_in("ipc=1", out, "unshare -i")
    check_in("mnt=0", out, "unshare -m")


def podman_rules(caps):
    """podman's conversion of its profile for amd64 and a container with `caps`."""
    with open(PODMAN_PROFILE) as f:
        profile = json.load(f)
    rules = []
    for r in profile["syscalls"]:
        inc, exc = r.get("includes") or {}, r.get("excludes") or {}
        if inc.get("arches") and not {"amd64", "x86", "x32"} & set(inc["arches"]):
            continue
        if inc.get("caps") and not set(inc["caps"]) <= caps:
            continue
        if exc.get("caps") and set(exc["caps"]) <= caps:
            continue
        rule = {"names": r["names"], "action": r["action"]}
        for key in ("errnoRet", "args"):
            if r.get(key):
                rule[key] = r[key]
        rules.append(rule)
    return profile, rules


def podman_allowlist():
    _, rules = podman_rules(set())
    return {n for r in rules if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args") for n in r["names"]}


@test
def podman_default_profile_end_to_end():
    if not os.path.exists(PODMAN_PROFILE):
        skip(f"{PODMAN_PROFILE} not installed")
    # The profile podman would make for the default capabilities ...
    default_caps = set(json.load(open(os.path.join(make_bundle(), "config.json")))
                       ["process"]["capabilities"]["bounding"])
    profile, rules = podman_rules(default_caps)
    oci = {"defaultAction": profile["defaultAction"], "defaultErrnoRet": profile.get("defaultErrnoRet", 1),
           "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": rules}
    # ... on a container that also has CAP_SYS_CHROOT and CAP_SYS_ADMIN, so only
    # the filter can refuse chroot and sethostname.
    out = run_with(oci, "echo hi; ls / >/dev/null && echo ls-ok; grep Seccomp: /proc/self/status; "
                        "chroot / true 2>&1; echo chroot=$?; hostname foo 2>&1; echo hostname=$?; "
                        "id -u; cat /proc/self/status | grep -c . >/dev/null && echo cat-ok",
                   mutate=lambda c: add_caps(c, "CAP_SYS_CHROOT", "CAP_SYS_ADMIN"))
    for want in ("hi", "ls-ok", "Seccomp:\t2", "chroot=1", "hostname=1", "cat-ok"):
        check_in(want, out, "the container's output")
    check_in("Operation not permitted", out, "the refusals")


@test
def filter_is_active_with_no_new_privileges():
    out = run_with(allow_all_but(block_mkdir()), "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status")
    check_in("Seccomp:\t2", out, "status")
    check_in("NoNewPrivs:\t1", out, "status")


@test
def non_root_user_without_no_new_privileges_gets_the_filter():
    # Loaded before the user switch drops CAP_SYS_ADMIN, without setting no_new_privs.
    def mutate(c):
        c["process"]["noNewPrivileges"] = False
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
    out = run_with(allow_all_but(block_mkdir(errnoRet=38)),
                   "id -u; grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status; mkdir /tmp/x 2>&1; true",
                   mutate=mutate)
    check_in("1000", out, "uid")
    check_in("Seccomp:\t2", out, "status")
    check_in("NoNewPrivs:\t0", out, "status")
    check_in("CapEff:\t0000000000000000", out, "status")
    check_in("Function not implemented", out, "mkdir's error")


@test
def exec_gets_the_containers_filter():
    for nnp in (True, False):
        def mutator(c, nnp=nnp):
            c["linux"]["seccomp"] = allow_all_but(block_mkdir(errnoRet=38))
            c["process"]["noNewPrivileges"] = nnp
        bundle = make_bundle(mutator, args=["sleep", "1000"])
        cid = new_id("scmpx")
        # Detached, the container keeps its stdio: files, not pipes that never see EOF.
        err_file = os.path.join(tempdir(), "err")
        with open(err_file, "w") as err:
            rc = subprocess.run([NUCLEUS, "--root", state_root(), "run", "--detach", "--bundle", bundle, cid],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                timeout=60).returncode
        check_eq(rc, 0, f"run --detach exit code ({open(err_file).read()!r})")
        try:
            _, out, _ = run(["exec", cid, "sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/y 2>&1; true"],
                            check=True)
            check_in("Seccomp:\t2", out, f"exec'd status (noNewPrivileges {nnp})")
            check_in("Function not implemented", out, f"exec'd mkdir (noNewPrivileges {nnp})")
        finally:
            run(["delete", "--force", cid])


def create_is_refused(profile, message):
    """create with `profile` exits 1 naming `message`, and leaves nothing behind."""
    bundle = make_bundle(lambda c: c["linux"].__setitem__("seccomp", profile), args=["true"])
    cid = new_id("scmpx")
    code, _, err = run(["create", "--bundle", bundle, cid])
    check_eq(code, 1, f"create exit code ({err!r})")
    check_in(message, error_messages(err), "create's error")
    nothing_left(cid)


@test
def notify_is_refused_at_create():
    create_is_refused(allow_all_but({"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
                                    listenerPath="/run/none.sock"), "linux.seccomp.listenerPath")
    create_is_refused(allow_all_but(listenerPath="/run/none.sock"), "linux.seccomp.listenerPath")


@test
def bad_profile_fails_create():
    create_is_refused(allow_all_but(flags=["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]),
                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")


@test
def features_lists_seccomp():
    _, out, _ = run(["features"], check=True, root=False)
    s = json.loads(out)["linux"]["seccomp"]
    check_eq(s["enabled"], True, "enabled")
    check("SCMP_ACT_ERRNO" in s["actions"] and "SCMP_ACT_NOTIFY" not in s["actions"], f"actions {s['actions']}")
    check("SCMP_CMP_MASKED_EQ" in s["operators"], f"operators {s['operators']}")
    check("SCMP_ARCH_X86_64" in s["archs"], f"archs {s['archs']}")
    check("SECCOMP_FILTER_FLAG_TSYNC" in s["supportedFlags"], f"supportedFlags {s['supportedFlags']}")


main()
