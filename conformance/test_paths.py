#!/usr/bin/env python3
"""Paths and devices (issue 4): masked and read-only paths, linux.devices and
the default /dev, linux.sysctl (accepted and refused before anything is made),
linux.personality, and rootfs that try to lead nucleus out of the rootfs with
symlinks (a symlinked /proc or /dev, a masked path or a device path through a
symlink). Every case runs a real busybox container and checks from inside;
the hostile ones also check host canaries. Needs root."""
import os
import platform
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, cgroup_dirs, check, check_eq, check_in, error_messages, main,  # noqa: E402
                     make_bundle, new_id, own_rootfs, processes_mentioning, replace_with_symlink,
                     run, skip, state_root, tempdir, test, userns, without_dev_mount)


# ---- helpers --------------------------------------------------------------------

def rootfs(bundle, *parts):
    return os.path.join(bundle, "rootfs", *parts)


def bundle_for(script, mutate=None, prepare=None):
    """A bundle running `sh -c script` with a writable root; `mutate(config)`
    edits the config, `prepare(bundle)` the rootfs."""
    def m(c):
        c["root"]["readonly"] = False
        if mutate:
            mutate(c)
    bundle = make_bundle(m, args=["sh", "-c", script])
    if prepare:
        prepare(bundle)
    return bundle


def run_ok(bundle, prefix="paths"):
    rc, out, err = run(["run", "--bundle", bundle, new_id(prefix)])
    check_eq(rc, 0, f"run exit code (stderr {error_messages(err)!r}, stdout {out!r})")
    return out.splitlines()


def create_with_files(bundle, cid):
    """create with stdio on files: should it wrongly succeed, the created
    container holds its stdio open, and pipes would never reach EOF."""
    d = tempdir()
    with open(os.path.join(d, "out"), "w+") as out, open(os.path.join(d, "err"), "w+") as err:
        p = subprocess.run([NUCLEUS, "--root", state_root(), "create", "--bundle", bundle, cid],
                           stdin=subprocess.DEVNULL, stdout=out, stderr=err, timeout=60)
        err.seek(0)
        return p.returncode, err.read()


def refused(bundle, message, prefix="refused"):
    """create fails with exit 1 and `message`, and leaves nothing behind."""
    cid = new_id(prefix)
    rc, err = create_with_files(bundle, cid)
    check_eq(rc, 1, f"create exit code ({err!r})")
    check_in(message, error_messages(err), "create error")
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left behind")
    check_eq(cgroup_dirs(cid), [], "cgroup dirs left behind")
    check_eq(processes_mentioning(cid), [], "processes left behind")
    return error_messages(err)


def host_mount_points():
    with open("/proc/self/mountinfo") as f:
        return {line.split()[4] for line in f}


class Canary:
    """A host directory (named like a path the rootfs will point at) holding one
    file; checks that nothing in it changed and nothing is mounted on it."""

    def __init__(self):
        self.dir = tempdir("nucleus-canary-")
        self.file = os.path.join(self.dir, "canary")
        with open(self.file, "w") as f:
            f.write("host canary\n")

    def untouched(self):
        check_eq(sorted(os.listdir(self.dir)), ["canary"], f"host canary dir {self.dir}")
        st = os.lstat(self.file)
        check(stat.S_ISREG(st.st_mode), "host canary is still a regular file")
        with open(self.file) as f:
            check_eq(f.read(), "host canary\n", "host canary content")
        inside = {p for p in host_mount_points() if p == self.dir or p.startswith(self.dir + "/")}
        check_eq(inside, set(), "mounts on the host canary")






def drop_namespace(c, kind):
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != kind]
    if kind == "uts":
        c.pop("hostname", None)
        c.pop("domainname", None)


def with_sysctl(sysctl, drop=()):
    def mutate(c):
        for kind in drop:
            drop_namespace(c, kind)
        c["linux"]["sysctl"] = sysctl
    return mutate


