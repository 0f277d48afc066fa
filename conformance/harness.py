"""A tiny stdlib-only test framework for the conformance suites.

Tests are functions decorated with @test; main() runs them in order, prints
`ok NAME` / `FAIL NAME: reason` per test and ends with the line
`N passed, N failed` (exit 1 on any failure). Helpers drive the built binary
($NUCLEUS) with a private --root, and build busybox-static bundles."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

NUCLEUS = os.environ.get("NUCLEUS") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "runtime", "nucleus")
BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
OCI_SPEC_DIR = os.environ.get("OCI_SPEC_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared", "oci-runtime-spec")

_tests = []
_temp_dirs = []


def test(fn):
    _tests.append(fn)
    return fn


def skip(reason):
    raise Skipped(reason)


class Skipped(Exception):
    pass


def tempdir(prefix="nucleus-test-"):
    d = tempfile.mkdtemp(prefix=prefix)
    _temp_dirs.append(d)
    return d


@atexit.register
def _cleanup():
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)


_root = None


def state_root():
    """The private --root every run() uses."""
    global _root
    if _root is None:
        _root = tempdir("nucleus-root-")
    return _root


def run(args, input=None, env=None, check=None, root=True, timeout=60, stdin=None):
    """Run nucleus with `args`; return (rc, stdout, stderr) as text.
    check=True asserts rc == 0; check=False asserts rc != 0."""
    cmd = [NUCLEUS] + (["--root", state_root()] if root else []) + list(args)
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, env=env, timeout=timeout,
                       stdin=stdin if input is None else None)
    if check is True:
        assert p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    elif check is False:
        assert p.returncode != 0, f"{' '.join(cmd)}: unexpectedly succeeded\nstdout: {p.stdout}"
    return p.returncode, p.stdout, p.stderr


def make_rootfs(dest):
    os.makedirs(dest)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "proc", "sys", "dev"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    os.chmod(os.path.join(dest, "tmp"), 0o1777)
    shutil.copy2(BUSYBOX, os.path.join(dest, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True).stdout.split()
    for applet in applets:
        path = os.path.join(dest, applet)
        if not os.path.lexists(path):
            os.symlink("/bin/busybox", path)
    with open(os.path.join(dest, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(dest, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnobody:x:65534:\n")


_rootfs_cache = None


def make_bundle(config_mutator=None, args=None, terminal=False):
    """A bundle dir with a busybox-static rootfs and `nucleus spec`'s config,
    process.terminal off and args replaced when given; the mutator may edit
    the config dict in place."""
    global _rootfs_cache
    if _rootfs_cache is None:
        _rootfs_cache = os.path.join(tempdir("nucleus-rootfs-"), "rootfs")
        make_rootfs(_rootfs_cache)
    bundle = tempdir("nucleus-bundle-")
    shutil.copytree(_rootfs_cache, os.path.join(bundle, "rootfs"), symlinks=True)
    run(["spec", "--bundle", bundle], check=True, root=False)
    path = os.path.join(bundle, "config.json")
    config = json.load(open(path))
    config["process"]["terminal"] = terminal
    if args is not None:
        config["process"]["args"] = args
    if config_mutator:
        config_mutator(config)
    json.dump(config, open(path, "w"), indent=2)
    return bundle


_seq = [0]


def new_id(prefix="t"):
    _seq[0] += 1
    return f"{prefix}-{os.getpid()}-{_seq[0]}"


def wait_for(predicate, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def main():
    only = sys.argv[1:]
    passed = failed = skipped = 0
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        start = time.time()
        try:
            fn()
        except Skipped as e:
            skipped += 1
            print(f"skip {fn.__name__}: {e}", flush=True)
            continue
        except Exception as e:  # noqa: BLE001 - report every failure kind
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(file=sys.stdout)
            continue
        passed += 1
        print(f"ok {fn.__name__} ({time.time() - start:.2f}s)", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), flush=True)
    sys.exit(1 if failed else 0)
