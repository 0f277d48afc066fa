#!/usr/bin/env python3
"""Mount destinations a rootfs or a racing process tries to redirect, and
crun's symlink options for binds (issue 4). Every case checks from inside a
real busybox container where the mount landed, and from outside that the
host's mounts and files are untouched: a symlink to a host path, `..`
chains, a symlinked /proc, a destination swapped for a symlink while
nucleus mounts; src-nofollow, dest-nofollow, copy-symlink. Needs root."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (check, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     run, state_root, tempdir, test)
from mount_checks import (EROFS, MOUNTINFO, at, destination_swap_race, fails_to_create, host_dir,  # noqa: E402
                          host_mounts, in_container, mount, parse_mountinfo, section)


# ---- crun's symlink options for binds ----------------------------------------------

@test
def src_nofollow_binds_a_symlink_source_itself():
    src = host_dir({"real": ("real\n", 0, 0)})
    link = os.path.join(src, "link")
    os.symlink(os.path.join(src, "real"), link)
    mounts = [mount("/nf", "bind", link, ["bind", "src-nofollow"]),
              mount("/followed", "bind", link, ["bind"])]
    out, _, bundle = in_container("readlink /nf; cat /followed; echo == mi ==; " + MOUNTINFO,
                                  mounts, watch=[src])
    check_eq(out.split("== mi ==")[0].splitlines(), [os.path.join(src, "real"), "real"],
             "src-nofollow shows the link, a plain bind its target")
    m = parse_mountinfo(section(out, "mi"))
    check(at(m, "/nf")["root"].endswith("/link"), f"src-nofollow mounts the symlink: {at(m, '/nf')}")
    check(at(m, "/followed")["root"].endswith("/real"), f"plain bind mounts the target: {at(m, '/followed')}")
    check(os.path.isfile(os.path.join(bundle, "rootfs/nf")), "a file was made as the mount point")


@test
def src_nofollow_with_idmap_binds_the_symlink_idmapped():
    src = host_dir({"real": ("real\n", 0, 0)})
    link = os.path.join(src, "link")
    os.symlink(os.path.join(src, "real"), link)
    maps = {"uidMappings": [{"containerID": 0, "hostID": 5000, "size": 10}],
            "gidMappings": [{"containerID": 0, "hostID": 7000, "size": 10}]}
    mounts = [mount("/nf", "bind", link, ["bind", "src-nofollow", "idmap"], **maps)]
    out, _, _ = in_container("readlink /nf; stat -c '%u:%g' /nf", mounts, watch=[src])
    check_eq(out.splitlines(), [os.path.join(src, "real"), "5000:7000"],
             "the symlink itself, with its owner mapped")


@test
def dest_nofollow_mounts_on_the_symlink_itself():
    src = host_dir({"payload": ("payload\n", 0, 0)})
    link = os.path.join(src, "link")
    os.symlink("/from/the/source", link)
    payload = os.path.join(src, "payload")

    def mutate(c):
        c["mounts"] += [mount("/via/conf", "bind", payload, ["bind", "dest-nofollow", "ro"]),
                        mount("/links/followed", "bind", payload, ["bind"]),
                        mount("/links/both", "bind", link, ["bind", "src-nofollow", "dest-nofollow"])]
    script = ("cat /links/conf /etc/target-conf /etc/target-followed; readlink /links/both; "
              "{ echo x > /links/conf; } 2>&1; echo == mi ==; " + MOUNTINFO)
    bundle = make_bundle(mutate, args=["sh", "-c", script])
    rootfs = os.path.join(bundle, "rootfs")
    os.makedirs(os.path.join(rootfs, "links"))
    os.symlink("/links", os.path.join(rootfs, "via"))  # earlier components still resolve, inside
    for name in ("conf", "followed"):
        with open(os.path.join(rootfs, f"etc/target-{name}"), "w") as f:
            f.write(f"original {name}\n")
        os.symlink(f"/etc/target-{name}", os.path.join(rootfs, "links", name))
    os.symlink("/nowhere", os.path.join(rootfs, "links/both"))
    before = host_mounts(bundle, src)
    _, out, err = run(["run", "--bundle", bundle, new_id("destnf")])
    check_eq(out.split("== mi ==")[0].splitlines()[:4],
             ["payload", "original conf", "payload", "/from/the/source"],
             f"contents through the mounts (stderr {err!r})")
    check_in(EROFS, out.split("== mi ==")[0], "the dest-nofollow bind is read-only")
    m = parse_mountinfo(section(out, "mi"))
    check(at(m, "/links/conf")["root"].endswith("/payload"), "mount on the symlink /links/conf")
    check("ro" in at(m, "/links/conf")["opts"], f"ro on the symlink's mount: {at(m, '/links/conf')}")
    check(at(m, "/links/both")["root"].endswith("/link"), "a symlink mounted on a symlink")
    points = {x["point"] for x in m}
    check("/etc/target-conf" not in points and "/nowhere" not in points,
          f"dest-nofollow did not follow the link: {sorted(points)}")
    check_in("/etc/target-followed", points, "a plain bind follows the link (inside)")
    check(os.path.islink(os.path.join(rootfs, "links/conf")), "the rootfs's symlink is still one")
    check_eq(host_mounts(bundle, src), before, "host mounts after the container")


@test
def copy_symlink_recreates_a_symlink_source_at_the_destination():
    src = host_dir({"real.conf": ("nameserver 192.0.2.1\n", 0, 0), "plain": ("plain\n", 0, 0)})
    os.symlink("real.conf", os.path.join(src, "resolv.conf"))
    link = os.path.join(src, "resolv.conf")

    def mutate(c):
        c["mounts"] += [mount("/etc/resolv.conf", "bind", link, ["rbind", "copy-symlink", "ro"]),
                        mount("/etc/same", "bind", link, ["bind", "copy-symlink"]),
                        mount("/new/dir/link", "bind", link, ["bind", "copy-symlink"]),
                        mount("/etc/plain", "bind", os.path.join(src, "plain"), ["bind", "copy-symlink"])]
    script = ("for l in /etc/resolv.conf /etc/same /new/dir/link; do readlink $l; done; cat /etc/plain; "
              "echo == mi ==; " + MOUNTINFO)
    bundle = make_bundle(mutate, args=["sh", "-c", script])
    rootfs = os.path.join(bundle, "rootfs")
    os.symlink("real.conf", os.path.join(rootfs, "etc/same"))  # already the same link: fine
    before = host_mounts(bundle, src)
    _, out, err = run(["run", "--bundle", bundle, new_id("cpsym")])
    check_eq(out.split("== mi ==")[0].splitlines(), ["real.conf"] * 3 + ["plain"],
             f"links copied, a non-link source bound (stderr {err!r})")
    points = {x["point"] for x in parse_mountinfo(section(out, "mi"))}
    for p in ("/etc/resolv.conf", "/etc/same", "/new/dir/link", "/etc/real.conf"):
        check(p not in points, f"nothing mounted at {p}: {sorted(points)}")
    check_in("/etc/plain", points, "copy-symlink with a non-link source is a bind")
    check_eq(os.readlink(os.path.join(rootfs, "etc/resolv.conf")), "real.conf", "the link in the rootfs")
    check_eq(host_mounts(bundle, src), before, "host mounts after the container")
    fails_to_create([mount("/etc/passwd", "bind", link, ["bind", "copy-symlink"])],
                    'copy-symlink: the destination exists and is not a symlink to "real.conf"',
                    watch=[src])


# ---- a destination swapped for a symlink while mounting ---------------------------

@test
def destination_swapped_for_a_symlink_while_mounting_never_escapes():
    destination_swap_race(runs=30, seconds=10)


# ---- hostile rootfs -----------------------------------------------------------------

@test
def destination_through_a_symlink_to_a_host_path_stays_in_the_rootfs():
    marker = f"nucleus-marker-{new_id('m')}"
    src = host_dir({"payload": ("payload\n", 0, 0)})
    host_target = tempdir("nucleus-mnt-hostdir-")
    with open(os.path.join(host_target, "sentinel"), "w") as f:
        f.write("host\n")
    dangling = f"/tmp/nucleus-x-{new_id('x')}"

    def mutate(c):
        c["mounts"] += [mount(f"/evil/{marker}", "bind", os.path.join(src, "payload"), ["bind"]),
                        mount("/mnt/tmplink", "tmpfs", "tmpfs", ["size=1m"]),
                        mount("/mnt/hostlink", "tmpfs", "tmpfs", ["size=1m"]),
                        mount("/final", "tmpfs", "tmpfs", ["size=1m"])]
    script = (f"cat /etc/{marker}; ls -A {host_target}; echo == mi ==; " + MOUNTINFO)
    bundle = make_bundle(mutate, args=["sh", "-c", script])
    rootfs = os.path.join(bundle, "rootfs")
    os.symlink("/etc", os.path.join(rootfs, "evil"))
    os.makedirs(os.path.join(rootfs, "mnt"))
    os.symlink(dangling, os.path.join(rootfs, "mnt/tmplink"))
    os.symlink(host_target, os.path.join(rootfs, "mnt/hostlink"))
    os.symlink("/var", os.path.join(rootfs, "final"))
    before = host_mounts(bundle, host_target, src)
    _, out, err = run(["run", "--bundle", bundle, new_id("evil")])
    check(out.startswith("payload\n"), f"the bind landed on the rootfs's /etc (stderr {err!r}): {out[:80]!r}")
    m = parse_mountinfo(section(out, "mi"))
    check_eq(at(m, dangling)["fstype"], "tmpfs", "dangling symlink target made inside")
    check_eq(at(m, host_target)["fstype"], "tmpfs", "symlink to an existing host dir, inside")
    check_eq(at(m, "/var")["fstype"], "tmpfs", "final-component symlink followed inside")
    check(not os.path.exists(f"/etc/{marker}"), "host /etc untouched")
    check(os.path.isfile(os.path.join(rootfs, "etc", marker)), "mount point made in the rootfs's /etc")
    check(not os.path.exists(dangling), "host /tmp untouched")
    check(os.path.isdir(os.path.join(rootfs, dangling.lstrip("/"))), "dangling target made in the rootfs")
    check_eq(os.listdir(host_target), ["sentinel"], "the host dir a symlink names is untouched")
    check_eq(host_mounts(bundle, host_target, src), before, "host mounts after the container")


@test
def dotdot_chains_stay_in_the_rootfs():
    name = f"nucleus-dotdot-{new_id('d')}"
    src = host_dir({"payload": ("payload\n", 0, 0)})

    def mutate(c):
        c["mounts"] += [mount("/a/b/up", "bind", os.path.join(src, "payload"), ["bind"]),
                        mount(f"/../../../../../tmp/{name}-lit", "tmpfs", "tmpfs", ["size=1m"]),
                        mount("/a/chain/x", "tmpfs", "tmpfs", ["size=1m"])]
    bundle = make_bundle(mutate, args=["sh", "-c", f"cat /tmp/{name}; echo == mi ==; " + MOUNTINFO])
    rootfs = os.path.join(bundle, "rootfs")
    os.makedirs(os.path.join(rootfs, "a/b"))
    os.symlink(f"../../../../../../../../../tmp/{name}", os.path.join(rootfs, "a/b/up"))
    os.symlink("../../../../../../..", os.path.join(rootfs, "a/chain"))
    _, out, err = run(["run", "--bundle", bundle, new_id("dotdot")])
    check(out.startswith("payload\n"), f"bind through ../ chain (stderr {err!r}): {out[:80]!r}")
    m = parse_mountinfo(section(out, "mi"))
    check_eq(at(m, f"/tmp/{name}-lit")["fstype"], "tmpfs", "literal .. in the destination")
    check_eq(at(m, "/x")["fstype"], "tmpfs", "symlink to ../../.. then a name")
    for p in (f"/tmp/{name}", f"/tmp/{name}-lit", "/x"):
        check(not os.path.exists(p), f"host {p} untouched")
    check(os.path.isfile(os.path.join(rootfs, "tmp", name)), "file mount point made inside the rootfs")


@test
def symlinked_proc_is_refused():
    bundle = make_bundle(args=["true"])
    rootfs = os.path.join(bundle, "rootfs")
    os.rmdir(os.path.join(rootfs, "proc"))
    os.symlink("/etc", os.path.join(rootfs, "proc"))
    before = host_mounts(bundle)
    cid = new_id("proc")
    code, _, err = run(["create", "--bundle", bundle, cid])
    check_eq(code, 1, "create with /proc a symlink")
    check_in('/proc": filesystem "proc" must be mounted on ordinary directory', error_messages(err), "error")
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left")
    check_eq(host_mounts(bundle), before, "host mounts after a failed create")
    check_eq(sorted(os.listdir(os.path.join(rootfs, "etc"))), ["group", "passwd"], "rootfs /etc untouched")


main()
