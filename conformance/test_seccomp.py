#!/usr/bin/env python3
"""linux.seccomp on real busybox containers: ERRNO with and without errnoRet,
argument filters, an allowlist (podman's default profile, converted as podman
converts it), noNewPrivileges false with a non-root user, exec'd processes,
the Seccomp line of /proc/self/status, runc's -ENOSYS for syscalls newer than
the profile, a deny-by-default profile that allows only what busybox needs
(none of the runtime's own last steps may need more), and what `nucleus
features` says. Notify is in test_seccomp_notify.py.

Runs against runc too (NUCLEUS=/usr/bin/runc): where runc fails, the test
says why and is skipped in that mode only. Needs root."""
import ctypes
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, run, run_detached, skip, state_root, static_helper, tempdir, test)

RUNC = os.path.basename(NUCLEUS) == "runc"
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
def bad_profile_fails_create():
    # runc 1.1.5 refuses every flag: "seccomp flags are not yet supported by runc".
    create_is_refused(allow_all_but(flags=["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]),
                      "seccomp flags are not yet supported" if RUNC else "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")


@test
def features_lists_seccomp():
    _, out, _ = run(["features"], check=True, root=False)
    s = json.loads(out)["linux"]["seccomp"]
    check_eq(s["enabled"], True, "enabled")
    check({"SCMP_ACT_ERRNO", "SCMP_ACT_NOTIFY"} <= set(s["actions"]), f"actions {s['actions']}")
    check("SCMP_CMP_MASKED_EQ" in s["operators"], f"operators {s['operators']}")
    check("SCMP_ARCH_X86_64" in s["archs"], f"archs {s['archs']}")
    if not RUNC:  # runc 1.1 has no supportedFlags (1.2 added it)
        check("SECCOMP_FILTER_FLAG_TSYNC" in s["supportedFlags"], f"supportedFlags {s['supportedFlags']}")


# ---- -ENOSYS for syscalls newer than the profile (runc >= 1.0.2) ---------------------

SYSNO_SOURCE = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* Calls each syscall number given (arguments all 0) and prints NR:ERRNAME or NR:ok. */
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    long nr = strtol(argv[i], NULL, 0);
    long rc = syscall(nr, 0, 0, 0, 0, 0, 0);
    printf("%ld:%s\n", nr, rc < 0 ? strerrorname_np(errno) : "ok");
  }
  return 0;
}
"""

CLONE3, FACCESSAT2, OPENAT2, SYSLOG = 435, 439, 437, 103  # x86-64 numbers
X86_ARCHS = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]


def _libseccomp():
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
    lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p  # a malloc'd name, or NULL
    lib.seccomp_arch_native.restype = ctypes.c_uint32
    return lib


def syscalls_up_to(last):
    """The names of x86-64 syscalls 0..last, as a profile written for the
    kernel that ended with `last` would list them."""
    lib = _libseccomp()
    libc = ctypes.CDLL(None)
    names = []
    for nr in range(last + 1):
        p = lib.seccomp_syscall_resolve_num_arch(0xC000003E, nr)  # SCMP_ARCH_X86_64
        if p:
            names.append(ctypes.string_at(p).decode())
            libc.free(ctypes.c_void_p(p))
    return names


def require_x86_64():
    if _libseccomp().seccomp_arch_native() != 0xC000003E:
        skip("the syscall numbers here are x86-64's")


def probe(profile, numbers):
    """Runs the static probe under `profile`; returns {nr: errno name or "ok"}."""
    bundle = make_bundle(lambda c: c["linux"].__setitem__("seccomp", profile),
                         args=["/sysno"] + [str(n) for n in numbers])
    shutil.copy(static_helper("sysno", SYSNO_SOURCE), os.path.join(bundle, "rootfs", "sysno"))
    code, out, err = run(["run", "--bundle", bundle, new_id("enosys")])
    check_eq(code, 0, f"exit code (stdout {out!r}, stderr {err!r})")
    return {int(nr): result for nr, result in (line.split(":") for line in out.split())}


def known_up_to_pidfd_open(**extra):
    """ERRNO by default; allows every syscall up to pidfd_open (434) but
    syslog, as a profile from before clone3 would."""
    allowed = [n for n in syscalls_up_to(434) if n != "syslog"]
    return {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": allowed, "action": "SCMP_ACT_ALLOW"}],
            **extra}


@test
def syscalls_newer_than_the_profile_get_enosys():
    require_x86_64()
    got = probe(known_up_to_pidfd_open(architectures=X86_ARCHS), [CLONE3, FACCESSAT2, 1000, SYSLOG])
    # glibc falls back from clone3 and faccessat2 only on ENOSYS; syslog is
    # older than the profile's last syscall, so refused as the default says.
    check_eq(got, {CLONE3: "ENOSYS", FACCESSAT2: "ENOSYS", 1000: "ENOSYS", SYSLOG: "EPERM"}, "results")


@test
def enosys_follows_runcs_rule():
    require_x86_64()
    # Any rule makes a syscall known, whatever its action: openat2 (437)
    # moves the line past clone3.
    profile = known_up_to_pidfd_open(architectures=X86_ARCHS)
    profile["syscalls"].append({"names": ["openat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13})
    check_eq(probe(profile, [CLONE3, OPENAT2, FACCESSAT2]),
             {CLONE3: "EPERM", OPENAT2: "EACCES", FACCESSAT2: "ENOSYS"}, "with openat2 named")
    # A killing default gets the stub too: clone3 is not fatal.
    profile = known_up_to_pidfd_open(architectures=X86_ARCHS, defaultAction="SCMP_ACT_KILL_PROCESS")
    check_eq(probe(profile, [CLONE3]), {CLONE3: "ENOSYS"}, "under a KILL_PROCESS default")
    # Only the architectures listed get it: none listed, none.
    check_eq(probe(known_up_to_pidfd_open(), [CLONE3]), {CLONE3: "EPERM"}, "without architectures")
    check_eq(probe(known_up_to_pidfd_open(architectures=["SCMP_ARCH_X86"]), [CLONE3]), {CLONE3: "EPERM"},
             "with only SCMP_ARCH_X86")
    # A default that lets syscalls through is left alone (clone3 with no args: EINVAL).
    allow = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": X86_ARCHS,
             "syscalls": [{"names": ["syslog"], "action": "SCMP_ACT_ERRNO"}]}
    check_eq(probe(allow, [CLONE3, SYSLOG]), {CLONE3: "EINVAL", SYSLOG: "EPERM"}, "under an ALLOW default")


# ---- a deny-by-default profile with only what busybox needs ---------------------------

# What busybox-static's `sh -c 'echo ok'` calls, from `strace -f` on it (and
# clock_nanosleep for `sleep`). The runtime's own syscalls after a filter with
# noNewPrivileges is loaded must be in here or unable to break: nucleus makes
# only execve (argv, envp and the inherited fds are prepared before the load;
# fds were closed long before, so no close_range; the exec fifo's write end is
# close-on-exec), and for exec the ready message goes out before the load.
BUSYBOX_ECHO = ["arch_prctl", "brk", "execve", "exit_group", "getcwd", "getpid", "getppid", "getrandom", "getuid",
                "mprotect", "newfstatat", "prctl", "prlimit64", "readlink", "rseq", "rt_sigaction",
                "set_robust_list", "set_tid_address", "uname", "write"]


def busybox_only(*more):
    return {"defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": BUSYBOX_ECHO + list(more), "action": "SCMP_ACT_ALLOW"}]}


def skip_runc_strict():
    if RUNC:
        skip("runc 1.1 runs Go code under the filter after loading it (fstatfs of /proc/self/fd, "
             "epoll, futex, sched_yield...): a profile needs those too")


@test
def busybox_only_profile_runs_a_container_end_to_end():
    skip_runc_strict()
    script = "echo ok; [ -e /proc/self/fd/3 ] && echo fd3; true"
    bundle = make_bundle(lambda c: c["linux"].__setitem__("seccomp", busybox_only()), args=["sh", "-c", script])
    code, out, err = run(["run", "--bundle", bundle, new_id("strict")])
    check_eq((code, out), (0, "ok\n"), f"run (stderr {err!r})")
    # With an inherited fd: it must lose close-on-exec before the load, not
    # under the filter (which refuses fcntl), or the program does not get it.
    cmd = ["sh", "-c", 'exec 3</dev/null; exec "$@"', "sh", NUCLEUS, "--root", state_root(),
           "run", "--preserve-fds", "1", "--bundle", bundle, new_id("strict")]
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    check_eq((p.returncode, p.stdout), (0, "ok\nfd3\n"), f"run --preserve-fds 1 (stderr {p.stderr!r})")


@test
def busybox_only_profile_runs_an_exec():
    skip_runc_strict()
    bundle = make_bundle(lambda c: c["linux"].__setitem__("seccomp", busybox_only("clock_nanosleep")),
                         args=["sleep", "1000"])
    cid = new_id("strict")
    try:
        code, _, err = run_detached(["run", "--detach", "--bundle", bundle, cid])
        check_eq(code, 0, f"run --detach exit code ({err!r})")
        code, out, err = run(["exec", cid, "sh", "-c", "echo ok"])
        check_eq((code, out), (0, "ok\n"), f"exec (stderr {err!r})")
    finally:
        run(["delete", "--force", cid])


# A program that needs execve, write and exit_group and nothing else (no libc:
# static glibc's start-up alone calls brk, arch_prctl...); with an argument
# it waits in pause(2) instead.
TINY_SOURCE = r"""
__asm__(".globl _start\n_start:\n mov (%rsp), %rdi\n call tiny_main\n");
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
void tiny_main(long argc) {
  if (argc > 1) for (;;) sys3(34, 0, 0, 0);  /* pause */
  sys3(1, 1, (long)"ok\n", 3);               /* write */
  for (;;) sys3(231, 0, 0, 0);               /* exit_group */
}
"""


def tiny_bundle(profile, args):
    bundle = make_bundle(lambda c: c["linux"].__setitem__("seccomp", profile), args=args)
    helper = static_helper("tiny", TINY_SOURCE, flags=["-nostdlib", "-fno-stack-protector"])
    shutil.copy(helper, os.path.join(bundle, "rootfs", "tiny"))
    return bundle


@test
def nothing_but_execve_runs_under_the_filter():
    """A filter that kills on anything but execve, write and exit_group: the
    runtime's last steps must not touch anything else (no malloc, no fcntl,
    no message on the sync channel after the load)."""
    require_x86_64()
    skip_runc_strict()
    profile = {"defaultAction": "SCMP_ACT_KILL_PROCESS",
               "syscalls": [{"names": ["execve", "write", "exit_group", "pause"], "action": "SCMP_ACT_ALLOW"}]}
    code, out, err = run(["run", "--bundle", tiny_bundle(profile, ["/tiny"]), new_id("tiny")])
    check_eq((code, out), (0, "ok\n"), f"run (stderr {err!r})")
    cid = new_id("tiny")
    try:
        code, _, err = run_detached(["run", "--detach", "--bundle", tiny_bundle(profile, ["/tiny", "wait"]), cid])
        check_eq(code, 0, f"run --detach exit code ({err!r})")
        code, out, err = run(["exec", cid, "/tiny"])
        check_eq((code, out), (0, "ok\n"), f"exec (stderr {err!r})")
    finally:
        run(["delete", "--force", cid])


main()
