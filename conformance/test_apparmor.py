#!/usr/bin/env python3
"""AppArmor (issue 9): process.apparmorProfile confines the container's
process from its first instruction, for `run`/`create` and for `exec` (the
container's profile, or --apparmor), and a profile the host cannot apply is
an error that names the field and leaves nothing behind.

The confinement tests need a kernel with AppArmor enabled and
apparmor_parser: this host has none, the cgroup v2 VM (tools/vm-check) has
both; they skip where AppArmor is off. The refusal test runs where it is off.
Needs root."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (check, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, run, run_detached, skip, tempdir, test)

PROFILE = "nucleus-test-deny-secret"
SECRET = "/secret/key"  # inside the container's rootfs


def apparmor_enabled():
    try:
        with open("/sys/module/apparmor/parameters/enabled") as f:
            return f.read().strip() == "Y"
    except OSError:
        return False


_loaded = []


def load_profile():
    """A profile that allows everything but reading /secret/**."""
    if not apparmor_enabled():
        skip("AppArmor is not enabled on this kernel")
    parser = shutil.which("apparmor_parser")
    if not parser:
        skip("apparmor_parser is missing (apt-get install apparmor)")
    if not os.path.ismount("/sys/kernel/security"):
        subprocess.run(["mount", "-t", "securityfs", "securityfs", "/sys/kernel/security"], check=True)
    if _loaded:
        return
    text = (f"profile {PROFILE} flags=(attach_disconnected,mediate_deleted) {{\n"
            "  file,\n  capability,\n  network,\n  signal,\n  ptrace,\n  unix,\n  mount,\n  umount,\n"
            "  pivot_root,\n  dbus,\n"
            "  deny /secret/** rwklx,\n"
            "}\n")
    path = os.path.join(tempdir(), "profile")
    with open(path, "w") as f:
        f.write(text)
    subprocess.run([parser, "-r", "-W", path], check=True, capture_output=True)
    _loaded.append(PROFILE)


def secret_bundle(profile, script):
    def mutate(c):
        c["root"]["readonly"] = False
        if profile:
            c["process"]["apparmorProfile"] = profile
    bundle = make_bundle(mutate, args=["sh", "-c", script])
    os.makedirs(os.path.join(bundle, "rootfs", "secret"))
    with open(os.path.join(bundle, "rootfs", SECRET.lstrip("/")), "w") as f:
        f.write("s3cret\n")
    return bundle


def run_in_background(bundle, cid):
    rc, out, err = run_detached(["run", "--detach", "--bundle", bundle, cid])
    check_eq(rc, 0, f"run --detach exit code ({out!r} {err!r})")


@test
def unconfined_container_reads_the_secret():
    """The control: without a profile the same container reads the file."""
    load_profile()
    rc, out, err = run(["run", "--bundle", secret_bundle(None, f"cat {SECRET}"), new_id("aa")])
    check_eq((rc, out.strip()), (0, "s3cret"), f"unconfined run ({error_messages(err)!r})")


@test
def run_confines_the_process_with_the_profile():
    load_profile()
    script = f"cat /proc/self/attr/current; cat {SECRET} && echo LEAKED; exit 0"
    rc, out, err = run(["run", "--bundle", secret_bundle(PROFILE, script), new_id("aa")])
    check_eq(rc, 0, f"run exit code ({error_messages(err)!r})")
    check_in(f"{PROFILE} (enforce)", out, "the process's AppArmor label")
    check("LEAKED" not in out and "s3cret" not in out, f"the profile did not deny the read: {out!r}")


@test
def exec_takes_the_containers_profile_or_the_flag():
    load_profile()
    cid = new_id("aa")
    bundle = secret_bundle(PROFILE, "sleep 1000")
    run_in_background(bundle, cid)
    try:
        rc, out, _ = run(["exec", cid, "cat", "/proc/self/attr/current"])
        check_in(f"{PROFILE} (enforce)", out, "exec'd process's label")
        rc, out, _ = run(["exec", cid, "cat", SECRET])
        check(rc != 0 and "s3cret" not in out, f"exec read the secret: rc={rc} out={out!r}")
        rc, out, _ = run(["exec", "--apparmor", "unconfined", cid, "cat", SECRET])
        check_eq((rc, out.strip()), (0, "s3cret"), "exec --apparmor unconfined")
    finally:
        run(["delete", "--force", cid])


@test
def a_profile_the_kernel_does_not_know_fails_create():
    load_profile()
    cid = new_id("aa")
    rc, _, err = run(["run", "--bundle", secret_bundle("nucleus-no-such-profile", "true"), cid])
    check_eq(rc, 1, "exit code")
    check_in("apparmor failed to apply profile", error_messages(err), "error")
    nothing_left(cid)


@test
def a_profile_on_a_host_without_apparmor_is_refused():
    if apparmor_enabled():
        skip("AppArmor is enabled here")
    cid = new_id("aa")
    rc, _, err = run(["create", "--bundle", secret_bundle(PROFILE, "true"), cid])
    check_eq(rc, 1, "exit code")
    check_in("process.apparmorProfile", error_messages(err), "error names the field")
    nothing_left(cid)


main()
