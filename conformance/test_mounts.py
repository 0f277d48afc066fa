#!/usr/bin/env python3
"""Mounts (issue 4): every mount type and option of config.md checked from
INSIDE a real busybox container (its /proc/self/mountinfo: fs type, per-mount
and superblock flags, propagation; writes to read-only mounts failing with
EROFS; idmapped ownership via stat) and from OUTSIDE (the host's mount table
is unchanged after the container is gone). Destinations a hostile rootfs
or a racing process redirects are in test_mount_paths.py. Needs root."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (check, check_eq, check_in, main, make_bundle, new_id,  # noqa: E402
                     own_rootfs, run, tempdir, test, userns)

from mount_checks import (EROFS, MOUNTINFO, at, fails_to_create, host_dir, host_dir_with_submount,  # noqa: E402
                          host_mounts, host_tmpfs, in_container, mount, parse_mountinfo, section)


# ---- types and the default mounts ----------------------------------------------

@test
def default_mounts_have_their_types_and_flags():
    out, _, _ = in_container(MOUNTINFO + "; echo == touch ==; touch /x 2>&1; true")
    m = parse_mountinfo(section("== mi ==\n" + out, "mi"))
    check_eq(at(m, "/proc")["fstype"], "proc", "/proc type")
    dev = at(m, "/dev")
    check_eq(dev["fstype"], "tmpfs", "/dev type")
    check("nosuid" in dev["opts"], f"/dev nosuid: {dev}")
    check({"mode=755", "size=65536k"} <= dev["super"], f"/dev data options: {dev}")
    pts = at(m, "/dev/pts")
    check_eq(pts["fstype"], "devpts", "/dev/pts type")
    check({"nosuid", "noexec"} <= pts["opts"], f"/dev/pts flags: {pts}")
    check({"ptmxmode=666", "mode=620", "gid=5"} <= pts["super"], f"/dev/pts data: {pts}")
    shm = at(m, "/dev/shm")
    check({"nosuid", "noexec", "nodev"} <= shm["opts"], f"/dev/shm flags: {shm}")
    check_eq(at(m, "/dev/mqueue")["fstype"], "mqueue", "/dev/mqueue type")
    sysfs = at(m, "/sys")
    check_eq(sysfs["fstype"], "sysfs", "/sys type")
    check({"ro", "nosuid", "noexec", "nodev"} <= sysfs["opts"], f"/sys flags: {sysfs}")
    root = at(m, "/")
    check("ro" in root["opts"], f"root.readonly: / is {root}")
    check_in(EROFS, section(out, "touch"), "write to the read-only root")


@test
def cgroup_v1_per_controller_and_cgroup2_with_and_without_a_namespace():
    script = ("cat /proc/self/cgroup; echo == mi ==; " + MOUNTINFO +
              "; echo == w ==; touch /sys/fs/cgroup/x /sys/fs/cgroup/memory/x 2>&1; true")
    for cgroupns in (False, True):
        def ns(c, cgroupns=cgroupns):
            if cgroupns:
                c["linux"]["namespaces"].append({"type": "cgroup"})
            c["mounts"].append(mount("/cgroup2", "cgroup2", "cgroup2", ["nosuid", "nodev", "noexec"]))
        out, _, _ = in_container(script, mutate=ns)
        paths = {}
        for line in out[:out.index("== mi ==")].splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else ["<v2>"]:
                paths[c] = path
        m = parse_mountinfo(section(out, "mi"))
        what = "with" if cgroupns else "without"
        check("ro" in at(m, "/sys/fs/cgroup")["opts"], f"/sys/fs/cgroup read-only {what} cgroupns")
        seen = 0
        for point in ("memory", "pids", "cpu", "devices", "freezer"):
            if not os.path.isdir(f"/sys/fs/cgroup/{point}"):
                continue
            seen += 1
            cg = at(m, f"/sys/fs/cgroup/{point}")
            check_eq(cg["fstype"], "cgroup", f"{point} type ({what} cgroupns)")
            check(point in cg["super"], f"{point} hierarchy: {cg}")
            check("ro" in cg["opts"], f"{point} read-only: {cg}")
            # The container sees its own cgroup as the mount's root, never the host's root.
            check_eq(cg["root"], paths[point], f"{point} mount root vs /proc/self/cgroup ({what} cgroupns)")
        check(seen > 0, "no v1 controller on this host")
        v2 = at(m, "/cgroup2")
        check_eq(v2["fstype"], "cgroup2", f"cgroup2 type ({what} cgroupns)")
        check_eq(v2["root"], paths["<v2>"], f"cgroup2 mount root vs /proc/self/cgroup ({what} cgroupns)")
        check({"nosuid", "nodev", "noexec"} <= v2["opts"], f"cgroup2 flags: {v2}")
        check_eq(section(out, "w").count(EROFS), 2, "writes to the cgroup mounts")


@test
def sysfs_without_a_network_namespace_is_the_hosts_read_only():
    def no_netns(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
    out, _, _ = in_container(MOUNTINFO + "; echo == w ==; ls /sys/class/net; touch /sys/x 2>&1; true",
                             mutate=no_netns)
    sysfs = at(parse_mountinfo(out), "/sys")
    check_eq(sysfs["fstype"], "sysfs", "/sys type")
    check({"ro", "nosuid", "nodev", "noexec"} <= sysfs["opts"], f"/sys flags: {sysfs}")
    check_in("lo", section(out, "w").split(), "the host's network devices in /sys/class/net")
    check_in(EROFS, section(out, "w"), "write to /sys")


@test
def overlay_and_filesystem_data_options():
    base = tempdir("nucleus-mnt-ovl-")
    for d in ("lower", "upper", "work"):
        os.makedirs(os.path.join(base, d))
    with open(os.path.join(base, "lower", "from-lower"), "w") as f:
        f.write("lower\n")
    overlay = mount("/ovl", "overlay", "overlay",
                    [f"lowerdir={base}/lower", f"upperdir={base}/upper", f"workdir={base}/work"])
    tmpfs = mount("/sized", "tmpfs", "tmpfs", ["size=1m", "mode=0710", "nr_inodes=77", "uid=12"])
    mq = mount("/mq2", "mqueue", "mqueue", ["nodev"])
    out, _, _ = in_container(
        "cat /ovl/from-lower; echo upper > /ovl/new; " + MOUNTINFO, [overlay, tmpfs, mq],
        watch=[base])
    check(out.startswith("lower\n"), f"lower layer visible: {out[:40]!r}")
    m = parse_mountinfo(out)
    check_eq(at(m, "/ovl")["fstype"], "overlay", "/ovl type")
    check(f"lowerdir={base}/lower" in at(m, "/ovl")["super"], f"overlay data: {at(m, '/ovl')}")
    sized = at(m, "/sized")
    check({"size=1024k", "mode=710", "nr_inodes=77", "uid=12"} <= sized["super"], f"tmpfs data: {sized}")
    check_eq(at(m, "/mq2")["fstype"], "mqueue", "/mq2 type")
    with open(os.path.join(base, "upper", "new")) as f:
        check_eq(f.read(), "upper\n", "write through the overlay lands in upperdir")


# ---- flag options --------------------------------------------------------------

FLAG_CASES = [
    # (options, per-mount flags expected, per-mount flags not expected, superblock flags expected)
    (["ro", "nosuid", "nodev", "noexec", "noatime"], {"ro", "nosuid", "nodev", "noexec", "noatime"},
     {"rw", "relatime"}, {"ro"}),
    (["rw", "suid", "dev", "exec", "strictatime", "nodiratime"], {"rw", "nodiratime"},
     {"nosuid", "nodev", "noexec", "relatime", "noatime"}, set()),
    (["nosuid", "suid", "relatime", "nosymfollow"], {"relatime", "nosymfollow"}, {"nosuid"}, set()),
    (["sync", "dirsync", "lazytime", "silent", "iversion"], set(), set(), {"sync", "dirsync", "lazytime"}),
    (["sync", "async", "noatime", "atime", "nolazytime", "loud", "noiversion", "nomand", "defaults"],
     {"relatime"}, {"noatime"}, set()),
    (["nodiratime", "diratime", "strictatime", "nostrictatime", "norelatime", "symfollow"],
     set(), {"nodiratime", "nosymfollow"}, set()),
    (["mand"], set(), set(), set()),  # accepted (the kernel ignores it since 5.15)
]


@test
def every_flag_option_shows_in_mountinfo():
    mounts = [mount(f"/f{i}", "tmpfs", "tmpfs", opts) for i, (opts, _, _, _) in enumerate(FLAG_CASES)]
    out, _, _ = in_container(MOUNTINFO + "; echo == w ==; touch /f0/x 2>&1; true", mounts)
    m = parse_mountinfo(out)
    for i, (opts, has, lacks, sb) in enumerate(FLAG_CASES):
        got = at(m, f"/f{i}")
        check_eq(got["fstype"], "tmpfs", f"/f{i} type")
        check(has <= got["opts"], f"{opts}: expected {has} in {got['opts']}")
        check(not (lacks & got["opts"]), f"{opts}: did not expect {lacks & got['opts']} in {got['opts']}")
        check(sb <= got["super"], f"{opts}: expected {sb} in superblock options {got['super']}")
    check_in(EROFS, section(out, "w"), "write to a ro tmpfs")


@test
def noexec_nosuid_and_nodev_are_enforced():
    mounts = [mount("/nx", "tmpfs", "tmpfs", ["noexec", "mode=755"]),
              mount("/ex", "tmpfs", "tmpfs", ["exec", "mode=755"])]
    out, _, _ = in_container("cp /bin/busybox /nx/true; cp /bin/busybox /ex/true; "
                             "/nx/true 2>&1; echo nx=$?; /ex/true; echo ex=$?", mounts)
    check_in("nx=126", out, "exec from a noexec mount")
    check_in("ex=0", out, "exec from an exec mount")


# ---- binds ----------------------------------------------------------------------

@test
def read_only_bind_is_really_read_only():
    src = host_dir({"hello": ("hi\n", 0, 0)})
    out, _, _ = in_container(
        "cat /data/hello; touch /data/new 2>&1; echo == rw ==; touch /rw/new && echo wrote; " + MOUNTINFO,
        [mount("/data", "bind", src, ["bind", "ro"]), mount("/rw", "none", src, ["rbind", "rw"])],
        watch=[src])
    check(out.startswith("hi\n"), f"bind source readable: {out[:30]!r}")
    check_in(EROFS, out[:out.index("== rw ==")], "write to a ro bind")
    check_in("wrote", out, "write to a rw bind")
    m = parse_mountinfo(out)
    check("ro" in at(m, "/data")["opts"], f"/data is ro: {at(m, '/data')}")
    check("rw" in at(m, "/rw")["opts"], f"/rw is rw: {at(m, '/rw')}")
    check(os.path.exists(os.path.join(src, "new")), "the rw bind wrote to the host dir")


@test
def rbind_carries_submounts_and_bind_does_not():
    src = host_dir_with_submount(("top", "top\n"), ("in-sub", "sub\n"))
    sub = os.path.join(src, "sub")
    mounts = [mount("/rec", "bind", src, ["rbind", "ro"]),
              mount("/flat", "bind", src, ["bind"]),
              mount("/rro", "bind", src, ["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnoatime"])]
    out, _, _ = in_container("ls -A /rec/sub; echo ==; ls -A /flat/sub; echo ==; "
                             "touch /rec/sub/w 2>&1; echo ==; touch /rro/sub/w2 2>&1; echo == mi ==; " +
                             MOUNTINFO, mounts, watch=[src])
    rec_list, flat_list, rec_write, rro_write = out.split("==\n")[:4]
    check_eq(rec_list.split(), ["in-sub"], "rbind carries the submount")
    check_eq(flat_list.split(), [], "bind does not")
    check(EROFS not in rec_write, f"'ro' on an rbind leaves submounts writable (as runc): {rec_write!r}")
    check_in(EROFS, rro_write, "'rro' makes submounts read-only")
    m = parse_mountinfo(section(out, "mi"))
    check("ro" in at(m, "/rec")["opts"] and "rw" in at(m, "/rec/sub")["opts"], "ro is not recursive")
    for p in ("/rro", "/rro/sub"):
        check({"ro", "nosuid", "nodev", "noexec", "noatime"} <= at(m, p)["opts"],
              f"recursive attributes on {p}: {at(m, p)}")
    check(os.path.exists(os.path.join(sub, "w")), "written through the ro rbind's rw submount")
    check(not os.path.exists(os.path.join(sub, "w2")), "nothing written through the rro mount")


@test
def bind_of_a_file_gets_a_file_destination():
    src = host_dir({"conf": ("setting=1\n", 0, 0)})
    f = os.path.join(src, "conf")
    out, _, bundle = in_container(
        "cat /etc/new.conf /deep/new/dir/file.conf; ls -ld /etc/new.conf /deep/new/dir | cut -c1",
        [mount("/etc/new.conf", "bind", f, ["bind", "ro"]),
         mount("/deep/new/dir/file.conf", "bind", f, ["rbind"])], watch=[src])
    check_eq(out.splitlines(), ["setting=1", "setting=1", "d", "-"], "file binds and their parents")
    check(os.path.isfile(os.path.join(bundle, "rootfs/etc/new.conf")), "a file was made as the mount point")


@test
def relative_bind_source_is_relative_to_the_bundle():
    def add(c):
        c["mounts"].append(mount("/rel", "bind", "extra", ["bind"]))
    bundle = make_bundle(add, args=["cat", "/rel/x"])
    os.mkdir(os.path.join(bundle, "extra"))
    with open(os.path.join(bundle, "extra", "x"), "w") as f:
        f.write("from bundle\n")
    _, out, err = run(["run", "--bundle", bundle, new_id("rel")])
    check_eq(out, "from bundle\n", f"relative bind source (stderr {err!r})")


@test
def remount_changes_an_existing_mount():
    src = host_dir({"f": ("x\n", 0, 0)})
    mounts = [mount("/r", "tmpfs", "tmpfs", ["rw", "size=1m"]),
              mount("/r", "tmpfs", "tmpfs", ["remount", "ro", "nosuid", "size=2m"]),
              mount("/b", "bind", src, ["bind"]),
              mount("/b", "bind", src, ["bind", "remount", "ro"])]
    out, _, _ = in_container(MOUNTINFO + "; echo == w ==; touch /r/x /b/x 2>&1; true", mounts, watch=[src])
    m = parse_mountinfo(out)
    check_eq(len([x for x in m if x["point"] == "/r"]), 1, "remount mounts nothing new")
    check({"ro", "nosuid"} <= at(m, "/r")["opts"], f"/r after remount: {at(m, '/r')}")
    check("size=2048k" in at(m, "/r")["super"], f"remount data: {at(m, '/r')}")
    check_eq(len([x for x in m if x["point"] == "/b"]), 1, "bind remount mounts nothing new")
    check("ro" in at(m, "/b")["opts"], f"/b after remount: {at(m, '/b')}")
    check_eq(section(out, "w").count(EROFS), 2, "writes after remount ro")


# ---- propagation ------------------------------------------------------------------

@test
def propagation_options_show_in_mountinfo():
    shared_src = host_tmpfs(shared=True)
    mounts = [mount(f"/p-{name}", "bind", shared_src, ["rbind", name])
              for name in ("shared", "slave", "private", "unbindable", "rprivate")]
    mounts.append(mount("/plain", "bind", shared_src, ["rbind"]))
    mounts.append(mount("/t-shared", "tmpfs", "tmpfs", ["shared"]))
    out, _, _ = in_container(MOUNTINFO, mounts, watch=[shared_src])
    m = parse_mountinfo(out)

    def tags(point):
        return {t.split(":")[0] for t in at(m, point)["optional"]}
    # The host's shared mount, copied into the container's rslave namespace,
    # is a slave of the host's peer group: a bind of it stays one.
    check_eq(tags("/plain"), {"master"}, "bind of a shared host mount")
    check_eq(tags("/p-slave"), {"master"}, "slave")
    check_eq(tags("/p-shared"), {"shared", "master"}, "shared")
    check_eq(tags("/p-private"), set(), "private")
    check_eq(tags("/p-rprivate"), set(), "rprivate")
    check_eq(tags("/p-unbindable"), {"unbindable"}, "unbindable")
    check_eq(tags("/t-shared"), {"shared"}, "shared tmpfs")


@test
def rootfs_propagation_and_no_pivot():
    for propagation, expected in (("rshared", {"shared"}), ("private", set()),
                                  ("unbindable", {"unbindable"}), ("runbindable", {"unbindable"})):
        def prop(c, propagation=propagation):
            c["linux"]["rootfsPropagation"] = propagation
        out, _, _ = in_container(MOUNTINFO, mutate=prop)
        got = {t.split(":")[0] for t in at(parse_mountinfo(out), "/")["optional"]}
        check_eq(got, expected, f"rootfsPropagation {propagation}: / has {got}")
        if propagation == "runbindable":  # every mount below too, masked paths included
            for below in ("/proc", "/proc/keys", "/proc/sys", "/dev"):
                got = {t.split(":")[0] for t in at(parse_mountinfo(out), below)["optional"]}
                check_eq(got, {"unbindable"}, f"runbindable: {below} has {got}")
    out, _, _ = in_container(MOUNTINFO + "; ls /", flags=["--no-pivot"])
    m = parse_mountinfo(out)
    check_eq(at(m, "/proc")["fstype"], "proc", "--no-pivot: /proc")
    check("ro" in at(m, "/")["opts"], "--no-pivot: root.readonly")
    check_in("bin", out, "--no-pivot: the rootfs is /")


@test
def writable_root_when_root_readonly_is_false():
    out, _, _ = in_container("touch /written && echo ok", writable=True)
    check_eq(out, "ok\n", "write to a writable root")


# ---- idmapped mounts ------------------------------------------------------------

def ids_script(*paths):
    return "stat -c '%u:%g' " + " ".join(paths)


@test
def idmap_maps_owners_with_the_mounts_mappings():
    src = host_dir({"root-owned": ("r\n", 0, 0), "user-owned": ("u\n", 1000, 1000)})
    maps = {"uidMappings": [{"containerID": 0, "hostID": 5000, "size": 2000}],
            "gidMappings": [{"containerID": 0, "hostID": 7000, "size": 2000}]}
    mounts = [mount("/idm", "bind", src, ["bind", "idmap"], **maps),
              mount("/plain", "bind", src, ["bind"]),
              mount("/implied", "bind", src, ["rbind"], **maps)]  # mappings alone: idmapped (runc)
    out, _, _ = in_container(ids_script("/idm/root-owned", "/idm/user-owned", "/plain/root-owned",
                                        "/implied/user-owned"), mounts, watch=[src])
    check_eq(out.split(), ["5000:7000", "6000:8000", "0:0", "6000:8000"], "owners through idmapped mounts")
    check_eq(os.stat(os.path.join(src, "root-owned")).st_uid, 0, "host file owner unchanged")


@test
def ridmap_covers_submounts_and_idmap_does_not():
    src = host_dir_with_submount(("f", "f\n"), ("g", "g\n"), "size=1m,mode=755")
    maps = {"uidMappings": [{"containerID": 0, "hostID": 3000, "size": 10}],
            "gidMappings": [{"containerID": 0, "hostID": 3000, "size": 10}]}
    mounts = [mount("/r", "bind", src, ["rbind", "ridmap"], **maps),
              mount("/n", "bind", src, ["rbind", "idmap"], **maps)]
    out, _, _ = in_container(ids_script("/r/f", "/r/sub/g", "/n/f", "/n/sub/g"), mounts, watch=[src])
    check_eq(out.split(), ["3000:3000", "3000:3000", "3000:3000", "0:0"], "ridmap vs idmap on submounts")


@test
def idmap_in_a_user_namespace_uses_the_containers_mappings():
    src = host_dir({"root-owned": ("r\n", 0, 0), "user-owned": ("u\n", 1000, 1000)})
    os.chmod(src, 0o777)

    def mutator(c):
        userns(c)
        c["root"]["readonly"] = True
        c["mounts"] += [mount("/idm", "bind", src, ["rbind", "idmap"]),
                        mount("/plain", "bind", src, ["rbind"]),
                        # Flags the user namespace locks stay, even when "suid" asks otherwise.
                        mount("/locked", "bind", locked, ["rbind", "ro", "suid"])]
    locked = host_tmpfs()
    subprocess.run(["mount", "-o", "remount,nosuid,nodev", locked], check=True)
    bundle = make_bundle(mutator, args=["sh", "-c", ids_script(
        "/idm/root-owned", "/idm/user-owned", "/plain/root-owned") + "; touch /idm/made-inside; " +
        "echo == mi ==; " + MOUNTINFO])
    own_rootfs(bundle)
    before = host_mounts(bundle, src)
    _, out, err = run(["run", "--bundle", bundle, new_id("idmu")])
    check_eq(out.split("== mi ==")[0].split(), ["0:0", "1000:1000", "65534:65534"],
             f"owners in the user namespace ({err!r})")
    locked_mount = at(parse_mountinfo(section(out, "mi")), "/locked")
    check({"ro", "nosuid", "nodev"} <= locked_mount["opts"], f"ro bind in a user namespace: {locked_mount}")
    made = os.stat(os.path.join(src, "made-inside"))
    check_eq((made.st_uid, made.st_gid), (0, 0), "a file the container's root made, on the host")
    check_eq(host_mounts(bundle, src), before, "host mounts after the container")


@test
def idmap_errors_name_the_mount():
    src = host_dir()
    fails_to_create([mount("/idm", "bind", src, ["bind", "idmap"])],
                    'mounts[7]: "idmap" needs uidMappings and gidMappings on the mount, or a user namespace')
    maps = {"uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
            "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}
    fails_to_create([mount("/t", "tmpfs", "tmpfs", ["ridmap"], **maps)],
                    "mounts[7]: idmapped mounts are only supported for bind mounts")
    fails_to_create([mount("/idm", "bind", "/nonexistent-nucleus-src", ["bind", "idmap"], **maps)],
                    'mounts[7]: clone mount "/nonexistent-nucleus-src": no such file or directory')


@test
def inline_idmap_option_maps_owners_as_crun_does():
    src = host_dir({"root-owned": ("r\n", 0, 0), "user-owned": ("u\n", 1000, 1000)})
    mounts = [mount("/one", "bind", src, ["bind", "idmap=uids=0-5000-2000;gids=0-7000-2000"]),
              mount("/split", "bind", src,
                    ["rbind", "idmap=uids=0-4000-1#1000-9000-1;gids=0-4100-1#1000-9100-1"])]
    out, _, _ = in_container(ids_script("/one/root-owned", "/one/user-owned", "/split/root-owned",
                                        "/split/user-owned"), mounts, watch=[src])
    check_eq(out.split(), ["5000:7000", "6000:8000", "4000:4100", "9000:9100"],
             "owners through idmap=uids=...;gids=...")
    fails_to_create([mount("/idm", "bind", src, ["bind", "idmap=uids=0-1-x;gids=0-1-1"])],
                    'mounts[7]: idmap option "uids=0-1-x;gids=0-1-1": "0-1-x" is not '
                    '<containerID>-<hostID>-<size>')
    maps = {"uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
            "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}
    fails_to_create([mount("/idm", "bind", src, ["bind", "idmap=uids=0-1-1;gids=0-1-1"], **maps)],
                    'mounts[7]: "idmap=" and uidMappings/gidMappings both give a mapping')


@test
def features_lists_every_mount_option_and_idmap():
    _, out, _ = run(["features"], check=0, root=False)
    doc = json.loads(out)
    options = doc["mountOptions"]
    for o in ("ro", "rbind", "rro", "rnoatime", "rshared", "tmpcopyup", "idmap", "ridmap", "remount",
              "nosymfollow", "lazytime", "iversion", "mand", "silent", "loud", "acl", "noacl",
              "src-nofollow", "dest-nofollow", "copy-symlink"):
        check_in(o, options, "features mountOptions")
    check_eq(options, sorted(set(options)), "mountOptions sorted, no duplicates")
    check_eq(doc["linux"]["mountExtensions"]["idmap"]["enabled"], True, "mountExtensions.idmap")


# ---- tmpcopyup ------------------------------------------------------------------

@test
def tmpcopyup_copies_the_old_contents_into_the_tmpfs():
    def mutate(c):
        c["mounts"] += [mount("/opt/data", "tmpfs", "tmpfs", ["tmpcopyup", "mode=755"]),
                        mount("/opt/ro", "tmpfs", "tmpfs", ["tmpcopyup", "ro"]),
                        mount("/opt/empty", "tmpfs", "tmpfs", ["tmpcopyup"])]
    script = ("cd /opt/data && stat -c '%n %u:%g %a %F' conf sub sub/inner link hard && "
              "readlink link && cat conf sub/inner && "
              "[ $(stat -c %i conf) = $(stat -c %i hard) ] && echo linked; "
              "echo new > /opt/data/new; cat /opt/ro/keep; touch /opt/ro/x 2>&1; ls -A /opt/empty; "
              "echo == mi ==; " + MOUNTINFO)
    def writable(c):
        mutate(c)
        c["root"]["readonly"] = False
    bundle = make_bundle(writable, args=["sh", "-c", script])
    rootfs = os.path.join(bundle, "rootfs")
    data = os.path.join(rootfs, "opt/data")
    os.makedirs(os.path.join(data, "sub"))
    os.makedirs(os.path.join(rootfs, "opt/ro"))
    os.makedirs(os.path.join(rootfs, "opt/empty"))
    with open(os.path.join(data, "conf"), "w") as f:
        f.write("conf\n")
    os.chown(os.path.join(data, "conf"), 123, 456)
    os.chmod(os.path.join(data, "conf"), 0o604)
    with open(os.path.join(data, "sub/inner"), "w") as f:
        f.write("inner\n")
    os.chmod(os.path.join(data, "sub"), 0o751)
    os.chown(os.path.join(data, "sub"), 7, 8)
    os.symlink("/etc/passwd", os.path.join(data, "link"))
    os.link(os.path.join(data, "conf"), os.path.join(data, "hard"))
    with open(os.path.join(rootfs, "opt/ro/keep"), "w") as f:
        f.write("kept\n")
    before = host_mounts(bundle)
    _, out, err = run(["run", "--bundle", bundle, new_id("copyup")])
    lines = out.splitlines()
    check_eq(lines[:5], ["conf 123:456 604 regular file", "sub 7:8 751 directory",
                         "sub/inner 0:0 644 regular file", "link 0:0 777 symbolic link",
                         "hard 123:456 604 regular file"], f"copied entries (stderr {err!r})")
    check_eq(lines[5:9], ["/etc/passwd", "conf", "inner", "linked"], "copied contents")
    check_eq(lines[9], "kept", "copy into a ro tmpfs")
    check_in(EROFS, lines[10], "the ro tmpfs is read-only after the copy")
    m = parse_mountinfo(section(out, "mi"))
    for p in ("/opt/data", "/opt/ro", "/opt/empty"):
        check_eq(at(m, p)["fstype"], "tmpfs", f"{p} type")
    check("ro" in at(m, "/opt/ro")["opts"], "/opt/ro is ro")
    check(not os.path.exists(os.path.join(data, "new")), "writes went to the tmpfs, not the rootfs")
    check_eq(host_mounts(bundle), before, "host mounts after the container")



main()
