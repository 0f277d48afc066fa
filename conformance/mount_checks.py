"""Checking mounts from inside a container: run a script in a real busybox
container with extra mounts, parse its /proc/self/mountinfo, and check that
the host's mount table is the same afterwards. Shared by the mount suites."""
import os
import subprocess

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