def mountinfo_line(lines, point):
    found = [l for l in lines if len(l.split()) > 4 and l.split()[4] == point]
    check(found, f"no mount at {point} in {lines!r}")
    return found[-1]


def fields(line):
    """(mount options, super options) of a mountinfo line."""
    parts = line.split()
    return set(parts[5].split(",")), set(parts[parts.index("-") + 3].split(","))


# ---- masked paths ----------------------------------------------------------------

def secret_files(bundle):
    with open(rootfs(bundle, "etc", "secret"), "w") as f:
        f.write("secret\n")
    os.makedirs(rootfs(bundle, "etc", "secretdir"))
    with open(rootfs(bundle, "etc", "secretdir", "inside"), "w") as f:
        f.write("secret\n")


@test
def masked_file_reads_empty_and_is_the_null_device():
    def mutate(c):
        c["linux"]["maskedPaths"] = ["/etc/secret", "/proc/keys"]
    out = run_ok(bundle_for("wc -c < /etc/secret; stat -c '%F %t:%T' /etc/secret; wc -c < /proc/keys; "
                            "echo x > /etc/secret && wc -c < /etc/secret",
                            mutate, secret_files))
    check_eq(out, ["0", "character special file 1:3", "0", "0"], "masked files")


@test
def masked_directory_is_an_empty_read_only_tmpfs():
    def mutate(c):
        c["linux"]["maskedPaths"] = ["/etc/secretdir"]
    out = run_ok(bundle_for("ls -A /etc/secretdir | wc -l; touch /etc/secretdir/new 2>&1; "
                            "cat /proc/self/mountinfo", mutate, secret_files))
    check_eq(out[0], "0", "entries in the masked directory")
    check_in("Read-only file system", out[1], "touch in the masked directory")
    line = mountinfo_line(out[2:], "/etc/secretdir")
    opts, _ = fields(line)
    check_in("ro", opts, "mount options of the masked directory")
    check_in(" - tmpfs ", line, "filesystem of the masked directory")


@test
def missing_masked_and_readonly_paths_are_skipped():
    def mutate(c):
        c["linux"]["maskedPaths"] = ["/no/such/file", "/proc/no-such-entry", "/etc/secret"]
        c["linux"]["readonlyPaths"] = ["/no/such/dir", "/proc/no-such-dir"]
    out = run_ok(bundle_for("wc -c < /etc/secret", mutate, secret_files))
    check_eq(out, ["0"], "the present masked path is still masked")


@test
def masked_symlink_is_followed_inside_the_container():
    """As runc and crun: the symlink's target inside the container is masked."""
    def prepare(bundle):
        secret_files(bundle)
        os.symlink("/etc/secret", rootfs(bundle, "etc", "link-abs"))
        os.symlink("../../../../../etc/secretdir", rootfs(bundle, "etc", "link-dots"))
        os.symlink("/no/such/target", rootfs(bundle, "etc", "link-dangling"))

    def mutate(c):
        c["linux"]["maskedPaths"] = ["/etc/link-abs", "/etc/link-dots", "/etc/link-dangling"]
    out = run_ok(bundle_for("wc -c < /etc/secret; ls -A /etc/secretdir | wc -l", mutate, prepare))
    check_eq(out, ["0", "0"], "targets of the masked symlinks")


@test
def masking_refuses_a_dev_null_that_is_not_the_null_device():
    """A rootfs whose /dev/null is a symlink (here to a file it wants exposed)
    must not get that file bound over the masked paths."""
    def prepare(bundle):
        secret_files(bundle)
        with open(rootfs(bundle, "etc", "exposed"), "w") as f:
            f.write("exposed\n")
        replace_with_symlink(rootfs(bundle, "dev", "null"), "/etc/exposed")

    def mutate(c):
        without_dev_mount(c)
        c["linux"]["maskedPaths"] = ["/etc/secret"]
    bundle = bundle_for("cat /etc/secret", mutate, prepare)
    refused(bundle, "/dev/null in the container is not the null device", "nullsym")


