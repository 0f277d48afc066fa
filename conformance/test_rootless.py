"""Rootless: nucleus run by a real unprivileged user that this script creates
(useradd, with its own /etc/subuid and /etc/subgid ranges; removed at exit),
on busybox bundles the user owns, through `runuser -u USER --` with
XDG_RUNTIME_DIR set, and under `podman --runtime` run by that user.

Needs root (to make the user), the uidmap package (newuidmap/newgidmap) and,
for the podman test, podman. Also passes against runc
(NUCLEUS=/usr/bin/runc), with the runc gaps skipped and said so."""
import json
import os
import pwd
import shutil
import signal
import subprocess
import time

import harness
from harness import NUCLEUS, check, check_eq, check_in, main, new_id, skip, tempdir, test

IS_RUNC = os.path.basename(NUCLEUS).startswith("runc")
STATE_DIR_NAME = "runc" if IS_RUNC else "nucleus"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SUBID_COUNT = 65536


# ---- the user -------------------------------------------------------------------

def _free_subid_start():
    """A subordinate id range no entry of /etc/subuid or /etc/subgid overlaps."""
    end = 100000
    for name in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(name) as f:
                for line in f:
                    parts = line.strip().split(":")
                    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                        end = max(end, int(parts[1]) + int(parts[2]))
        except FileNotFoundError:
            pass
    return end + SUBID_COUNT


