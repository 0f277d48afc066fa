"""A tiny stdlib-only test framework for the conformance suites.

A test script defines functions decorated with @test and ends with main():

    from harness import test, run, make_bundle, new_id, check_eq, main

    @test
    def start_needs_an_id():
        rc, out, err = run(["start"])
        check_eq(rc, 1, "exit code")

    main()

main() runs the tests in order (or only those named on the command line),
prints `ok NAME`, `FAIL NAME: reason` or `skip NAME: reason` for each, and
ends with the line `N passed, N failed` (`, N skipped` appended when a test
skipped); it exits 1 when a test failed.

Environment (set by conformance/meson.build; defaults for running by hand):
  NUCLEUS       the binary under test
  OCI_SPEC_DIR  the runtime-spec checkout (its schemas in OCI_SPEC_DIR/schema)
  BUSYBOX       a static busybox for the bundles' root filesystems

run() gives every call a private --root, so tests never see the host's
containers. At exit, containers left in the private roots are force-deleted,
mounts left under the temp dirs are detached, and the temp dirs removed. The
harness is a child subreaper and reaps orphans (detached containers) between
tests."""
import ast
import atexit
import ctypes
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUCLEUS = os.environ.get("NUCLEUS") or os.path.join(_REPO, "build", "runtime", "nucleus")
if os.sep in NUCLEUS:  # tests may run it from another cwd
    NUCLEUS = os.path.abspath(NUCLEUS)
BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
OCI_SPEC_DIR = os.environ.get("OCI_SPEC_DIR") or os.path.join(
    os.path.dirname(_REPO), "shared", "oci-runtime-spec")

_tests = []
_temp_dirs = []
_roots = []


# ---- tests and checks ---------------------------------------------------------

def test(fn):
    """Register `fn` as a test; main() runs tests in definition order."""
    _tests.append(fn)
    return fn


class Skipped(Exception):
    """Raised (via skip()) by a test that cannot run on this host."""


Skip = Skipped


def skip(reason):
    raise Skipped(reason)


class Failure(AssertionError):
    """A failed check; its message is the reason printed after FAIL."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def check_eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def check_in(needle, haystack, what):
    if needle not in haystack:
        raise Failure(f"{what}: expected {needle!r} in {haystack!r}")


def wait_for(predicate, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise Failure(f"timed out waiting for {what}")


# ---- temp dirs, state roots, running the binary -------------------------------

def tempdir(prefix="nucleus-test-"):
    """A fresh directory, removed at exit."""
    d = tempfile.mkdtemp(prefix=prefix)
    _temp_dirs.append(d)
    return d


def new_root():
    """A fresh state root (not yet created) for run(..., root=new_root())."""
    root = os.path.join(tempdir("nucleus-root-"), "state")
    _roots.append(root)
    return root


_root = None


def state_root():
    """The private --root every run() uses by default."""
    global _root
    if _root is None:
        _root = new_root()
    return _root


_seq = [0]


def new_id(prefix="t"):
    """A container id unique to this run."""
    _seq[0] += 1
    return f"{prefix}-{os.getpid()}-{_seq[0]}"


def run(args, input=None, env=None, check=None, root=True, timeout=60, stdin=None, cwd=None):
    """Run `$NUCLEUS --root <root> ARGS`; return (rc, stdout, stderr) as text.

    check: True asserts rc == 0, False asserts rc != 0, an int asserts rc equals it.
    root:  True for the private state_root(), a path for that root, False for
           no --root at all.
    env:   the whole environment (as subprocess takes it); None inherits ours.
    input: text for stdin; otherwise stdin is `stdin` (default /dev/null).
    """
    cmd = [NUCLEUS]
    if root is True:
        cmd += ["--root", state_root()]
    elif root:
        cmd += ["--root", str(root)]
    cmd += [str(a) for a in args]
    if input is None and stdin is None:
        stdin = subprocess.DEVNULL
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, errors="replace", env=env,
                       timeout=timeout, stdin=stdin if input is None else None, cwd=cwd)
    if check is True:
        ok, expected = p.returncode == 0, "0"
    elif check is False:
        ok, expected = p.returncode != 0, "non-zero"
    else:
        ok, expected = check is None or p.returncode == check, str(check)
    if not ok:
        raise Failure(f"{' '.join(cmd)}: exit {p.returncode}, expected {expected}\n"
                      f"  stdout: {p.stdout!r}\n  stderr: {p.stderr!r}")
    return p.returncode, p.stdout, p.stderr


def state(cid):
    """`state CID` parsed; a Failure unless it exits 0."""
    rc, out, err = run(["state", cid])
    check_eq(rc, 0, f"state {cid} exit code ({err!r})")
    return json.loads(out)


def status(cid):
    return state(cid)["status"]


def fails_with(args, message, code=1, **kw):
    """run(args) exits `code` with `message` among the logged errors; returns stderr."""
    rc, out, err = run(args, **kw)
    check_eq(rc, code, f"{' '.join(map(str, args))}: exit code")
    check_in(message, error_messages(err), f"{args[0]} error")
    return err


def run_detached(args, timeout=60):
    """Like run(), with stdio on files: a created or detached container keeps
    the caller's stdio, so pipes would not reach EOF when nucleus exits."""
    return run_to_files([NUCLEUS, "--root", state_root(), *map(str, args)], timeout=timeout)


