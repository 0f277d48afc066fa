#!/usr/bin/env python3
"""Container escapes: one regression test per known runc CVE class, each
reproducing the attack against a real busybox container and checking that it
is blocked, from inside (what the container could see or run) and from outside
(host canaries unchanged, no mount landed on the host, the runtime binary's
sha256 unchanged).

  CVE-2024-21626  a leaked runtime fd as process.cwd or as the path to args[0]
  CVE-2019-5736   the runtime binary reopened for writing from inside
  CVE-2021-30465  a mount destination swapped for a symlink while mounting
  CVE-2025-31133, CVE-2025-52565  /dev/null, masked paths, /dev/console as symlinks
  CVE-2025-52881  the runtime's own procfs writes redirected by a mount
  CVE-2022-29162  inheritable capabilities
  CVE-2019-16884, CVE-2019-19921  a volume over /proc, directly or via a symlink
  (no CVE)        device nodes made with CAP_MKNOD under a deny-all devices list

Peer mode: NUCLEUS_PEER=runc runs every test against /usr/bin/runc. A test
that runc fails because the runc installed lacks the CVE's fix says so in its
docstring and is skipped in peer mode only (NUCLEUS_PEER_NO_SKIP=1 runs it
anyway, to see whether a newer runc has the fix). Needs root."""
import array
import hashlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

PEER = os.environ.get("NUCLEUS_PEER", "")
if PEER == "runc":
    os.environ["NUCLEUS"] = "/usr/bin/runc"
elif PEER:
    sys.exit(f"unknown NUCLEUS_PEER {PEER!r} (only 'runc')")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (BUSYBOX, NUCLEUS, Failure, check, check_eq, error_messages, kill_and_reap,  # noqa: E402
                     listening_socket, load_config, main, make_bundle, new_id,
                     replace_with_symlink, run, run_to_files, save_config, skip, state_root, static_helper,
                     tempdir, test, wait_for, without_dev_mount)
from mount_checks import destination_swap_race, exchange, host_tmpfs, mount, mounts_at_or_below  # noqa: E402

TOKEN = f"escape-{os.getpid()}"
LEAK_FDS = range(3, 65)
CLIMB = "../" * 24  # more `..` than any host path is deep: from a host dir, this is the host's /


# ---- helpers ------------------------------------------------------------------------

def runc_lacks_fix(reason):
    """Mark a test that the installed runc fails because it lacks a CVE fix:
    skipped (with `reason`) in peer mode only."""
    def mark(fn):
        def wrapper():
            if PEER == "runc" and not os.environ.get("NUCLEUS_PEER_NO_SKIP"):
                skip(f"runc {reason}")
            fn()
        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper
    return mark


def rootfs(bundle, *parts):
    return os.path.join(bundle, "rootfs", *parts)


def bundle_for(script, mutate=None, writable=True):
    """A bundle running `sh -c script`; `mutate(config)` edits the config."""
    def m(c):
        c["root"]["readonly"] = not writable
        if mutate:
            mutate(c)
    return make_bundle(m, args=["sh", "-c", script])


def edit_config(bundle, mutate):
    c = load_config(bundle)
    mutate(c)
    save_config(bundle, c)






def files_of(directory):
    """{relative path: bytes} of every file below `directory`."""
    found = {}
    for top, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, directory)] = f.read()
    return found


class Canary:
    """Host files an escape would read, write or mount over: a directory on a
    shared tmpfs (a mount made on it inside a container with rshared
    propagation shows on the host) holding `secret` (distinctive text) and
    `echo` (a static busybox: a host binary a container must never run)."""

    def __init__(self, parent=None):
        # a plain host dir next to something else (the --root), or a shared tmpfs
        self.dir = os.path.join(parent or host_tmpfs(shared=True), f"ESCAPE-CANARY-{new_id('c')}")
        os.mkdir(self.dir)
        self.secret = os.path.join(self.dir, "secret")
        with open(self.secret, "w") as f:
            f.write(f"SECRET-{TOKEN}\n")
        self.echo = os.path.join(self.dir, "echo")
        if parent:  # (too big for the small tmpfs)
            shutil.copy2(BUSYBOX, self.echo)
        self.before = files_of(self.dir)
        self.mounts = mounts_at_or_below(self.dir)

    def evidence(self, text):
        """What in a container's output shows it reached the canary."""
        return [w for w in (f"SECRET-{TOKEN}", f"RAN-HOST-BINARY-{TOKEN}", os.path.basename(self.dir))
                if w in text]

    def untouched(self, what=""):
        check_eq(files_of(self.dir), self.before, f"host canary files {what}")
        check_eq(mounts_at_or_below(self.dir), self.mounts, f"mounts on the host canary {what}")


def host_only_root_entries(bundle):
    """Names in the host's / that the container's / lacks: listing one of them
    from inside means the container listed the host's /."""
    return set(os.listdir("/")) - set(os.listdir(rootfs(bundle))) - {"lost+found"}