# ---- read-only paths ----------------------------------------------------------------

@test
def readonly_path_is_read_only_recursively_and_keeps_its_flags():
    def prepare(bundle):
        os.makedirs(rootfs(bundle, "data", "sub"))

    def mutate(c):
        c["mounts"].append({"destination": "/data/sub", "type": "tmpfs", "source": "tmpfs",
                            "options": ["nosuid", "nodev", "noexec"]})
        c["linux"]["readonlyPaths"] = ["/data", "/proc/sys"]
    out = run_ok(bundle_for("touch /data/x 2>&1; touch /data/sub/x 2>&1; "
                            "{ echo 1 > /proc/sys/kernel/ns_last_pid; } 2>&1; echo end; cat /proc/self/mountinfo",
                            mutate, prepare))
    end = out.index("end")
    check_eq(len([l for l in out[:end] if "Read-only file system" in l]), 3,
             f"EROFS for /data, /data/sub and /proc/sys: {out[:end]!r}")
    opts, _ = fields(mountinfo_line(out[end + 1:], "/data/sub"))
    for flag in ("ro", "nosuid", "nodev", "noexec"):
        check_in(flag, opts, "flags of the tmpfs below the read-only path")


# ---- devices --------------------------------------------------------------------------

@test
def devices_have_their_type_numbers_mode_and_owner():
    devices = [
        {"type": "c", "path": "/dev/mychar", "major": 1, "minor": 7, "fileMode": 0o640, "uid": 5, "gid": 6},
        {"type": "b", "path": "/dev/myblock", "major": 7, "minor": 200, "fileMode": 0o600},
        {"type": "u", "path": "/dev/sub/myunbuf", "major": 1, "minor": 8, "fileMode": 0o666},
        {"type": "p", "path": "/dev/myfifo", "fileMode": 0o620, "uid": 7, "gid": 8},
        {"type": "c", "path": "/dev/nomode", "major": 1, "minor": 9},
        # As runc: a config device replaces the default of the same path (not
        # /dev/null: the masked paths need the real one)...
        {"type": "c", "path": "/dev/full", "major": 1, "minor": 5, "fileMode": 0o600, "uid": 5, "gid": 6},
        # ... and a path outside /dev is made too (inside the rootfs).
        {"type": "c", "path": "/run/outside", "major": 1, "minor": 3, "fileMode": 0o644},
    ]

    def mutate(c):
        c["linux"]["devices"] = devices
    paths = " ".join(d["path"] for d in devices)
    old = os.umask(0o077)  # the modes must not depend on the runtime's umask
    try:
        out = run_ok(bundle_for(f"stat -c '%n %f %t:%T %u:%g' {paths}", mutate))
    finally:
        os.umask(old)
    check_eq(out, ["/dev/mychar 21a0 1:7 5:6", "/dev/myblock 6180 7:c8 0:0", "/dev/sub/myunbuf 21b6 1:8 0:0",
                   "/dev/myfifo 1190 0:0 7:8", "/dev/nomode 21b6 1:9 0:0", "/dev/full 2180 1:5 5:6",
                   "/run/outside 21a4 1:3 0:0"], "devices")


@test
def default_devices_symlinks_and_devpts():
    script = ("for d in null zero full random urandom tty; do stat -c '%n %f %t:%T %u:%g' /dev/$d; done; "
              "for l in fd stdin stdout stderr ptmx core; do echo \"$l $(readlink /dev/$l)\"; done; "
              "stat -c '%n %F %t:%T' /dev/pts/ptmx; grep ' /dev/pts ' /proc/self/mountinfo")
    out = run_ok(bundle_for(script))
    check_eq(out[:6], ["/dev/null 21b6 1:3 0:0", "/dev/zero 21b6 1:5 0:0", "/dev/full 21b6 1:7 0:0",
                       "/dev/random 21b6 1:8 0:0", "/dev/urandom 21b6 1:9 0:0", "/dev/tty 21b6 5:0 0:0"],
             "default devices")
    core = "core /proc/kcore" if os.path.exists("/proc/kcore") else "core "
    check_eq(out[6:12], ["fd /proc/self/fd", "stdin /proc/self/fd/0", "stdout /proc/self/fd/1",
                         "stderr /proc/self/fd/2", "ptmx pts/ptmx", core], "symlinks")
    check_eq(out[12], "/dev/pts/ptmx character special file 5:2", "devpts ptmx")
    check_in(" - devpts ", out[13], "/dev/pts mount")


