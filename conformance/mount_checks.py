"""Checking mounts from inside a container: run a script in a real busybox
container with extra mounts, parse its /proc/self/mountinfo, and check that
the host's mount table is the same afterwards. Shared by the mount suites."""
import ctypes
import os
import subprocess
import threading
import time

from harness import check, check_eq, check_in, error_messages, make_bundle, new_id, run, state_root, tempdir

EROFS = "Read-only file system"


def unescape(s):
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_mountinfo(text):
    """mountinfo lines as dicts: point, root, opts (per-mount), optional
    (shared:N, master:N, unbindable), fstype, source, super (superblock opts)."""
    mounts = []
    for line in text.splitlines():
        f = line.split(" ")
        if "-" not in f or len(f) < 10:
            continue
        dash = f.index("-")
        mounts.append({
            "point": unescape(f[4]), "root": unescape(f[3]), "opts": set(f[5].split(",")),
            "optional": f[6:dash], "fstype": f[dash + 1], "source": f[dash + 2],
            "super": set(f[dash + 3].split(",")) if len(f) > dash + 3 else set()})
    return mounts


def at(mounts, point):
    """The top mount at `point` (the last one listed)."""
    found = [m for m in mounts if m["point"] == point]
    check(found, f"no mount at {point!r} in the container: "
                 f"{sorted(m['point'] for m in mounts)}")
    return found[-1]


def section(out, name):
    """The text between `== name ==` and the next marker in a script's output."""
    start = out.index(f"== {name} ==\n") + len(name) + 7
    end = out.find("\n== ", start)
    return out[start:] if end < 0 else out[start:end + 1]


_WATCHED = ("/etc", "/proc", "/sys", "/dev", "/run", "/var", "/usr", "/root")


def host_mounts(*dirs):
    """The host's mounts that a container could leak into: those at or below
    the given dirs (bundles, sources) and the host's system trees. Other
    tests on the machine may mount elsewhere (e.g. below /tmp) meanwhile."""
    prefixes = [os.path.realpath(d) for d in dirs] + list(_WATCHED)
    with open("/proc/self/mountinfo") as f:
        lines = f.read().splitlines()
    keep = []
    for line in lines:
        point = unescape(line.split(" ")[4])
        if any(point == p or point.startswith(p + "/") for p in prefixes):
            keep.append(line)
    return sorted(keep)


def mount(destination, type_, source, options=None, **extra):
    m = {"destination": destination, "type": type_, "source": source}
    if options is not None:
        m["options"] = options
    m.update(extra)
    return m


def in_container(script, mounts=(), mutate=None, flags=(), watch=(), rc=0, writable=False):
    """Run `sh -c script` in a fresh container with `mounts` appended to the
    default ones; checks the exit code, that the container is gone and that
    the host's mount table (see host_mounts) is unchanged. Returns
    (stdout, stderr, bundle)."""
    def mutator(c):
        c["mounts"] += list(mounts)
        c["root"]["readonly"] = not writable
        if mutate:
            mutate(c)
    bundle = make_bundle(mutator, args=["sh", "-c", script])
    before = host_mounts(bundle, *watch)
    cid = new_id("mnt")
    code, out, err = run(["run", *flags, "--bundle", bundle, cid])
    check_eq(code, rc, f"run exit code (stderr {err!r}, stdout {out!r})")
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left after run")
    check_eq(host_mounts(bundle, *watch), before, "host mounts after the container is gone")
    return out, err, bundle


def fails_to_create(mounts, message, mutate=None, watch=()):
    def mutator(c):
        c["mounts"] += list(mounts)
        if mutate:
            mutate(c)
    bundle = make_bundle(mutator, args=["true"])
    before = host_mounts(bundle, *watch)
    cid = new_id("bad")
    code, _, err = run(["create", "--bundle", bundle, cid])
    check_eq(code, 1, "create exit code")
    check_in(message, error_messages(err), "create error")
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left after a failed create")
    check_eq(host_mounts(bundle, *watch), before, "host mounts after a failed create")
    return bundle


def host_dir(files=None):
    """A source dir readable by anyone, with `files` {name: (text, uid, gid)}."""
    d = tempdir("nucleus-mnt-src-")
    os.chmod(d, 0o755)
    for name, (text, uid, gid) in (files or {}).items():
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        os.chown(p, uid, gid)
        os.chmod(p, 0o644)
    return d