class User:
    """A fresh user with a home, subordinate ids and a runtime dir."""

    def __init__(self):
        if os.geteuid() != 0:
            raise SystemExit("test_rootless.py must run as root (it creates a user)")
        self.name = f"nrl{os.getpid() % 100000}"
        self.home = os.path.join(tempdir("nucleus-rootless-home-"), self.name)
        self.subid = _free_subid_start()
        subprocess.run(["useradd", "--create-home", "--home-dir", self.home, "--shell", "/bin/sh",
                        "--key", "SUB_UID_COUNT=0", "--key", "SUB_GID_COUNT=0", self.name],
                       check=True, capture_output=True)
        self.made = True
        last = self.subid + SUBID_COUNT - 1
        subprocess.run(["usermod", "--add-subuids", f"{self.subid}-{last}",
                        "--add-subgids", f"{self.subid}-{last}", self.name], check=True, capture_output=True)
        entry = pwd.getpwnam(self.name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        os.chmod(os.path.dirname(self.home), 0o755)
        self.runtime_dir = tempdir("nucleus-rootless-xdg-")
        os.chown(self.runtime_dir, self.uid, self.gid)
        os.chmod(self.runtime_dir, 0o700)

    def env(self, path=PATH):
        return ["env", "-i", f"PATH={path}", f"HOME={self.home}", f"USER={self.name}",
                f"LOGNAME={self.name}", f"XDG_RUNTIME_DIR={self.runtime_dir}"]

    def run(self, argv, path=PATH, timeout=60, input=None):
        """argv as the user (stdin /dev/null unless input); (rc, stdout, stderr)."""
        p = subprocess.run(["runuser", "-u", self.name, "--", *self.env(path), *map(str, argv)],
                           capture_output=True, text=True, errors="replace", timeout=timeout,
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    def runtime(self, args, **kw):
        return self.run([NUCLEUS, *args], **kw)

    def runtime_detached(self, args, timeout=60, prefix=()):
        """A created or detached container keeps the caller's stdio: files, not
        pipes. prefix: a command that runs runuser (as root)."""
        d = tempdir("nucleus-rootless-out-")
        with open(os.path.join(d, "out"), "w+") as out, open(os.path.join(d, "err"), "w+") as err:
            p = subprocess.run([*prefix, "runuser", "-u", self.name, "--", *self.env(), NUCLEUS, *map(str, args)],
                               stdin=subprocess.DEVNULL, stdout=out, stderr=err, timeout=timeout)
            out.seek(0)
            err.seek(0)
            return p.returncode, out.read(), err.read()

    def state_root(self):
        return os.path.join(self.runtime_dir, STATE_DIR_NAME)

    def cleanup(self):
        if os.path.isdir(self.state_root()):
            for cid in os.listdir(self.state_root()):
                self.runtime(["delete", "--force", cid], timeout=30)
        self._stop_podman()
        harness.reap_orphans()
        subprocess.run(["userdel", "--force", self.name], capture_output=True)
        for name in ("/etc/subuid", "/etc/subgid"):  # userdel leaves them on some setups
            try:
                with open(name) as f:
                    lines = f.readlines()
                kept = [line for line in lines if not line.startswith(f"{self.name}:")]
                if kept != lines:
                    with open(name, "w") as f:
                        f.writelines(kept)
            except FileNotFoundError:
                pass

    def _stop_podman(self):
        """podman's rootless pause process (the holder of its user namespace)."""
        pid_file = os.path.join(self.runtime_dir, "libpod", "tmp", "pause.pid")
        try:
            with open(pid_file) as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass


USER = User()


def bundle(args=("true",), mutate=None):
    """A busybox bundle owned by the user, with the config `spec --rootless`
    writes when the user runs it (its own uid and gid mapped to root)."""
    b = tempdir("nucleus-rootless-bundle-")
    shutil.copytree(harness.cached_rootfs(), os.path.join(b, "rootfs"), symlinks=True)
    subprocess.run(["chown", "-R", f"{USER.uid}:{USER.gid}", b], check=True)
    rc, _, err = USER.runtime(["spec", "--rootless", "--bundle", b])
    check_eq(rc, 0, f"spec --rootless as the user ({err!r})")
    config = harness.load_config(b)
    config["process"]["terminal"] = False
    config["process"]["args"] = list(args)
    if mutate:
        config = mutate(config) or config
    harness.save_config(b, config)
    os.chown(harness.config_path(b), USER.uid, USER.gid)
    return b


def multi_id_maps(config, uid=None):
    maps = [{"containerID": 0, "hostID": USER.uid, "size": 1},
            {"containerID": 1, "hostID": USER.subid, "size": SUBID_COUNT}]
    config["linux"]["uidMappings"] = maps
    config["linux"]["gidMappings"] = [dict(m, hostID=USER.gid if m["containerID"] == 0 else m["hostID"])
                                      for m in maps]
    if uid is not None:
        config["process"]["user"] = {"uid": uid, "gid": uid}


def left_nothing(cid):
    check(not os.path.exists(os.path.join(USER.state_root(), cid)),
          f"state dir of {cid} left under {USER.state_root()}")
    check_eq(harness.cgroup_dirs(cid), [], f"cgroup dirs of {cid}")


def run_refused(mutate, message, *global_flags, cid=None):
    """`run` of a bundle changed by mutate fails (exit 1) with message; (id, stderr)."""
    cid = cid or new_id("rl")
    rc, _, err = USER.runtime([*global_flags, "run", "--bundle", bundle(mutate=mutate), cid])
    check_eq(rc, 1, "exit code")
    check_in(message, err, "error")
    return cid, err


def host_ids(pid):
    """(uid, gid) of pid as the host sees them."""
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["Uid"].split()[0]), int(fields["Gid"].split()[0])


# ---- the tests ------------------------------------------------------------------

@test
def run_with_a_single_id_map():
    b = bundle(["sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/setgroups; exit 3"])
    rc, out, err = USER.runtime(["run", "--bundle", b, new_id("rl")])
    check_eq(rc, 3, f"run exit code ({err!r})")
    lines = out.split("\n")
    check_eq(lines[0], "0", "uid inside")
    check_eq(lines[1].split(), ["0", str(USER.uid), "1"], "uid_map")
    check_eq(lines[2], "deny", "setgroups (the kernel requires deny for a user's own gid map)")


def user_sleeper(*verb):
    """A `sleep 30` container of the test user, made by `verb` (create, or
    run --detach); its id."""
    cid = new_id("rl")
    rc, _, err = USER.runtime_detached([*verb, "--bundle", bundle(["sleep", "30"]), cid])
    check_eq(rc, 0, f"{' '.join(verb)} ({err!r})")
    return cid


@test
def state_root_is_under_xdg_runtime_dir():
    cid = user_sleeper("create")
    d = os.path.join(USER.state_root(), cid)
    check(os.path.isdir(d), f"{d} exists")
    st = os.stat(USER.state_root())
    check_eq(st.st_uid, USER.uid, "owner of the state root")
    check(st.st_mode & 0o1000, f"the state root is sticky ({oct(st.st_mode)})")
    check(not os.path.exists(os.path.join("/run", STATE_DIR_NAME, cid)), "nothing under /run")
    rc, out, err = USER.runtime(["list", "--format", "json"])
    check_eq(rc, 0, f"list ({err!r})")
    owners = {c["id"]: c["owner"] for c in json.loads(out) or []}
    check_eq(owners.get(cid), USER.name, "list owner")
    USER.runtime(["delete", "--force", cid])
    left_nothing(cid)


@test
def lifecycle_create_start_state_kill_delete():
    cid = user_sleeper("create")
    rc, out, err = USER.runtime(["state", cid])
    check_eq(rc, 0, f"state ({err!r})")
    s = json.loads(out)
    check_eq(s["status"], "created", "status after create")
    check_eq(host_ids(s["pid"]), (USER.uid, USER.gid), "the init's host ids")
    rc, _, err = USER.runtime(["start", cid])
    check_eq(rc, 0, f"start ({err!r})")
    check_eq(json.loads(USER.runtime(["state", cid])[1])["status"], "running", "status after start")
    rc, _, err = USER.runtime(["kill", cid, "KILL"])
    check_eq(rc, 0, f"kill ({err!r})")
    harness.wait_for(lambda: (harness.reap_orphans() or True)
                     and json.loads(USER.runtime(["state", cid])[1])["status"] == "stopped",
                     what="stopped")
    rc, _, err = USER.runtime(["delete", cid])
    check_eq(rc, 0, f"delete ({err!r})")
    left_nothing(cid)


@test
def exec_joins_the_container():
    cid = user_sleeper("run", "--detach")
    rc, out, err = USER.runtime(["exec", cid, "sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/1/cmdline"])
    check_eq(rc, 0, f"exec ({err!r})")
    lines = out.split("\n")
    check_eq(lines[0], "0", "uid inside")
    check_eq(lines[1].split(), ["0", str(USER.uid), "1"], "uid_map (the container's user namespace)")
    check_in("sleep", lines[2], "pid 1 is the container's init (its pid namespace)")
    rc, _, err = USER.runtime(["exec", cid, "sh", "-c", "exit 7"])
    check_eq(rc, 7, f"exec exit code ({err!r})")
    USER.runtime(["delete", "--force", cid])
    left_nothing(cid)


@test
def multi_id_map_through_newuidmap():
    if not shutil.which("newuidmap") or not shutil.which("newgidmap"):
        raise harness.Failure("newuidmap/newgidmap missing: install uidmap (tools/deps)")
    cid = new_id("rl")
    b = bundle(["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; sleep 30"],
               mutate=lambda c: multi_id_maps(c, uid=1000))
    rc, _, err = USER.runtime_detached(["run", "--detach", "--bundle", b, cid])
    check_eq(rc, 0, f"run -d ({err!r})")
    pid = json.loads(USER.runtime(["state", cid])[1])["pid"]
    check_eq(host_ids(pid), (USER.subid + 999, USER.subid + 999), "host ids of container uid/gid 1000")
    with open(f"/proc/{pid}/uid_map") as f:
        check_eq([line.split() for line in f],
                 [["0", str(USER.uid), "1"], ["1", str(USER.subid), str(SUBID_COUNT)]], "uid_map")
    with open(f"/proc/{pid}/setgroups") as f:
        check_eq(f.read().strip(), "allow", "setgroups (newgidmap leaves it allowed)")
    with open(f"/proc/{pid}/status") as f:
        groups = [line.split()[1:] for line in f if line.startswith("Groups:")][0]
    check_eq(groups, [str(USER.gid)], "supplementary groups: the caller's own are kept, as runc keeps them")
    USER.runtime(["delete", "--force", cid])
    left_nothing(cid)


@test
def multi_id_map_without_newuidmap_fails():
    cid = new_id("rl")
    b = bundle(mutate=multi_id_maps)
    empty = tempdir("nucleus-rootless-path-")
    os.chmod(empty, 0o755)
    rc, _, err = USER.run([NUCLEUS, "run", "--bundle", b, cid], path=empty)
    check_eq(rc, 1, "exit code")
    # runc: "mapping tool not present"; nucleus names the tool and its package.
    check("mapping tool not present" in err if IS_RUNC else "newuidmap (Debian package uidmap)" in err,
          f"error names the missing tool: {err!r}")
    left_nothing(cid)


@test
def a_user_namespace_is_required():
    def no_userns(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]
        del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
    left_nothing(run_refused(no_userns, "rootless container requires user namespaces")[0])


@test
def additional_gids_refused():
    def gids(c):
        c["process"]["user"]["additionalGids"] = [5]
    cid, _ = run_refused(gids, "cannot set any additional groups in a rootless container")
    if not IS_RUNC:  # runc refuses it in the init: the container existed meanwhile
        left_nothing(cid)


@test
def mount_ids_must_be_mapped():
    def tmpfs_of_uid_5(c):
        c["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                            "options": ["uid=5", "mode=700"]})
    cid, _ = run_refused(tmpfs_of_uid_5, "cannot specify uid= mount options for unmapped uid in rootless containers")
    left_nothing(cid)


def _memory_limit(c):
    c["linux"]["resources"] = {"memory": {"limit": 64 << 20}}


PURE_V2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")


def _non_delegated_memory_cgroup():
    """The dir the container's memory cgroup would be made in (the caller's
    own cgroup there); a skip when the user may write it (delegated)."""
    cgroup = ""
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if ("memory" in controllers.split(",")) if not PURE_V2 else controllers == "":
                cgroup = path
    parent = ("/sys/fs/cgroup" if PURE_V2 else "/sys/fs/cgroup/memory") + cgroup.rstrip("/")
    if not os.path.isdir(parent):
        skip(f"no memory cgroup at {parent}")
    rc, _, _ = USER.run(["test", "-w", parent])
    if rc == 0:
        skip(f"{parent} is writable by the user (delegated): limits apply there")
    return parent


@test
def limits_on_a_non_delegated_cgroup_are_refused():
    _non_delegated_memory_cgroup()
    # runc's words, cgroup v1 and v2
    words = ("rootless needs no limits + no cgrouppath when no permission is granted for cgroups" if PURE_V2
             else "cannot set memory limit: container could not join or create cgroup")
    left_nothing(run_refused(_memory_limit, words)[0])


@test
def limits_refusal_names_the_cgroup_and_why():
    parent = _non_delegated_memory_cgroup()
    if IS_RUNC:
        skip("runc gap: its refusal names neither the cgroup nor why on cgroup v1, nor the dir on v2")
    cid = new_id("rl")
    words = ("rootless needs no limits + no cgrouppath when no permission is granted for cgroups: mkdir "
             if PURE_V2 else "linux.resources.memory: cannot set memory limit: container could not join or "
             "create cgroup ")
    run_refused(_memory_limit, f"{words}{parent}/{cid}: permission denied", cid=cid)


@test
def limits_apply_in_a_delegated_v1_cgroup():
    """A v1 cgroup the user was given (its runtime runs in it): the
    container's cgroup is made below it, with its limit."""
    if not os.path.isdir("/sys/fs/cgroup/pids"):
        skip("no v1 pids hierarchy on this host")
    given = f"/sys/fs/cgroup/pids/nucleus-rootless-{os.getpid()}"
    cid = new_id("rl")
    os.mkdir(given)
    try:
        for path in (given, f"{given}/cgroup.procs"):
            os.chown(path, USER.uid, USER.gid)

        def pids_limit(c):
            c["linux"]["resources"] = {"pids": {"limit": 20}}
        b = bundle(["sleep", "30"], mutate=pids_limit)
        enter = ["sh", "-c", f'echo $$ > {given}/cgroup.procs && exec "$@"', "sh"]
        rc, _, err = USER.runtime_detached(["run", "--detach", "--bundle", b, cid], prefix=enter)
        check_eq(rc, 0, f"run -d in the given cgroup ({err!r})")
        pid = json.loads(USER.runtime(["state", cid])[1])["pid"]
        with open(f"{given}/{cid}/pids.max") as f:
            check_eq(f.read().strip(), "20", "pids.max of the container's cgroup")
        with open(f"{given}/{cid}/cgroup.procs") as f:
            check_in(str(pid), f.read().split(), "the init is in it")
        rc, _, err = USER.runtime(["delete", "--force", cid])
        check_eq(rc, 0, f"delete ({err!r})")
        check(not os.path.exists(f"{given}/{cid}"), "the container's cgroup is removed at delete")
    finally:
        harness.reap_orphans()
        for d in (f"{given}/{cid}", given):
            if os.path.isdir(d):
                os.rmdir(d)


@test
def an_explicit_cgroups_path_is_used_as_root_uses_it():
    cid = new_id("rl")

    def path(c):
        c["linux"]["cgroupsPath"] = f"/nucleus-rootless-{cid}"
    _, err = run_refused(path, "permission denied", cid=cid)
    check_in(f"nucleus-rootless-{cid}", err, "error names the cgroup")
    left_nothing(cid)


@test
def rootless_false_uses_cgroups_as_root_does():
    left_nothing(run_refused(None, "permission denied", "--rootless=false")[0])  # the cgroup may not be made


@test
def rootless_flag_values():
    cid = new_id("rl")
    b = bundle()
    for value in ("auto", "true"):
        rc, _, err = USER.runtime([f"--rootless={value}", "run", "--bundle", b, cid])
        check_eq(rc, 0, f"--rootless={value} run ({err!r})")
    rc, _, err = USER.runtime(["--rootless=maybe", "run", "--bundle", b, cid])
    check(rc != 0, f"--rootless=maybe refused (exit {rc})")
    check_in("maybe", err, "the error quotes the value")
    left_nothing(cid)


@test
def cgroup_verbs_without_a_cgroup_fail_saying_so():
    """On a host where the user may make no cgroup (this one's v1), the
    container has none: ps, kill --all, pause and update fail (as runc's do),
    and nucleus says why."""
    _non_delegated_memory_cgroup()
    cid = user_sleeper("run", "--detach")
    try:
        for verb in (["ps", cid], ["kill", "--all", cid, "KILL"], ["pause", cid],
                     ["update", "--pids-limit", "10", cid]):
            rc, _, err = USER.runtime(verb)
            check_eq(rc, 1, f"{verb[0]} exit code ({err!r})")
            if not IS_RUNC:
                check_in("the container has no cgroup of its own", err, f"{verb[0]} error")
        check_eq(json.loads(USER.runtime(["state", cid])[1])["status"], "running", "status")
    finally:
        USER.runtime(["delete", "--force", cid])
    left_nothing(cid)


@test
def spec_rootless_matches_runc():
    if not os.path.exists("/usr/bin/runc"):
        skip("runc is not installed")
    mine, theirs = tempdir("nucleus-rootless-spec-"), tempdir("nucleus-rootless-spec-")
    for d in (mine, theirs):
        os.chown(d, USER.uid, USER.gid)
    rc, _, err = USER.runtime(["spec", "--rootless", "--bundle", mine])
    check_eq(rc, 0, f"spec --rootless ({err!r})")
    rc, _, err = USER.run(["/usr/bin/runc", "spec", "--rootless", "--bundle", theirs])
    check_eq(rc, 0, f"runc spec --rootless ({err!r})")
    a, b = harness.load_config(mine), harness.load_config(theirs)
    a.pop("ociVersion")
    b.pop("ociVersion")  # each says its own spec version
    check_eq(a, b, "spec --rootless against runc's")
    check_eq(a["linux"]["uidMappings"], [{"containerID": 0, "hostID": USER.uid, "size": 1}], "uid map")


@test
def podman_runs_rootless_on_this_runtime():
    if not shutil.which("podman"):
        skip("podman is not installed (tools/deps --all)")
    b = bundle()
    rootfs = os.path.join(b, "rootfs")
    base = ["podman", "--runtime", NUCLEUS, "--cgroup-manager", "cgroupfs"]
    # No slirp4netns here: no network; no image: the busybox rootfs.
    rc, out, err = USER.run([*base, "run", "--rm", "--network", "none", "--rootfs", rootfs,
                             "sh", "-c", "id -u; cat /proc/self/uid_map; exit 4"], timeout=180)
    check_eq(rc, 4, f"podman run exit code ({err!r})")
    lines = out.split("\n")
    check_eq(lines[0], "0", "uid inside")
    check_eq([line.split() for line in lines[1:3]],
             [["0", str(USER.uid), "1"], ["1", str(USER.subid), str(SUBID_COUNT)]],
             "uid_map (podman's user namespace from /etc/subuid)")
    name = new_id("rlpod")
    rc, out, err = USER.run([*base, "run", "-d", "--name", name, "--network", "none", "--rootfs", rootfs,
                             "sleep", "60"], timeout=180)
    check_eq(rc, 0, f"podman run -d ({err!r})")
    try:
        rc, out, err = USER.run([*base, "exec", name, "sh", "-c", "echo in; exit 5"], timeout=120)
        check_eq(rc, 5, f"podman exec exit code ({err!r})")
        check_eq(out.strip(), "in", "podman exec output")
        rc, out, err = USER.run([*base, "inspect", "--format", "{{.State.Status}}", name], timeout=60)
        check_eq(out.strip(), "running", f"podman inspect ({err!r})")
    finally:
        rc, _, err = USER.run([*base, "rm", "--force", "--time", "0", name], timeout=120)
    check_eq(rc, 0, f"podman rm --force ({err!r})")


try:
    main()
finally:
    USER.cleanup()