def exited(pid):
    """True once `pid` (our child: we are the subreaper) has exited; reaps it."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return not os.path.exists(f"/proc/{pid}")


class Container:
    """A container of `bundle`, created (and started unless start=False) by
    `binary` (the runtime under test by default); force-deleted on exit with
    every process it exec'd with detached()."""

    def __init__(self, bundle, start=True, binary=None, fds=(), cwd=None):
        self.id, self.bundle, self.start = new_id("esc"), bundle, start
        self.binary = binary or NUCLEUS
        self.fds, self.cwd = fds, cwd
        self.detached_pids = []

    def argv(self, *args):
        return [self.binary, "--root", state_root(), *args]

    def __enter__(self):
        pid_file = os.path.join(tempdir(), "init.pid")
        rc, _, err = run_to_files(self.argv("create", "--bundle", self.bundle, "--pid-file", pid_file, self.id),
                                  pass_fds=self.fds, cwd=self.cwd)
        check_eq(rc, 0, f"create exit code ({error_messages(err)!r})")
        self.init = int(open(pid_file).read())
        if self.start:
            self.do_start()
        return self

    def do_start(self):
        p = subprocess.run(self.argv("start", self.id), capture_output=True, text=True, pass_fds=self.fds,
                           cwd=self.cwd, timeout=60)
        check_eq(p.returncode, 0, f"start exit code ({error_messages(p.stderr)!r})")

    def __exit__(self, *exc):
        for pid in self.detached_pids:
            kill_and_reap(pid)
        subprocess.run(self.argv("delete", "--force", self.id), capture_output=True, timeout=60)
        kill_and_reap(self.init)

    def exec(self, *args, flags=()):
        """exec in the foreground; (rc, stdout, stderr)."""
        p = subprocess.run(self.argv("exec", *flags, self.id, *args), capture_output=True, text=True,
                           errors="replace", stdin=subprocess.DEVNULL, pass_fds=self.fds, cwd=self.cwd, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def detached(self, *args):
        """exec --detach; the process's host pid."""
        pid_file = os.path.join(tempdir(), "exec.pid")
        rc, _, err = run_to_files(self.argv("exec", "--detach", "--pid-file", pid_file, self.id, *args))
        check_eq(rc, 0, f"exec --detach exit code ({error_messages(err)!r})")
        pid = int(open(pid_file).read())
        self.detached_pids.append(pid)
        return pid


def runtime_copy():
    """A copy of the runtime under test, for attacks on the runtime binary: a
    successful one must never damage the build or /usr/bin/runc."""
    path = os.path.join(tempdir("nucleus-binary-"), os.path.basename(NUCLEUS))
    shutil.copy2(NUCLEUS, path)
    return path


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def in_container_rc(script, mutate=None, prepare=None, writable=True):
    """`run` a fresh container of `sh -c script` (`prepare(bundle)` edits its
    rootfs first); (rc, stdout, stderr, bundle)."""
    bundle = bundle_for(script, mutate, writable)
    if prepare:
        prepare(bundle)
    try:
        rc, out, err = run(["run", "--bundle", bundle, new_id("esc")], timeout=30)
    except subprocess.TimeoutExpired as e:
        raise Failure(f"run timed out (stdout {e.stdout!r})") from None
    return rc, out, err, bundle


# ---- CVE-2024-21626: a leaked fd --------------------------------------------------
#
# The runtime's own fds (its --root, the container's state dir, ...) must not
# reach the container process: with one of them as cwd, `..` walks the host's
# tree. The layout makes every kind of leak visible: the --root sits next to
# the canary dir, the runtime runs with the canary dir as its cwd, and it
# inherits an open fd of the canary dir (fd 50, not in --preserve-fds).

INHERITED_FD = 50


class LeakSetup:
    def __init__(self):
        self.canary = Canary(parent=os.path.dirname(state_root()))
        fd = os.open(self.canary.dir, os.O_RDONLY | os.O_DIRECTORY)
        os.dup2(fd, INHERITED_FD)
        os.close(fd)
        self.fds = (INHERITED_FD,)

    def close(self):
        os.close(INHERITED_FD)

    def climb_script(self):
        """From the cwd: list it, climb to the top, list that, read the canary."""
        return (f"ls -a; cd {CLIMB}; ls -a; cat {self.canary.secret}; ls -a {self.canary.dir}; "
                f"{self.canary.echo} RAN-HOST-BINARY-{TOKEN}")

    def control(self, out, bundle, what):
        """The same script from an ordinary cwd lists the container's / (so a
        listing of the host's would not go unseen)."""
        check("bin" in out.split() and "sbin" in out.split(), f"{what} from an ordinary cwd listed nothing: {out!r}")
        self.check_no_leak(out, bundle, what)

    def check_no_leak(self, out, bundle, what):
        seen = self.canary.evidence(out) + sorted(set(out.split()) & host_only_root_entries(bundle))
        check(not seen, f"{what}: the container reached the host ({seen}): {out[:600]!r}")
        self.canary.untouched(what)

    def run(self, argv):
        p = subprocess.run([NUCLEUS, "--root", state_root(), *argv], capture_output=True, text=True,
                           errors="replace", stdin=subprocess.DEVNULL, pass_fds=self.fds, cwd=self.canary.dir,
                           timeout=60)
        return p.returncode, p.stdout, p.stderr


def leak_test(body):
    setup = LeakSetup()
    try:
        body(setup)
    finally:
        setup.close()


def args0_through_fd(fd, canary):
    """An args[0] reaching the host canary's binary from a leaked dir fd."""
    return f"/proc/self/fd/{fd}/{CLIMB}{canary.echo.lstrip('/')}"


@test
def leaked_fd_as_cwd_of_run_never_reaches_the_host():
    """CVE-2024-21626, attack 1: process.cwd = /proc/self/fd/N for every N in
    3..64 with `run`; the process then climbs `..` from its cwd and lists and
    reads what it finds. Blocked: the run fails, or the process sees only the
    container (never the canary next to --root, the host's /, nor runs the
    host binary)."""
    def body(s):
        bundle = bundle_for(s.climb_script())
        s.control(s.run(["run", "--bundle", bundle, new_id("cwd")])[1], bundle, "run")
        for fd in LEAK_FDS:
            edit_config(bundle, lambda c: c["process"].__setitem__("cwd", f"/proc/self/fd/{fd}"))
            _, out, _ = s.run(["run", "--bundle", bundle, new_id("cwd")])
            s.check_no_leak(out, bundle, f"run with cwd /proc/self/fd/{fd}")
    leak_test(body)


@test
def leaked_fd_as_cwd_of_create_and_start_never_reaches_the_host():
    """CVE-2024-21626, attack 1 with separate create and start (the init that
    waits between them holds whatever create leaked): process.cwd =
    /proc/self/fd/N for N in 3..64. Blocked as for run."""
    def body(s):
        bundle = bundle_for(s.climb_script())
        for fd in LEAK_FDS:
            edit_config(bundle, lambda c: c["process"].__setitem__("cwd", f"/proc/self/fd/{fd}"))
            cid, d = new_id("cwdcs"), tempdir()
            pid_file, out_file = os.path.join(d, "pid"), os.path.join(d, "out")
            with open(out_file, "w") as out_f:  # the container's stdout, after create has returned
                rc = subprocess.run([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle,
                                     "--pid-file", pid_file, cid], stdin=subprocess.DEVNULL, stdout=out_f,
                                    stderr=subprocess.STDOUT, pass_fds=s.fds, cwd=s.canary.dir,
                                    timeout=60).returncode
            if rc == 0:
                init = int(open(pid_file).read())
                s.run(["start", cid])
                wait_for(lambda: exited(init), what=f"the container of fd {fd} to exit")
                s.run(["delete", "--force", cid])
            out = read_text(out_file)
            s.check_no_leak(out, bundle, f"create+start with cwd /proc/self/fd/{fd}")
    leak_test(body)


@test
def leaked_fd_as_exec_cwd_never_reaches_the_host():
    """CVE-2024-21626, attack 2: `exec --cwd /proc/self/fd/N` for N in 3..64
    into a running container. Blocked: the exec fails, or the process sees
    only the container."""
    def body(s):
        bundle = make_bundle(args=["sleep", "100000"])
        with Container(bundle, fds=s.fds, cwd=s.canary.dir) as c:
            s.control(c.exec("sh", "-c", s.climb_script(), flags=["--cwd", "/"])[1], bundle, "exec")
            for fd in LEAK_FDS:
                _, out, _ = c.exec("sh", "-c", s.climb_script(), flags=["--cwd", f"/proc/self/fd/{fd}"])
                s.check_no_leak(out, bundle, f"exec --cwd /proc/self/fd/{fd}")
    leak_test(body)


@test
def leaked_fd_as_cwd_of_exec_process_json_never_reaches_the_host():
    """CVE-2024-21626, attack 2 as engines send it: `exec --process F` (how
    containerd and CRI-O exec) with F's cwd = /proc/self/fd/N for N in 3..64.
    Blocked: the exec fails, or the process sees only the container."""

    def body(s):
        bundle = make_bundle(args=["sleep", "100000"])
        process = os.path.join(tempdir(), "process.json")
        with Container(bundle, fds=s.fds, cwd=s.canary.dir) as c:
            for fd in [None, *LEAK_FDS]:  # None: the control, from an ordinary cwd
                with open(process, "w") as f:
                    json.dump({"args": ["sh", "-c", s.climb_script()], "cwd": f"/proc/self/fd/{fd}" if fd else "/",
                               "env": ["PATH=/bin:/usr/bin"], "user": {"uid": 0, "gid": 0}}, f)
                _, out, _ = c.exec(flags=["--process", process])
                if fd is None:
                    s.control(out, bundle, "exec --process")
                else:
                    s.check_no_leak(out, bundle, f"exec --process with cwd /proc/self/fd/{fd}")
    leak_test(body)


@test
def leaked_fd_in_the_path_of_args0_of_run_never_runs_a_host_binary():
    """CVE-2024-21626, attack 3a: args[0] = /proc/self/fd/N/../../..<canary>/echo
    for N in 3..64 with `run`: a host binary run as the container process
    (whose /proc/<pid>/exe would then be writable from the container).
    Blocked: the run fails; the host binary never runs."""
    def body(s):
        bundle = make_bundle()
        for fd in LEAK_FDS:
            args = [args0_through_fd(fd, s.canary), f"RAN-HOST-BINARY-{TOKEN}"]
            edit_config(bundle, lambda c: c["process"].__setitem__("args", args))
            _, out, _ = s.run(["run", "--bundle", bundle, new_id("arg0")])
            s.check_no_leak(out, bundle, f"run of {args[0]}")
    leak_test(body)


@test
def leaked_fd_in_the_path_of_args0_of_exec_never_runs_a_host_binary():
    """CVE-2024-21626, attack 3b: `exec ID /proc/self/fd/N/../../..<canary>/echo`
    for N in 3..64. Blocked: the exec fails; the host binary never runs."""
    def body(s):
        bundle = make_bundle(args=["sleep", "100000"])
        with Container(bundle, fds=s.fds, cwd=s.canary.dir) as c:
            for fd in LEAK_FDS:
                path = args0_through_fd(fd, s.canary)
                _, out, _ = c.exec(path, f"RAN-HOST-BINARY-{TOKEN}")
                s.check_no_leak(out, bundle, f"exec of {path}")
    leak_test(body)


# ---- CVE-2019-5736: the runtime binary -------------------------------------------
#
# These run a copy of the runtime under test: a successful attack damages only
# the copy, never the build or /usr/bin/runc.

EXE_GRAB_C = r"""
/* exe-grab SECONDS: for SECONDS (or until /tmp/stop exists), hold open
   /proc/PID/exe of every process that runs a binary other than this one and
   /bin/busybox (in a container: the runtime's), and keep trying to reopen each
   held one for writing through /proc/self/fd/N and append a marker. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int fds[64], pids[64], errs[64], n = 0;
    struct stat self, bb, st;
    char path[64];
    time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 20);
    stat("/proc/self/exe", &self);
    stat("/bin/busybox", &bb);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int last = time(NULL) >= end || access("/tmp/stop", F_OK) == 0;
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (n < 64 && (e = readdir(d))) {
            int pid = atoi(e->d_name), i;
            if (pid <= 0 || pid == getpid())
                continue;
            for (i = 0; i < n && pids[i] != pid; i++)
                ;
            if (i < n)
                continue;
            snprintf(path, sizeof path, "/proc/%d/exe", pid);
            int fd = open(path, O_RDONLY);
            if (fd < 0 || fstat(fd, &st) != 0 || (st.st_ino == self.st_ino && st.st_dev == self.st_dev) ||
                (st.st_ino == bb.st_ino && st.st_dev == bb.st_dev)) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            fds[n] = fd, pids[n] = pid, errs[n] = 0, n++;
            printf("held the exe of pid %d\n", pid);
            fflush(stdout);
        }
        closedir(d);
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
            int w = open(path, O_WRONLY | O_APPEND);
            if (w >= 0 && write(w, "PWNED-5736\n", 11) == 11) {
                printf("WROTE through the exe of pid %d\n", pids[i]);
                return 0;
            }
            if (w < 0 && errno != errs[i]) {
                errs[i] = errno;
                printf("reopen of the exe of pid %d: %s\n", pids[i], strerror(errno));
                fflush(stdout);
            }
            if (w >= 0)
                close(w);
        }
        if (last)
            break;
    }
    printf("gave up\n");
    return 0;
}
"""

def exe_grab():
    """The exe-grab helper above, built static once."""
    return static_helper("exe-grab", EXE_GRAB_C)


def hold_the_init_exe_of_a_created_container(mutate=None):
    """Run CVE-2019-5736 (a) against a copy of the runtime; `mutate` edits the
    config. Returns the attacker's log after checking the copy's sha256."""
    binary = runtime_copy()
    digest = sha256(binary)
    bundle = bundle_for("sleep 100000", mutate)
    log, host_log = "/tmp/attack.log", rootfs(bundle, "tmp", "attack.log")
    # (a failed `exec 3<` would end the shell: probe in a subshell first)
    attack = (f"(: < /proc/1/exe) 2>{log} || {{ echo open-failed >> {log}; exit; }}; exec 3</proc/1/exe; "
              f"echo held >> {log}; i=0; while [ $i -lt 30 ]; do "
              f"if echo PWNED-5736 >> /proc/self/fd/3; then echo WROTE >> {log}; exit; fi; "
              f"i=$((i+1)); sleep 0.1; done 2>>{log}; echo gave-up >> {log}")
    with Container(bundle, start=False, binary=binary) as c:
        attacker = c.detached("sh", "-c", attack)
        wait_for(lambda: read_text(host_log), what="the attacker to open /proc/1/exe")
        c.do_start()
        wait_for(lambda: exited(attacker), timeout=20, what="the attacker to finish")
        c.detached_pids.remove(attacker)
    check_eq(sha256(binary), digest, f"sha256 of the runtime binary (attacker's log: {read_text(host_log)!r})")
    return read_text(host_log)


@test
def runtime_binary_held_by_a_process_of_a_created_container_stays_unwritable():
    """CVE-2019-5736 (a): in a created-but-not-started container the init
    still runs the runtime's image. A process exec'd into it opens
    /proc/1/exe and holds it; once `start` has made the init exec the
    container's program (and no runtime process is left), it reopens the
    held fd for writing through /proc/self/fd/3 and appends. Blocked: the
    runtime binary (a copy, the one that ran the container) keeps its sha256."""
    hold_the_init_exe_of_a_created_container()


@test
def runtime_binary_held_with_cap_sys_ptrace_stays_unwritable():
    """CVE-2019-5736 (a) with CAP_SYS_PTRACE in the container, which opens
    /proc/1/exe even when the init is not dumpable: the runtime's image
    itself (a read-only bind, a sealed memfd copy) must resist the reopen
    for writing. Blocked: the copy keeps its sha256."""
    def mutate(c):
        for kind in ("bounding", "effective", "permitted"):
            c["process"]["capabilities"][kind].append("CAP_SYS_PTRACE")
    log = hold_the_init_exe_of_a_created_container(mutate)
    check("held" in log, f"with CAP_SYS_PTRACE the attacker should reach /proc/1/exe: {log!r}")


@test
def runtime_binary_run_as_a_script_interpreter_stays_unwritable():
    """CVE-2019-5736 (b): `exec` of a script starting with `#!/proc/self/exe`
    makes the kernel run, as the container process, whatever binary the
    exec'ing runtime process runs. Another container process (exe-grab, a
    static helper) holds /proc/<pid>/exe of every process running a binary
    that is not the container's, and once that process has exited reopens it
    for writing and appends. Blocked: the runtime binary (a copy, the one that
    ran the container) keeps its sha256."""
    binary = runtime_copy()
    digest = sha256(binary)
    bundle = bundle_for("sleep 100000")
    shutil.copy2(exe_grab(), rootfs(bundle, "bin", "exe-grab"))
    with open(rootfs(bundle, "evil"), "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(rootfs(bundle, "evil"), 0o755)
    log = rootfs(bundle, "tmp", "grab.log")
    with Container(bundle, binary=binary) as c:
        grabber = c.detached("sh", "-c", "exe-grab 30 > /tmp/grab.log 2>&1")
        wait_for(lambda: "ready" in read_text(log), what="exe-grab to start")
        for _ in range(5):
            c.exec("/evil")
            if "held" in read_text(log):
                break
        time.sleep(0.5)  # the exec'ing runtime is gone now: the reopen can only fail for good reasons
        with open(rootfs(bundle, "tmp", "stop"), "w"):
            pass
        wait_for(lambda: exited(grabber), timeout=20, what="exe-grab to finish")
        c.detached_pids.remove(grabber)
    check_eq(sha256(binary), digest, f"sha256 of the runtime binary (exe-grab's log: {read_text(log)!r})")


# ---- CVE-2021-30465: a mount destination swapped for a symlink ----------------------

@test
def mount_destination_swapped_for_a_symlink_never_escapes():
    """CVE-2021-30465: a host thread keeps swapping a bind mount's destination
    directory in the rootfs with a symlink to a host canary (a shared tmpfs,
    the container's root rshared) while containers start. Blocked: every run
    puts the bind in the container or fails with a clear error; the canary
    never gets a mount or a change. (test_mount_paths.py runs the long race.)"""
    destination_swap_race(runs=12, seconds=4)


# ---- CVE-2025-31133, CVE-2025-52565: /dev/null, masked paths, /dev/console ---------

IMAGE_SECRET = f"IMAGE-SECRET-{TOKEN}"


def image_secret(bundle):
    """The rootfs's /etc/secret, which maskedPaths must hide."""
    with open(rootfs(bundle, "etc", "secret"), "w") as f:
        f.write(IMAGE_SECRET + "\n")


def shared_root(c):
    """rshared propagation: a mount that escaped onto the host canary (a
    shared tmpfs) from the container's mount namespace shows on the host."""
    c["linux"]["rootfsPropagation"] = "rshared"


# (head, not cat: a runtime that reopened stdio on a redirected /dev/null
# would have cat copy a file into itself forever)
MASK_SCRIPT = ("head -c 200 /etc/secret; echo PWNED >> /etc/secret; head -c 200 /etc/secret; "
               "stat -L -c 'type=%F %t:%T' /etc/secret")


def check_masked(rc, out, err, canary):
    """Blocked: the run failed, or /etc/secret is the null device (empty,
    writes vanish) and nothing of the host canary showed."""
    canary.untouched()
    if rc == 0:
        check(IMAGE_SECRET not in out, f"the masked path is not masked: {out!r}")
        check("PWNED" not in out, f"writes to the masked path stuck: {out!r}")
        check("type=character special file 1:3" in out, f"the masked path is not the null device: {out!r}")
    check(not canary.evidence(out), f"the container reached the host canary: {out!r} {err!r}")


@test
def masking_with_dev_null_a_symlink_to_a_host_file():
    """CVE-2025-31133: the rootfs's /dev/null (no tmpfs on /dev) is a symlink
    to a host canary file by absolute path, so that a runtime resolving it
    outside the rootfs binds the canary over every masked path (read-write),
    or one that ignores the error leaves the masked paths unmasked. Blocked:
    the run fails, or /etc/secret (masked) is the null device; the canary is
    unchanged and has no mount."""
    canary = Canary()

    def mutate(c):
        without_dev_mount(c)
        shared_root(c)
        c["linux"]["maskedPaths"] = ["/etc/secret", "/proc/kcore"]

    def prepare(bundle):
        image_secret(bundle)
        replace_with_symlink(rootfs(bundle, "dev", "null"), canary.secret)
    rc, out, err, _ = in_container_rc(MASK_SCRIPT, mutate, prepare)
    check_masked(rc, out, err, canary)


@test
@runc_lacks_fix("1.1.5+ds1-1+deb12u1 lacks the CVE-2025-31133 fix (runc 1.2.8, 1.3.3, 1.4.0-rc.3): "
                "it binds /dev/null's symlink target over the masked paths")
def masking_with_dev_null_a_symlink_inside_the_rootfs():
    """CVE-2025-31133: the rootfs's /dev/null (no tmpfs on /dev) is a symlink
    to /etc/exposed, a file of the rootfs, so that a runtime that keeps an
    existing /dev/null and binds it over the masked paths binds
    /etc/exposed there, read-write (with a symlink to a procfs file such as
    /proc/sys/kernel/core_pattern this is an escape). Blocked: the run fails,
    or /etc/secret (masked) is the null device and /etc/exposed is
    unchanged. Debian's runc 1.1.5+ds1-1+deb12u1 fails this (no fix for
    CVE-2025-31133, fixed in runc 1.2.8, 1.3.3 and 1.4.0-rc.3)."""
    canary = Canary()

    def mutate(c):
        without_dev_mount(c)
        c["linux"]["maskedPaths"] = ["/etc/secret"]

    def prepare(bundle):
        image_secret(bundle)
        with open(rootfs(bundle, "etc", "exposed"), "w") as f:
            f.write(f"EXPOSED-{TOKEN}\n")
        replace_with_symlink(rootfs(bundle, "dev", "null"), "/etc/exposed")
    rc, out, err, bundle = in_container_rc(MASK_SCRIPT, mutate, prepare)
    check(f"EXPOSED-{TOKEN}" not in out, f"/etc/exposed was bound over the masked path: {out!r}")
    check_eq(read_text(rootfs(bundle, "etc", "exposed")), f"EXPOSED-{TOKEN}\n", "/etc/exposed")
    check_masked(rc, out, err, canary)


@test
@runc_lacks_fix("1.1.5+ds1-1+deb12u1 lacks the CVE-2025-31133 fix (runc 1.2.8, 1.3.3, 1.4.0-rc.3): "
                "it binds /dev/null's symlink target over the masked paths")
def masking_while_dev_null_is_swapped_for_a_symlink():
    """CVE-2025-31133, the race: with the rootfs's own /dev (no tmpfs), a
    host thread keeps swapping the rootfs's /dev/null (a real null device)
    with a symlink to /etc/exposed while containers start, so that the
    masked /etc/secret gets /etc/exposed (or nothing) instead of the null
    device. Blocked: every run fails or shows /etc/secret as the null
    device; /etc/exposed never changes. Debian's runc 1.1.5+ds1-1+deb12u1
    fails this (no fix for CVE-2025-31133, fixed in runc 1.2.8, 1.3.3 and
    1.4.0-rc.3)."""
    canary = Canary()

    def mutate(c):
        without_dev_mount(c)
        shared_root(c)
        c["linux"]["maskedPaths"] = ["/etc/secret"]
    bundle = bundle_for(MASK_SCRIPT, mutate)
    image_secret(bundle)
    with open(rootfs(bundle, "etc", "exposed"), "w") as f:
        f.write(f"EXPOSED-{TOKEN}\n")
    null, swap = rootfs(bundle, "dev", "null"), rootfs(bundle, "dev", "null-swap")
    if os.path.lexists(null):
        os.unlink(null)
    os.mknod(null, 0o666 | 0o020000, os.makedev(1, 3))
    os.symlink("/etc/exposed", swap)
    stop, swaps = threading.Event(), [0]

    def swapper():
        while not stop.is_set():
            try:
                exchange(null, swap)
                swaps[0] += 1
            except OSError:  # the runtime replaced a name meanwhile: put the pair back
                for path in (null, swap):
                    if not os.path.lexists(path):
                        if path == null:
                            os.mknod(null, 0o666 | 0o020000, os.makedev(1, 3))
                        else:
                            os.symlink("/etc/exposed", swap)
    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    outcomes = []
    try:
        deadline = time.monotonic() + 5
        while len(outcomes) < 20 and time.monotonic() < deadline:
            rc, out, err = run(["run", "--bundle", bundle, new_id("nullrace")])
            check(f"EXPOSED-{TOKEN}" not in out, f"run {len(outcomes)}: /etc/exposed was bound over the masked path: {out!r}")
            check_eq(read_text(rootfs(bundle, "etc", "exposed")), f"EXPOSED-{TOKEN}\n", f"run {len(outcomes)}: /etc/exposed")
            check_masked(rc, out, err, canary)
            outcomes.append(rc)
    finally:
        stop.set()
        thread.join()
    check(swaps[0] > len(outcomes), f"only {swaps[0]} swaps in {len(outcomes)} runs")
    check_eq(read_text(rootfs(bundle, "etc", "exposed")), f"EXPOSED-{TOKEN}\n", "/etc/exposed")


@test
def masked_path_a_symlink_to_a_host_file():
    """CVE-2025-31133 (masked path variant): the masked /etc/secret is a
    symlink to a host canary file by absolute path, so that a runtime
    resolving it outside the rootfs binds /dev/null over the host file.
    Blocked: the canary is unchanged and has no mount; inside, the symlink
    leads to the rootfs's own file, which is masked (or the run fails)."""
    canary = Canary()

    def mutate(c):
        shared_root(c)
        c["linux"]["maskedPaths"] = ["/etc/secret"]

    def prepare(bundle):
        inside = rootfs(bundle, canary.secret.lstrip("/"))
        os.makedirs(os.path.dirname(inside))
        with open(inside, "w") as f:
            f.write(IMAGE_SECRET + "\n")
        os.symlink(canary.secret, rootfs(bundle, "etc", "secret"))
    rc, out, err, _ = in_container_rc(MASK_SCRIPT, mutate, prepare)
    check_masked(rc, out, err, canary)


def run_with_a_terminal(bundle):
    """create with --console-socket (process.terminal set), start, and read
    the pty until the script prints `done`; (create's exit code, its stderr,
    what the container printed)."""
    edit_config(bundle, lambda c: c["process"].__setitem__("terminal", True))
    path, server = listening_socket("console.sock")
    cid, pid_file = new_id("console"), os.path.join(tempdir(), "pid")
    out, master = "", None
    p = subprocess.Popen([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle, "--console-socket", path,
                          "--pid-file", pid_file, cid], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 20
        while p.poll() is None and time.time() < deadline and not select.select([server], [], [], 0.1)[0]:
            pass
        if select.select([server], [], [], 0)[0]:
            conn, _ = server.accept()
            fds = array.array("i")
            _, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
            for _level, _kind, data in anc:
                fds.frombytes(data[:fds.itemsize])
            master = fds[0] if fds else None
            conn.close()
        _, err = p.communicate(timeout=60)
        if p.returncode == 0:
            init = int(open(pid_file).read())
            run(["start", cid], check=True)
            out = read_pty(master)
            wait_for(lambda: exited(init), what="the container to exit")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if master is not None:
            os.close(master)
        server.close()
        run(["delete", "--force", cid])
    return p.returncode, err, out


CONSOLE_SCRIPT = "stat -c 'console=%F' /dev/console; stat -L -c 'console-target=%F %t' /dev/console; cat /proc/self/mountinfo; echo done"


@test
def dev_console_a_symlink_to_a_host_file():
    """CVE-2025-52565: with process.terminal, the runtime bind-mounts the pty
    onto /dev/console; here the rootfs's /dev/console (no tmpfs on /dev) is a
    symlink to a host canary file by absolute path. Blocked: the canary is
    unchanged and has no mount (the pty landed inside the rootfs, or the
    create failed)."""
    canary = Canary()

    def mutate(c):
        without_dev_mount(c)
        shared_root(c)
    bundle = bundle_for(CONSOLE_SCRIPT, mutate)
    replace_with_symlink(rootfs(bundle, "dev", "console"), canary.secret)
    rc, _, out = run_with_a_terminal(bundle)
    canary.untouched()
    check(not canary.evidence(out), f"the container reached the host canary: {out!r}")
    if rc == 0:
        check("console-target=character special file 88" in out, f"/dev/console inside is not the pty: {out!r}")


@test
@runc_lacks_fix("1.1.5+ds1-1+deb12u1 lacks the CVE-2025-52565 fix (runc 1.2.8, 1.3.3, 1.4.0-rc.3): "
                "it follows a /dev/console symlink, truncating and mounting over its target")
def dev_console_a_symlink_inside_the_rootfs():
    """CVE-2025-52565: the rootfs's /dev/console (no tmpfs on /dev) is a
    symlink to /etc/console-target, a file of the rootfs. A runtime that
    follows it mounts the pty (or, had the symlink pointed into /proc, a
    procfs file it meant to protect) where the image chose. Blocked: the
    create fails, or the pty is mounted on /dev/console itself and
    /etc/console-target is neither a mount point nor changed. Debian's runc
    1.1.5+ds1-1+deb12u1 fails this (it opens /dev/console with O_CREAT|O_TRUNC
    through the symlink and mounts the pty on the target; no fix for
    CVE-2025-52565, fixed in runc 1.2.8, 1.3.3 and 1.4.0-rc.3)."""
    def mutate(c):
        without_dev_mount(c)
    bundle = bundle_for(CONSOLE_SCRIPT, mutate)
    target = rootfs(bundle, "etc", "console-target")
    with open(target, "w") as f:
        f.write(f"TARGET-{TOKEN}\n")
    replace_with_symlink(rootfs(bundle, "dev", "console"), "/etc/console-target")
    rc, err, out = run_with_a_terminal(bundle)
    check_eq(read_text(target), f"TARGET-{TOKEN}\n", "/etc/console-target")
    if rc == 0:
        points = [line.split()[4] for line in out.splitlines() if len(line.split()) > 4 and " - " in line]
        check("/etc/console-target" not in points, f"the pty was mounted on the symlink's target: {out!r}")
        check("console=character special file" in out, f"/dev/console is not the pty itself: {out!r}")


def read_pty(master, timeout=20):
    out = b""
    deadline = time.time() + timeout
    while master is not None and time.time() < deadline and b"done" not in out:
        if select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out.decode(errors="replace")


# ---- CVE-2025-52881: the runtime's procfs writes redirected ---------------------------

def redirected_write(destination, mutate, prepare=None):
    """A host canary file bound onto `destination` (under /proc, or a symlink
    there that `prepare(bundle)` makes) in a config that makes the runtime
    write there; blocked: the runtime refuses the mount, or its write does
    not land in the canary (which keeps its content, and no mount is left on
    the host)."""
    d = tempdir("nucleus-canary-")
    target = os.path.join(d, "canary")
    with open(target, "w") as f:
        f.write(f"CANARY-{TOKEN}\n")

    def m(c):
        c["mounts"].append(mount(destination, "bind", target, ["bind"]))
        mutate(c)
    before = mounts_at_or_below(d)
    rc, out, err, _ = in_container_rc(f"cat {destination}", m, prepare)
    check_eq(read_text(target), f"CANARY-{TOKEN}\n",
             f"the canary bound on {destination} (run exit {rc}, stderr {error_messages(err)!r})")
    check_eq(mounts_at_or_below(d), before, "mounts on the canary's dir")


@test
def sysctl_write_through_a_bind_over_proc_sys_kernel():
    """CVE-2025-52881: a bind of a host file onto /proc/sys/kernel/domainname
    and linux.sysctl kernel.domainname, so that the runtime's sysctl write
    lands in the host file. Blocked: the canary keeps its content."""
    redirected_write("/proc/sys/kernel/domainname",
                     lambda c: c["linux"].__setitem__("sysctl", {"kernel.domainname": f"PWNED-{TOKEN}"}))


@test
def sysctl_write_through_a_bind_over_proc_sys_net():
    """CVE-2025-52881: a bind of a host file onto /proc/sys/net/ipv4/ip_forward
    and linux.sysctl net.ipv4.ip_forward=1 (the container's own network
    namespace). Blocked: the canary keeps its content."""
    redirected_write("/proc/sys/net/ipv4/ip_forward",
                     lambda c: c["linux"].__setitem__("sysctl", {"net.ipv4.ip_forward": "1"}))


@test
def sysctl_write_through_a_bind_via_a_symlink_to_proc_sys():
    """CVE-2025-52881 through a symlink: the bind's destination is /evil, which
    the rootfs makes a symlink to /proc/sys/kernel/domainname, and
    linux.sysctl writes kernel.domainname (a runtime that checks the literal
    destination, not the resolved one, lets the bind onto procfs). Blocked:
    the canary keeps its content."""
    redirected_write("/evil",
                     lambda c: c["linux"].__setitem__("sysctl", {"kernel.domainname": f"PWNED-{TOKEN}"}),
                     lambda bundle: os.symlink("/proc/sys/kernel/domainname", rootfs(bundle, "evil")))


@test
def oom_score_adj_write_through_a_bind_over_proc_self():
    """CVE-2025-52881: a bind of a host file onto /proc/self/oom_score_adj
    (resolved in the container's procfs) and process.oomScoreAdj, so that the
    runtime's write lands in the host file. Blocked: the canary keeps its
    content."""
    redirected_write("/proc/self/oom_score_adj", lambda c: c["process"].__setitem__("oomScoreAdj", 123))


# ---- CVE-2022-29162: inheritable capabilities ----------------------------------------

def no_inheritable(c):
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    c["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}


def cap_sets(status_text):
    return {line.split(":")[0]: int(line.split()[1], 16) for line in status_text.splitlines()
            if line.startswith("Cap")}


def with_inheritable_caps(argv):
    """argv run with inheritable capabilities of its own, which a runtime that
    passes them on would hand to the container."""
    if not shutil.which("setpriv"):
        skip("no setpriv (util-linux) to give the runtime inheritable capabilities")
    return ["setpriv", "--inh-caps", "+net_raw,+sys_admin,+dac_override", "--", *argv]


@test
def no_inheritable_capabilities_in_the_container_process():
    """CVE-2022-29162: a config that asks for no inheritable (and no ambient)
    capabilities, run by a runtime that itself has inheritable ones. Blocked:
    CapInh and CapAmb of the container process are 0."""
    bundle = make_bundle(no_inheritable, args=["cat", "/proc/self/status"])
    p = subprocess.run(with_inheritable_caps([NUCLEUS, "--root", state_root(), "run", "--bundle", bundle,
                                              new_id("capinh")]), capture_output=True, text=True)
    check_eq(p.returncode, 0, f"run exit code ({p.stderr!r})")
    caps = cap_sets(p.stdout)
    check_eq((hex(caps["CapInh"]), hex(caps["CapAmb"])), ("0x0", "0x0"), "CapInh, CapAmb of the container process")


@test
def no_inheritable_capabilities_in_exec_as_a_user():
    """CVE-2022-29162: `exec` as root, as a non-root user, and with `--cap`,
    by a runtime that itself has inheritable capabilities, into a container
    whose config asks for none. Blocked: CapInh (and CapAmb) are 0 in each."""
    bundle = make_bundle(no_inheritable, args=["sleep", "100000"])
    with Container(bundle) as c:
        for flags in ([], ["-u", "1000:1000"], ["--cap", "CAP_NET_ADMIN"], ["-u", "1000", "--cap", "CAP_NET_ADMIN"]):
            p = subprocess.run(with_inheritable_caps(c.argv("exec", *flags, c.id, "cat", "/proc/self/status")),
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
            check_eq(p.returncode, 0, f"exec {flags} exit code ({p.stderr!r})")
            caps = cap_sets(p.stdout)
            check_eq((hex(caps["CapInh"]), hex(caps["CapAmb"])), ("0x0", "0x0"), f"CapInh, CapAmb of exec {flags}")


# ---- CVE-2019-16884, CVE-2019-19921: a volume over /proc -----------------------------

FAKE_PROC_FILES = ("self/attr/current", "self/attr/exec", "self/attr/apparmor/exec", "self/oom_score_adj",
                   "sys/kernel/domainname", "sys/net/ipv4/ip_forward")


def fake_proc():
    """A host dir shaped like /proc, each file holding FAKE."""
    d = tempdir("nucleus-fakeproc-")
    os.chmod(d, 0o755)
    for name in FAKE_PROC_FILES:
        os.makedirs(os.path.join(d, os.path.dirname(name)), exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            f.write("FAKE\n")
    return d


def volume_over_proc(destination, prepare=None):
    """Blocked: the run fails, or the container's /proc is procfs; no write
    of the runtime (sysctl, oom_score_adj) lands in the fake dir."""
    fake = fake_proc()
    before = files_of(fake)

    def mutate(c):
        c["mounts"].append(mount(destination, "bind", fake, ["rbind"]))
        c["linux"]["sysctl"] = {"kernel.domainname": f"PWNED-{TOKEN}"}
        c["process"]["oomScoreAdj"] = 123
    rc, out, err, _ = in_container_rc("stat -f -c 'procfs=%T' /proc; ls /proc/self/attr", mutate, prepare)
    check_eq(files_of(fake), before, f"the fake /proc (run exit {rc}, stderr {error_messages(err)!r})")
    if rc == 0:
        check("procfs=proc" in out, f"the container's /proc is not procfs: {out!r}")


@test
def volume_over_proc_is_refused_or_harmless():
    """CVE-2019-16884: a bind of a host dir with fake self/attr/... (and
    sys/...) files onto /proc, so that the runtime's LSM label and procfs
    writes land in the fake files. Blocked: the run fails or the
    container's /proc is procfs; the fake files are unchanged."""
    volume_over_proc("/proc")


@test
def volume_through_a_symlink_to_proc_is_refused_or_harmless():
    """CVE-2019-19921: the same fake /proc bound at /evil, which the rootfs
    makes a symlink to /proc. Blocked as for a volume over /proc."""
    volume_over_proc("/evil", lambda bundle: os.symlink("/proc", rootfs(bundle, "evil")))


# ---- device nodes ---------------------------------------------------------------------

ENGINE_DEVICES = [{"allow": False, "access": "rwm"}] + [
    {"allow": True, "type": t, "access": "m"} for t in ("c", "b")] + [
    {"allow": True, "type": "c", "major": major, "minor": minor, "access": "rwm"}
    for major, minor in ((1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2), (10, 200))] + [
    {"allow": True, "type": "c", "major": 136, "access": "rwm"}]


@test
def mknod_of_host_devices_cannot_be_opened():
    """Device nodes: with CAP_MKNOD and the deny-all devices list that
    engines send (mknod of any node allowed, rwm only for the default
    devices), the container makes nodes for the host's /dev/kmsg (c 1:11)
    and /dev/mem (c 1:1) and opens them: kmsg write-only (which needs no
    CAP_SYSLOG, so only the device list can refuse it), mem for reading.
    Blocked: both opens fail with EPERM from the device list (an open that
    reaches the driver fails otherwise, e.g. ENXIO where the kernel has no
    /dev/mem), while a node made for /dev/null (c 1:3, allowed) opens, so
    the failures are the device list's and not a nodev mount's."""
    def mutate(c):
        for kind in ("bounding", "effective", "permitted"):
            c["process"]["capabilities"][kind].append("CAP_MKNOD")
        c["linux"].setdefault("resources", {})["devices"] = ENGINE_DEVICES
    script = ("mknod /dev/xnull c 1 3 && mknod /dev/xkmsg c 1 11 && mknod /dev/xmem c 1 1 && echo made; "
              "(exec 3< /dev/xnull && echo OPENED-null) 2>&1; "
              "(exec 3> /dev/xkmsg && echo OPENED-kmsg) 2>&1; "
              "(exec 3< /dev/xmem && echo OPENED-mem) 2>&1; true")
    rc, out, err, _ = in_container_rc(script, mutate)
    check_eq(rc, 0, f"run exit code ({error_messages(err)!r}, stdout {out!r})")
    lines = out.splitlines()
    check_eq(lines[:2], ["made", "OPENED-null"], "mknod of the three nodes and the open of the allowed one")
    for name, line in zip(("kmsg", "mem"), lines[2:] + ["", ""]):
        check(f"/dev/x{name}" in line and "Operation not permitted" in line,
              f"the open of /dev/{name} did not fail with EPERM: {lines[2:]!r}")

main()