def error_messages(stderr):
    """The messages in nucleus's stderr: the msg of each text or JSON log
    record (`time="..." level=error msg="..."`), or the plain lines as they are
    (with --log set, errors are printed plain)."""
    messages = []
    for line in stderr.splitlines():
        m = re.match(r'^time="[^"]*" level=\w+ msg=("(?:[^"\\]|\\.)*"|\S*)', line)
        if m:
            text = m.group(1)
            messages.append(ast.literal_eval(text) if text.startswith('"') else text)
        elif line.startswith("{"):
            try:
                messages.append(json.loads(line)["msg"])
            except (ValueError, KeyError):
                messages.append(line)
        else:
            messages.append(line)
    return "\n".join(messages)


# ---- bundles ------------------------------------------------------------------

def make_rootfs(dest):
    """A busybox-static root filesystem at `dest` (which must not exist): the
    binary at /bin/busybox and every applet `busybox --list-full` names (sh,
    true, false, sleep, cat, echo, ls, id, ps, mount, ...) linked to it, with a
    minimal /etc/passwd and /etc/group."""
    os.makedirs(dest)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "proc", "sys", "dev",
              "run", "var"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    os.chmod(os.path.join(dest, "tmp"), 0o1777)
    shutil.copy2(BUSYBOX, os.path.join(dest, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    for applet in applets:
        path = os.path.join(dest, applet)
        if not os.path.lexists(path):
            os.symlink("/bin/busybox", path)
    with open(os.path.join(dest, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(dest, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnobody:x:65534:\n")


_rootfs_cache = None


def config_path(bundle):
    return os.path.join(bundle, "config.json")


def load_config(bundle):
    with open(config_path(bundle)) as f:
        return json.load(f)


def save_config(bundle, config):
    with open(config_path(bundle), "w") as f:
        json.dump(config, f, indent=2)
    # tools/fuzz seeds its config corpus from the bundles the suite makes.
    corpus = os.environ.get("NUCLEUS_CORPUS")
    if corpus:
        text = json.dumps(config, indent=2).encode()
        os.makedirs(corpus, exist_ok=True)
        with open(os.path.join(corpus, hashlib.sha1(text).hexdigest() + ".json"), "wb") as f:
            f.write(text)


def cached_rootfs():
    """A busybox rootfs made once per run (make_rootfs); copy it, never change it."""
    global _rootfs_cache
    if _rootfs_cache is None:
        _rootfs_cache = os.path.join(tempdir("nucleus-rootfs-"), "rootfs")
        make_rootfs(_rootfs_cache)
    return _rootfs_cache


def make_bundle(config_mutator=None, args=None, terminal=False, rootless=False):
    """A bundle dir: a busybox-static rootfs and the config `nucleus spec
    [--rootless]` writes, with process.terminal set to `terminal`, process.args
    replaced when `args` is given, then `config_mutator(config)` applied (it
    edits the dict in place or returns a new one). Returns the bundle path."""
    bundle = tempdir("nucleus-bundle-")
    shutil.copytree(cached_rootfs(), os.path.join(bundle, "rootfs"), symlinks=True)
    run(["spec", "--bundle", bundle] + (["--rootless"] if rootless else []), check=True, root=False)
    config = load_config(bundle)
    config["process"]["terminal"] = terminal
    if args is not None:
        config["process"]["args"] = list(args)
    if config_mutator:
        config = config_mutator(config) or config
    save_config(bundle, config)
    return bundle


# ---- schemas ------------------------------------------------------------------

def schema_dir():
    """OCI_SPEC_DIR/schema; a Failure when it is missing."""
    path = os.path.join(OCI_SPEC_DIR, "schema")
    if not os.path.isdir(path):
        raise Failure(f"no runtime-spec schemas at {path!r} (set OCI_SPEC_DIR)")
    return path


def validate_schema(document, schema_file):
    """Validate `document` against OCI_SPEC_DIR/schema/<schema_file>, with the
    schemas' relative $refs (defs.json, features-linux.json, ...) resolved."""
    import jsonschema
    directory = schema_dir()
    with open(os.path.join(directory, schema_file)) as f:
        schema = json.load(f)
    try:
        import referencing
        import referencing.jsonschema
    except ImportError:  # jsonschema < 4.18 (Debian 12): the older resolver
        resolver = jsonschema.RefResolver(base_uri=f"file://{directory}/", referrer=schema)
        validator = jsonschema.Draft4Validator(schema, resolver=resolver)
    else:
        resources = []
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json"):
                with open(os.path.join(directory, name)) as f:
                    resources.append((name, referencing.Resource.from_contents(
                        json.load(f), default_specification=referencing.jsonschema.DRAFT4)))
        validator = jsonschema.Draft4Validator(
            schema, registry=referencing.Registry().with_resources(resources))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "<document>"
        raise Failure(f"{schema_file}: {where}: {errors[0].message}")


# ---- process hygiene and cleanup ----------------------------------------------

def _become_subreaper():
    PR_SET_CHILD_SUBREAPER = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def reap_orphans():
    """Reap exited children: orphaned containers re-parented to us. Do not
    call it while a Popen of your own may exit (it would take its status)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _mount_points_under(directory):
    """Mount points at or below `directory`, deepest first."""
    top = os.path.realpath(directory)
    prefix = top + "/"
    try:
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4] for line in f]
    except OSError:
        return []
    points = [p.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
              .replace("\\134", "\\") for p in points]
    return sorted((p for p in points if p == top or p.startswith(prefix)), key=len, reverse=True)


@atexit.register
def _cleanup():
    for root in _roots:
        if os.path.isdir(root):
            for cid in os.listdir(root):
                try:
                    subprocess.run([NUCLEUS, "--root", root, "delete", "--force", cid],
                                   capture_output=True, timeout=30)
                except (OSError, subprocess.TimeoutExpired):
                    pass
    reap_orphans()
    for d in reversed(_temp_dirs):
        for point in _mount_points_under(d):  # never let rmtree walk into a mount
            subprocess.run(["umount", "-l", point], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


# ---- what containers leave behind, user namespaces ---------------------------

def cgroup_dirs(cid):
    """The container's cgroup dirs: v1 hierarchies (also below the runtime's
    own cgroup), and cgroup2 at the root of a pure v2 host."""
    found = []
    for depth in range(4):
        found += glob.glob("/sys/fs/cgroup/" + "*/" * depth + cid)
    return [d for d in found if os.path.isdir(d)]


def cgroup_mounts():
    """controller set (frozenset; empty for cgroup2) -> mount point."""
    mounts = {}
    for line in open("/proc/self/mountinfo"):
        left, right = line.split(" - ")
        fstype, _source, options = right.split()
        if fstype == "cgroup2":
            mounts.setdefault(frozenset(), left.split()[4])
        elif fstype == "cgroup":
            opts = {o for o in options.split(",") if o not in ("rw", "ro") and "=" not in o or o.startswith("name=")}
            mounts[frozenset(opts)] = left.split()[4]
    return mounts


def process_cgroup_dirs(pid):
    """Host dirs of pid's cgroups: {controllers string ("" for cgroup2): dir}."""
    mounts = cgroup_mounts()
    dirs = {}
    for line in open(f"/proc/{pid}/cgroup"):
        _hid, ctrls, path = line.rstrip("\n").split(":", 2)
        want = frozenset(ctrls.split(",")) if ctrls else frozenset()
        for opts, point in mounts.items():
            if (not want and not opts) or (want and want <= opts):
                dirs[ctrls] = point + path
                break
    return dirs


def cgroup_file(pid, controller, name):
    """The path of `name` in pid's cgroup for `controller`: its v1 hierarchy,
    else the cgroup2 one (pure v2, or a hybrid host's unified mount)."""
    dirs = process_cgroup_dirs(pid)
    for ctrls, d in dirs.items():
        if controller in ctrls.split(","):
            return d + "/" + name
    if "" in dirs:
        return dirs[""] + "/" + name
    raise Failure(f"no {controller} cgroup for pid {pid}")


def cgroup_limit(pid, controller, v1_name, v2_name):
    """The content of a limit file of pid's cgroup: v1_name in the controller's
    v1 hierarchy, v2_name on a pure cgroup v2 host."""
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    with open(cgroup_file(pid, controller, v2_name if v2 else v1_name)) as f:
        return f.read().strip()


def create_refused(config_mutator, message, peer=False):
    """`create` of a bundle made with config_mutator exits 1, names `message`
    (unless `peer`: another runtime's words differ), and leaves nothing behind."""
    bundle = make_bundle(config_mutator, args=["true"])
    cid = new_id("bad")
    code, _, err = run_detached(["create", "--bundle", bundle, cid])
    check_eq(code, 1, f"create exit code ({error_messages(err)!r})")
    if not peer:
        check_in(message, error_messages(err), "create's error")
    nothing_left(cid)


def processes_mentioning(word):
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(f"{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if word.encode() in argv:
            found.append((int(d[6:]), argv))
    return found


def nothing_left(cid):
    check(not os.path.exists(os.path.join(state_root(), cid)), "state dir left behind")
    check_eq(cgroup_dirs(cid), [], "cgroup dirs left behind")
    check_eq(processes_mentioning(cid), [], "processes left behind")


def userns(c):
    c["linux"]["namespaces"].append({"type": "user"})
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def own_rootfs(bundle):
    """The container's root (host uid 100000) must reach and own its rootfs."""
    os.chmod(bundle, 0o755)
    subprocess.run(["chown", "-R", "100000:100000", os.path.join(bundle, "rootfs")], check=True)


def listening_socket(name):
    """A unix socket in a temp dir, listening, for --console-socket or
    --pidfd-socket; returns (path, socket)."""
    path = os.path.join(tempdir(), name)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(20)
    return path, server



# ---- helpers several suites share --------------------------------------------

def run_to_files(argv, timeout=60, **kw):
    """Run argv with stdio on files rather than pipes: a detached process
    inherits them and would hold a pipe open. Returns (rc, stdout, stderr)."""
    d = tempdir()
    with open(os.path.join(d, "out"), "w+") as out, open(os.path.join(d, "err"), "w+") as err:
        rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, timeout=timeout,
                            **kw).returncode
        out.seek(0)
        err.seek(0)
        return rc, out.read(), err.read()


def kill_and_reap(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def without_dev_mount(c):
    """No tmpfs on /dev: the runtime populates the rootfs's own /dev, which the
    image (and a host-side attacker racing on the bundle) controls."""
    c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]


def replace_with_symlink(path, target):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)


_static_helpers = {}


def static_helper(name, source, flags=()):
    """A static binary built from C `source` (once per run, with extra gcc
    `flags`), to copy into a rootfs: the busybox applets cannot do everything
    an attack needs."""
    if name not in _static_helpers:
        if not shutil.which("gcc"):
            skip(f"no gcc to build the static {name} helper")
        d = tempdir()
        with open(os.path.join(d, name + ".c"), "w") as f:
            f.write(source)
        p = subprocess.run(["gcc", "-static", "-O2", *flags, "-o", os.path.join(d, name),
                            os.path.join(d, name + ".c")], capture_output=True, text=True)
        check_eq(p.returncode, 0, f"building {name}: {p.stderr}")
        _static_helpers[name] = os.path.join(d, name)
    return _static_helpers[name]


_become_subreaper()


# ---- running ------------------------------------------------------------------

def main():
    """Run the registered tests: only those named in sys.argv[1:], if any;
    "!NAME" leaves NAME out (reported as skipped)."""
    left_out = {a[1:] for a in sys.argv[1:] if a.startswith("!")}
    only = [a for a in sys.argv[1:] if not a.startswith("!")]
    unknown = (set(only) | left_out) - {fn.__name__ for fn in _tests}
    if unknown:
        print(f"unknown test(s): {', '.join(sorted(unknown))}")
        sys.exit(2)
    passed = failed = skipped = 0
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        if fn.__name__ in left_out:
            skipped += 1
            print(f"skip {fn.__name__}: left out by the caller", flush=True)
            continue
        start = time.time()
        try:
            fn()
        except Skipped as e:
            skipped += 1
            print(f"skip {fn.__name__}: {e}", flush=True)
            continue
        except Exception as e:  # noqa: BLE001 - one failing test must not stop the rest
            failed += 1
            if isinstance(e, Failure):
                print(f"FAIL {fn.__name__}: {e}", flush=True)
            else:
                print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}", flush=True)
                traceback.print_exc(file=sys.stdout)
            continue
        finally:
            reap_orphans()
        passed += 1
        print(f"ok {fn.__name__} ({time.time() - start:.2f}s)", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), flush=True)
    sys.exit(1 if failed else 0)