@test
def devices_in_a_user_namespace_are_bound_from_the_host():
    if not os.path.exists("/dev/net/tun"):
        skip("the host has no /dev/net/tun")

    def mutate(c):
        userns(c)
        c["linux"]["devices"] = [
            {"type": "c", "path": "/dev/net/tun", "major": 10, "minor": 200, "fileMode": 0o600},
            {"type": "p", "path": "/dev/myfifo", "fileMode": 0o600, "uid": 0, "gid": 0},
        ]
    script = ("stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/tty /dev/net/tun; stat -c '%n %F %u' /dev/myfifo; "
              "echo hi > /dev/null && echo null-works; head -c 4 /dev/zero | wc -c; cat /proc/self/mountinfo")
    bundle = bundle_for(script, mutate)
    own_rootfs(bundle)
    out = run_ok(bundle, "userdev")
    check_eq(out[:7], ["/dev/null character special file 1:3", "/dev/zero character special file 1:5",
                       "/dev/tty character special file 5:0", "/dev/net/tun character special file a:c8",
                       "/dev/myfifo fifo 0", "null-works", "4"], "devices in the user namespace")
    # Bound, not made: each is a mount of the host's devtmpfs node.
    for dev in ("/dev/null", "/dev/zero", "/dev/tty", "/dev/net/tun"):
        root = mountinfo_line(out[7:], dev).split()[3]
        check_eq(root, dev[4:], f"mount root of {dev}")


# ---- sysctl --------------------------------------------------------------------------

def read_host(path):
    with open(path) as f:
        return f.read().strip()


@test
def sysctls_in_the_containers_namespaces_are_applied():
    host_shmmax = read_host("/proc/sys/kernel/shmmax")
    sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789", "fs.mqueue.msg_max": "17",
              "kernel.domainname": "sysctl.test", "net/ipv4/conf/all/accept_redirects": "0"}
    script = ("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max "
              "/proc/sys/kernel/domainname /proc/sys/net/ipv4/conf/all/accept_redirects")
    out = run_ok(bundle_for(script, with_sysctl(sysctl)), "sysctl")
    check_eq(out, ["1", "123456789", "17", "sysctl.test", "0"], "sysctls inside")
    check_eq(read_host("/proc/sys/kernel/shmmax"), host_shmmax, "host kernel.shmmax")


@test
def sysctls_outside_the_containers_namespaces_are_refused():
    cases = [
        ({"net.ipv4.ip_forward": "1"}, ("network",),
         'sysctl "net.ipv4.ip_forward" not allowed in host network namespace'),
        ({"kernel.shmmax": "1"}, ("ipc",), 'sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace'),
        ({"fs.mqueue.msg_max": "12"}, ("ipc",),
         'sysctl "fs.mqueue.msg_max" is not allowed in the hosts ipc namespace'),
        ({"kernel/shmmni": "1"}, ("ipc",), 'sysctl "kernel.shmmni" is not allowed in the hosts ipc namespace'),
        ({"kernel.domainname": "x"}, ("uts",), 'sysctl "kernel.domainname" is not in a separate kernel namespace'),
        ({"kernel.hostname": "x"}, (),
         'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field'),
        ({"kernel.foo": "1"}, (), 'sysctl "kernel.foo" is not in a separate kernel namespace'),
        ({"vm.swappiness": "1"}, (), 'sysctl "vm.swappiness" is not in a separate kernel namespace'),
        ({"net/../kernel/core_pattern": "|/bin/false"}, (),
         'sysctl "net/../kernel/core_pattern" is not a valid sysctl name'),
    ]
    for sysctl, drop, message in cases:
        refused(bundle_for("true", with_sysctl(sysctl, drop)), message, "sysctl")