def host_dir_with_submount(top_file, sub_file, tmpfs_options="size=1m"):
    """host_dir holding `top_file` (name, text) and a tmpfs at sub/ holding
    `sub_file` (name, text): for the recursive bind and idmap cases."""
    src = host_dir({top_file[0]: (top_file[1], 0, 0)})
    sub = os.path.join(src, "sub")
    os.mkdir(sub)
    subprocess.run(["mount", "-t", "tmpfs", "-o", tmpfs_options, "tmpfs", sub], check=True)
    with open(os.path.join(sub, sub_file[0]), "w") as f:
        f.write(sub_file[1])
    return src


def host_tmpfs(shared=False):
    """A tmpfs mounted on the host (detached by the harness at exit)."""
    parent = tempdir("nucleus-mnt-tmpfs-")
    os.chmod(parent, 0o755)  # reachable from a user namespace too
    d = os.path.join(parent, "mnt")  # below the temp dir: the harness detaches it at exit
    os.mkdir(d)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755,size=1m", "tmpfs", d], check=True)
    if shared:
        subprocess.run(["mount", "--make-shared", d], check=True)
    return d


MOUNTINFO = "cat /proc/self/mountinfo"


# ---- a destination swapped for a symlink while mounting (CVE-2021-30465) ---------

_libc = ctypes.CDLL(None, use_errno=True)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a, b):
    """Swap two names atomically (renameat2 RENAME_EXCHANGE)."""
    if _libc.renameat2(_AT_FDCWD, a.encode(), _AT_FDCWD, b.encode(), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), a)


def mounts_at_or_below(path):
    with open("/proc/self/mountinfo") as f:
        points = [unescape(line.split(" ")[4]) for line in f]
    return [p for p in points if p == path or p.startswith(path + "/")]


def destination_swap_race(runs, seconds):
    """Up to `runs` containers in `seconds`, each binding a host dir at
    /race/dir while a thread keeps swapping that dir with a symlink to a host
    canary (renameat2 RENAME_EXCHANGE). Each run must either put the bind in
    the container or fail with a clear error; the canary must never get a
    mount or a change. The canary is a shared mount and the container's root
    rshared, so a bind that escaped onto it in the container's mount namespace
    would show on the host."""
    canary = host_tmpfs(shared=True)
    with open(os.path.join(canary, "sentinel"), "w") as f:
        f.write("canary\n")
    canary_mounts = mounts_at_or_below(canary)
    src = host_dir({"payload": ("payload\n", 0, 0)})

    def mutate(c):
        c["mounts"].append(mount("/race/dir", "bind", src, ["rbind"]))
        c["linux"]["rootfsPropagation"] = "rshared"
    bundle = make_bundle(mutate, args=["cat", "/proc/self/mountinfo"])
    race = os.path.join(bundle, "rootfs/race")
    os.makedirs(os.path.join(race, "dir"))
    os.symlink(canary, os.path.join(race, "swap"))
    stop, swaps, swap_errors = threading.Event(), [0], []

    def swapper():
        while not stop.is_set():
            try:
                exchange(os.path.join(race, "dir"), os.path.join(race, "swap"))
            except OSError as e:
                swap_errors.append(e)
                return
            swaps[0] += 1
    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    outcomes = []
    try:
        deadline = time.monotonic() + seconds
        while len(outcomes) < runs and time.monotonic() < deadline:
            cid = new_id("race")
            code, out, err = run(["run", "--bundle", bundle, cid])
            if code == 0:
                ours = [m for m in parse_mountinfo(out) if m["root"].endswith(os.path.basename(src))]
                check(ours, f"run {len(outcomes)}: the bind is not in the container: {out[-2000:]!r}")
            else:
                messages = error_messages(err)
                check("race" in messages or "rootfs" in messages,
                      f"run {len(outcomes)} failed without a clear error: {err!r}")
            outcomes.append(code)
            check_eq(mounts_at_or_below(canary), canary_mounts, f"run {len(outcomes)}: host mounts on the canary")
            check_eq(os.listdir(canary), ["sentinel"], f"run {len(outcomes)}: canary contents")
            check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left after run")
    finally:
        stop.set()
        thread.join()
    check(not swap_errors, f"swapping failed: {swap_errors}")
    check(swaps[0] > len(outcomes), f"only {swaps[0]} swaps in {len(outcomes)} runs")
    check(outcomes.count(0) > 0, f"no run succeeded: {outcomes}")
    with open(os.path.join(canary, "sentinel")) as f:
        check_eq(f.read(), "canary\n", "canary file")
    check_eq(mounts_at_or_below(canary), canary_mounts, "host mounts on the canary at the end")
    return outcomes