@test
def net_sysctl_in_a_joined_host_network_namespace_is_refused():
    def mutate(c):
        drop_namespace(c, "network")
        c["linux"]["namespaces"].append({"type": "network", "path": "/proc/self/ns/net"})
        c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    refused(bundle_for("true", mutate), 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace',
            "hostnet")


# ---- personality -----------------------------------------------------------------------

@test
def personality_linux32_shows_i686():
    if platform.machine() != "x86_64":
        skip(f"LINUX32 on {platform.machine()} has no fixed uname")

    def domain(name):
        return lambda c: c["linux"].__setitem__("personality", {"domain": name})
    check_eq(run_ok(bundle_for("uname -m", domain("LINUX32"))), ["i686"], "uname -m under LINUX32")
    check_eq(run_ok(bundle_for("uname -m", domain("LINUX"))), ["x86_64"], "uname -m under LINUX")


# ---- hostile rootfs ----------------------------------------------------------------------

def outcome(bundle, prefix):
    """Run; either it worked (returns the output lines) or failed with exit 1
    and a message naming what was refused (returns None)."""
    cid = new_id(prefix)
    rc, out, err = run(["run", "--bundle", bundle, cid])
    if rc == 0:
        return out.splitlines()
    check_eq(rc, 1, f"exit code (stderr {err!r})")
    check(error_messages(err).strip(), "a failure must say why")
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left behind")
    return None


@test
def proc_symlinked_to_etc_stays_inside():
    def prepare(bundle):
        replace_with_symlink(rootfs(bundle, "proc"), "/etc")
    etc_before = sorted(os.listdir("/etc"))
    out = outcome(bundle_for("cat /etc/self/comm; wc -c < /etc/keys; grep ' /etc ' /proc/self/mountinfo",
                             None, prepare), "procetc")
    if out is not None:  # proc landed on the container's /etc, and /proc/keys is masked there
        check_eq(out[:2], ["cat", "0"], "proc at the container's /etc")
        check_in(" - proc ", out[2], "proc mounted on /etc inside")
    check_eq(sorted(os.listdir("/etc")), etc_before, "host /etc")


@test
def proc_symlinked_up_and_out_is_refused():
    """/proc -> ../../<host canary dir>: refused as runc does ("must be mounted
    on ordinary directory"), whether or not the rootfs has that dir; the host's
    dir is never touched."""
    for copy_inside in (False, True):
        canary = Canary()
        name = os.path.basename(canary.dir)

        def prepare(bundle):  # rootfs is <tmp>/<bundle>/rootfs: ../../<name> is the host canary dir
            if copy_inside:
                os.makedirs(rootfs(bundle, name))
            replace_with_symlink(rootfs(bundle, "proc"), f"../../{name}")
        cid = new_id("procup")
        rc, _, err = run(["run", "--bundle", bundle_for("true", None, prepare), cid])
        canary.untouched()
        check_eq(rc, 1, f"exit code (the rootfs has /{name}: {copy_inside})")
        check_in("must be mounted on ordinary directory", error_messages(err), "runc's refusal")
        check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left behind")


@test
def dev_symlinked_to_the_hosts_dev_stays_inside():
    canary = Canary()

    def prepare(bundle):
        replace_with_symlink(rootfs(bundle, "dev"), "/dev")
    # /dev -> /dev loops inside the rootfs: a clear error, or a /dev of its own.
    out = outcome(bundle_for("stat -c '%t:%T' /dev/null", without_dev_mount, prepare), "devhost")
    if out is not None:
        check_eq(out, ["1:3"], "/dev/null inside")
    canary.untouched()


@test
def dev_symlinked_outside_stays_inside():
    """/dev -> ../../../../..<host canary dir>, with /dev a tmpfs or the rootfs's
    own, with and without a copy of that path in the rootfs."""
    for with_tmpfs in (True, False):
        for copy_inside in (False, True):
            canary = Canary()
            state = {}

            def prepare(bundle):
                state["bundle"] = bundle
                if copy_inside:
                    os.makedirs(rootfs(bundle, canary.dir.lstrip("/")))
                replace_with_symlink(rootfs(bundle, "dev"), f"../../../../../..{canary.dir}")
            out = outcome(bundle_for("stat -c '%n %t:%T' /dev/null; readlink /dev/fd",
                                     None if with_tmpfs else without_dev_mount, prepare), "devout")
            canary.untouched()
            what = f"tmpfs {with_tmpfs}, copy inside {copy_inside}"
            # The dangling link is followed inside the rootfs, which gets the
            # directory it names: /dev is made there either way.
            check(out is not None, f"run succeeded ({what})")
            check_eq(out, ["/dev/null 1:3", "/proc/self/fd"], f"/dev inside ({what})")
            check(os.path.isdir(rootfs(state["bundle"], canary.dir.lstrip("/"))),
                  f"the link's target made inside the rootfs ({what})")
            if not with_tmpfs:  # the nodes went into the rootfs's copy of the path
                made = rootfs(state["bundle"], canary.dir.lstrip("/"), "null")
                check(os.path.exists(made), f"device made at {made}")


@test
def device_path_through_a_symlink_stays_inside():
    canary = Canary()
    state = {}

    def prepare(bundle):  # the rootfs has its own copy of the host path
        state["bundle"] = bundle
        os.makedirs(rootfs(bundle, canary.dir.lstrip("/")))
        os.symlink(canary.dir, rootfs(bundle, "dev", "sub"))
        os.symlink(f"../../../../..{canary.dir}/canary", rootfs(bundle, "dev", "leaf"))

    def mutate(c):
        without_dev_mount(c)
        c["linux"]["devices"] = [
            {"type": "c", "path": "/dev/sub/mydev", "major": 1, "minor": 3, "fileMode": 0o666},
            {"type": "c", "path": "/dev/leaf", "major": 1, "minor": 5, "fileMode": 0o666},
        ]
    out = run_ok(bundle_for(f"stat -c '%n %t:%T' {canary.dir}/mydev", mutate, prepare), "devsym")
    check_eq(out, [f"{canary.dir}/mydev 1:3"], "device made at the symlink's target inside")
    check(os.path.exists(rootfs(state["bundle"], canary.dir.lstrip("/"), "mydev")), "node in the rootfs")
    canary.untouched()


@test
def masked_and_readonly_paths_symlinked_to_host_paths_stay_inside():
    canary = Canary()

    def prepare(bundle):
        inside = rootfs(bundle, canary.dir.lstrip("/"))
        os.makedirs(inside)
        with open(os.path.join(inside, "canary"), "w") as f:
            f.write("inside copy\n")
        os.makedirs(rootfs(bundle, "ro-target"))
        os.symlink(canary.file, rootfs(bundle, "etc", "mask-abs"))
        os.symlink(f"../../../../../../..{canary.dir}", rootfs(bundle, "etc", "ro-dots"))

    def mutate(c):
        c["linux"]["maskedPaths"] = ["/etc/mask-abs"]
        c["linux"]["readonlyPaths"] = ["/etc/ro-dots"]
    out = run_ok(bundle_for(f"wc -c < {canary.file}; touch {canary.dir}/new 2>&1; true", mutate, prepare),
                 "masksym")
    check_eq(out[0], "0", "the rootfs's copy is masked")
    check_in("Read-only file system", out[1], "the rootfs's copy is read-only")
    canary.untouched()


main()
