#!/usr/bin/env python3
"""`nucleus exec`: every flag checked from inside the exec'd process (and from
the host through /proc where that is sharper), exit codes, --detach with
--pid-file, --console-socket with a real receiver, the foreground tty proxy
under a real pty, paused / stopped / missing / created containers, a
user-namespaced container, fd leaks and cwd escapes. Needs root."""
import array
import ctypes
import fcntl
import json
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, kill_and_reap, listening_socket, main, make_bundle, new_id,  # noqa: E402
                     process_cgroup_dirs as cgroup_dirs, run, run_to_files, skip, state_root, tempdir,
                     test, wait_for)

NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")

# Detached exec'd processes are re-parented to us (not to a slow PID 1).
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def nucleus(*args):
    return [NUCLEUS, "--root", state_root(), *args]




def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


class Container:
    """A created and started container running `sleep`, deleted on exit."""

    def __init__(self, mutator=None, start=True, args=("sleep", "100000")):
        self.id = new_id("exec")
        self.bundle = make_bundle(mutator, args=list(args))
        os.chmod(self.bundle, 0o755)  # reachable by a user namespace's root
        self.pid_file = os.path.join(tempdir(), "init.pid")
        self.start = start
        self.detached_pids = []

    def __enter__(self):
        # The init inherits create's stdio: files, not pipes that would never see EOF.
        rc, _, err = run_to_files(nucleus("create", "--bundle", self.bundle, "--pid-file", self.pid_file, self.id))
        assert rc == 0, f"create: exit {rc}: {err}"
        self.init = int(open(self.pid_file).read())
        if self.start:
            run(["start", self.id], check=True)
        return self

    def __exit__(self, *exc):
        # Exec'd processes are our children (we are the subreaper): reap them
        # first, or the dying pid namespace waits for us while delete waits for it.
        for pid in self.detached_pids:
            kill_and_reap(pid)
        self.detached_pids = []
        run(["delete", "--force", self.id])
        reap()

    def stop(self, pid):
        """Kill and reap a detached exec'd process."""
        kill_and_reap(pid)
        if pid in self.detached_pids:
            self.detached_pids.remove(pid)

    def exec(self, *args, flags=(), check=None, **kw):
        return run(["exec", *flags, self.id, *args], check=check, **kw)

    def out(self, *args, flags=()):
        return self.exec(*args, flags=flags, check=True)[1]

    def detached(self, *args, flags=()):
        """Start `args` with --detach; return its pid (from --pid-file)."""
        pid_file = os.path.join(tempdir(), "exec.pid")
        rc, _, err = run_to_files(nucleus("exec", "--detach", "--pid-file", pid_file, *flags, self.id, *args))
        assert rc == 0, f"exec --detach: exit {rc}: {err}"
        text = open(pid_file).read()
        assert text.isdigit(), f"pid file holds {text!r}"
        self.detached_pids.append(int(text))
        return int(text)


def ns_links(pid):
    out = {}
    for ns in NAMESPACES:
        try:
            out[ns] = os.readlink(f"/proc/{pid}/ns/{ns}")
        except FileNotFoundError:
            pass
    return out


def proc_status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return line.split(":", 1)[1].strip()
    raise KeyError(key)




# ---- output, exit codes, errors ---------------------------------------------

@test
def exec_output_and_exit_status():
    with Container() as c:
        rc, out, err = c.exec("sh", "-c", "echo out; echo err >&2; exit 7")
        assert rc == 7, (rc, err)
        assert out == "out\n", out
        assert "err" in err, err
        assert c.exec("true")[0] == 0


@test
def exec_killed_process_exits_128_plus_signal():
    with Container() as c:
        assert c.exec("sh", "-c", "kill -9 $$")[0] == 137
        assert c.exec("sh", "-c", "kill -TERM $$")[0] == 143


@test
def exec_forwards_signals_in_the_foreground():
    with Container() as c:
        p = subprocess.Popen(nucleus("exec", c.id, "sh", "-c",
                                     "trap 'echo got-term; exit 42' TERM; echo ready; "
                                     "while :; do sleep 0.05; done"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.stdout.readline() == "ready\n"
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
        assert p.returncode == 42, (p.returncode, err)
        assert "got-term" in out, out


@test
def exec_missing_binary_fails_with_runc_messages():
    with Container() as c:
        rc, _, err = c.exec("nosuch")
        assert rc == 255, rc
        # (the text log format escapes the quotes)
        assert 'exec failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH' in err, err
        rc, _, err = c.exec("/nosuch")
        assert rc == 255, rc
        assert 'exec: \\"/nosuch\\": stat /nosuch: no such file or directory' in err, err


@test
def exec_missing_container():
    rc, _, err = run(["exec", "no-such-container", "true"])
    assert rc == 255, rc
    assert "exec failed: container does not exist" in err, err


@test
def exec_stopped_container():
    with Container() as c:
        os.kill(c.init, signal.SIGKILL)
        wait_for(lambda: not os.path.exists(f"/proc/{c.init}") or
                 proc_status(c.init, "State").startswith("Z"), what="init to die")
        reap()
        rc, _, err = c.exec("true")
        assert rc == 255, rc
        assert "exec failed: cannot exec in a stopped container" in err, err


@test
def exec_created_container():
    # runc takes execs into a created (not yet started) container.
    with Container(start=False) as c:
        assert c.out("echo", "hi") == "hi\n"
        assert ns_links(c.detached("sleep", "100")) == ns_links(c.init)


def freeze(c, frozen):
    """nucleus pause/resume where they exist, else the freezer itself."""
    if run(["pause" if frozen else "resume", c.id])[0] == 0:
        return
    dirs = cgroup_dirs(c.init)
    if "freezer" in dirs:
        with open(os.path.join(dirs["freezer"], "freezer.state"), "w") as f:
            f.write("FROZEN" if frozen else "THAWED")
    else:
        with open(os.path.join(dirs[""], "cgroup.freeze"), "w") as f:
            f.write("1" if frozen else "0")


@test
def exec_paused_container():
    with Container() as c:
        freeze(c, True)
        try:
            rc, _, err = c.exec("true")
            assert rc == 255, rc
            assert "cannot exec in a paused container (use --ignore-paused to override)" in err, err
            # With --ignore-paused the process joins the frozen cgroup and runs once thawed.
            p = subprocess.Popen(nucleus("exec", "--ignore-paused", c.id, "echo", "thawed"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(0.5)
            assert p.poll() is None, ("ran while frozen", p.communicate())
        finally:
            freeze(c, False)
        out, err = p.communicate(timeout=20)
        assert p.returncode == 0, (p.returncode, err)
        assert out == "thawed\n", out


# ---- namespaces and cgroups ---------------------------------------------------

@test
def exec_joins_every_namespace_of_the_init():
    with Container() as c:
        inside = c.out("sh", "-c", " ".join(f"echo {ns}=$(readlink /proc/self/ns/{ns});" for ns in NAMESPACES))
        got = dict(line.split("=", 1) for line in inside.split())
        want = ns_links(c.init)
        assert {k: v for k, v in got.items() if v} == want, (got, want)
        # Sanity: the container has namespaces of its own to join.
        assert want["mnt"] != os.readlink("/proc/self/ns/mnt") and want["pid"] != os.readlink("/proc/self/ns/pid")
        pid = c.detached("sleep", "100")
        assert ns_links(pid) == want
        # It is in the container's pid namespace: its pid there is not its host pid.
        assert proc_status(pid, "NSpid").split()[0] == str(pid)
        assert len(proc_status(pid, "NSpid").split()) == 2


@test
def exec_joins_the_container_cgroup():
    with Container() as c:
        inside = c.out("sh", "-c", "cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup")
        mine, init = inside.split("---\n")
        assert mine == init, inside
        pid = c.detached("sleep", "100")
        assert open(f"/proc/{pid}/cgroup").read() == open(f"/proc/{c.init}/cgroup").read()


@test
def exec_cgroup_flag_picks_sub_cgroups():
    with Container() as c:
        dirs = cgroup_dirs(c.init)
        made = []
        try:
            for d in sorted(set(dirs.values())):
                for sub in ("sub", "sub2"):
                    os.mkdir(os.path.join(d, sub))
                    made.append(os.path.join(d, sub))
                    # v1: empty ones take no tasks (v2 has no cpuset files
                    # where the parent does not enable the controller).
                    for f in ("cpuset.cpus", "cpuset.mems"):
                        if os.path.exists(os.path.join(d, sub, f)):
                            with open(os.path.join(d, sub, f), "w") as out:
                                out.write(open(os.path.join(d, f)).read())
            pid = c.detached("sleep", "100", flags=["--cgroup", "sub"])
            for line in open(f"/proc/{pid}/cgroup"):
                assert line.rstrip().endswith("/sub"), line
            c.stop(pid)
            v1 = [k for k in dirs if k and k != "name=systemd"]
            if v1:
                ctrl = "memory" if "memory" in v1 else v1[0].split(",")[0]
                pid = c.detached("sleep", "100", flags=["--cgroup", f"{ctrl}:sub2"])
                for line in open(f"/proc/{pid}/cgroup"):
                    ctrls = line.split(":")[1].split(",")
                    assert line.rstrip().endswith("/sub2") == (ctrl in ctrls), line
                c.stop(pid)
            rc, _, err = c.exec("true", flags=["--cgroup", "nope"])
            assert rc == 255 and "error adding pid" in err and "nope" in err, (rc, err)
        finally:
            c.__exit__()
            for d in reversed(made):
                if os.path.isdir(d):
                    os.rmdir(d)


@test
def exec_user_namespaced_container():
    def userns(config):
        config["linux"]["namespaces"].append({"type": "user"})
        config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        config["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]

    with Container(userns) as c:
        assert c.out("id", "-u") == "0\n"
        assert c.out("cat", "/proc/self/uid_map").split() == ["0", "100000", "65536"]
        want = ns_links(c.init)
        assert want["user"] != os.readlink("/proc/self/ns/user")
        pid = c.detached("sleep", "100", flags=["-u", "1000:1000"])
        assert ns_links(pid) == want
        assert proc_status(pid, "Uid").split() == ["101000"] * 4
        assert proc_status(pid, "Gid").split() == ["101000"] * 4


# ---- the process's attributes ------------------------------------------------

@test
def exec_user_and_groups():
    with Container() as c:
        out = c.out("cat", "/proc/self/status", flags=["-u", "1000:1001", "-g", "10", "-g", "20"])
        status = dict(line.split(":", 1) for line in out.splitlines())
        assert status["Uid"].split() == ["1000"] * 4, status["Uid"]
        assert status["Gid"].split() == ["1001"] * 4, status["Gid"]
        assert status["Groups"].split() == ["10", "20"], status["Groups"]
        assert c.out("id", "-u", flags=["-u", "1234"]) == "1234\n"


@test
def exec_cwd_and_env():
    with Container() as c:
        out = c.out("sh", "-c", "pwd; env", flags=["--cwd", "/tmp", "-e", "FOO=bar", "-e", "PATH=/bin", "-e", "FOO=baz"])
        lines = out.splitlines()
        assert lines[0] == "/tmp", lines
        assert "FOO=baz" in lines and "FOO=bar" not in lines, lines
        assert [entry for entry in lines if entry.startswith("PATH=")] == ["PATH=/bin"], lines
        assert "HOME=/root" in lines, lines  # from the container's /etc/passwd
        rc, _, err = c.exec("true", flags=["--cwd", "/nonexistent"])
        assert rc == 255 and "/nonexistent" in err, (rc, err)


def caps(out):
    return {line.split(":")[0]: int(line.split()[1], 16) for line in out.splitlines() if line.startswith("Cap")}


@test
def exec_capabilities():
    with Container() as c:
        base = caps(c.out("cat", "/proc/self/status"))
        assert base["CapEff"] != 0 and base["CapEff"] == base["CapPrm"]
        net_admin = 1 << 12
        assert not base["CapBnd"] & net_admin
        added = caps(c.out("cat", "/proc/self/status", flags=["--cap", "CAP_NET_ADMIN"]))
        for s in ("CapEff", "CapPrm", "CapBnd"):
            assert added[s] == base[s] | net_admin, (s, hex(added[s]), hex(base[s]))


@test
def exec_no_new_privs():
    def allow_privs(config):
        config["process"]["noNewPrivileges"] = False

    with Container(allow_privs) as c:
        assert proc_status_inside(c, []) == "0"
        assert proc_status_inside(c, ["--no-new-privs"]) == "1"


def proc_status_inside(c, flags):
    out = c.out("cat", "/proc/self/status", flags=flags)
    return next(line.split()[1] for line in out.splitlines() if line.startswith("NoNewPrivs:"))


@test
def exec_process_json_ignores_process_flags():
    with Container() as c:
        path = os.path.join(tempdir(), "process.json")
        json.dump({"args": ["sh", "-c", "echo $WHO; pwd; id -u; exit 9"], "cwd": "/etc",
                   "env": ["PATH=/bin", "WHO=json"], "user": {"uid": 7, "gid": 7}}, open(path, "w"))
        rc, out, err = c.exec(flags=["--process", path, "--cwd", "/tmp", "-u", "5"])
        assert rc == 9, (rc, err)
        assert out.split() == ["json", "/etc", "7"], out
        rc, _, err = c.exec(flags=["--process", os.path.join(tempdir(), "missing.json")])
        assert rc == 255 and "exec failed:" in err, (rc, err)


@test
def exec_lsm_labels_the_host_lacks_are_errors():
    if os.path.exists("/sys/fs/selinux/enforce") or os.path.exists("/sys/module/apparmor"):
        skip("this host has an LSM")
    with Container() as c:
        rc, _, err = c.exec("true", flags=["--process-label", "system_u:system_r:container_t:s0"])
        assert rc == 255 and "selinux label is specified in config, but selinux is disabled or not supported" in err, err
        rc, _, err = c.exec("true", flags=["--apparmor", "unconfined"])
        assert rc == 255 and "AppArmor is not enabled" in err, err


# ---- detach, pid file, fds, cwd escapes ------------------------------------

@test
def exec_detach_writes_the_pid_file_and_reparents():
    with Container() as c:
        start = time.time()
        pid = c.detached("sleep", "100")
        assert time.time() - start < 10
        # nucleus is gone; its child came to us, the subreaper.
        assert int(proc_status(pid, "PPid")) == os.getpid()
        assert proc_status(pid, "Name") == "sleep"
        c.stop(pid)


@test
def exec_leaks_no_fd():
    with Container() as c:
        r, w = os.pipe()
        log = os.path.join(tempdir(), "log.json")
        pid_file = os.path.join(tempdir(), "p.pid")
        # An inherited fd 3 and nucleus's own log fd must not reach the process.
        rc, _, err = run_to_files([NUCLEUS, "--log", log, "--root", state_root(), "exec", "-d", "--pid-file",
                                   pid_file, c.id, "sleep", "100"], pass_fds=(r,))
        assert rc == 0, err
        pid = int(open(pid_file).read())
        assert sorted(os.listdir(f"/proc/{pid}/fd"), key=int) == ["0", "1", "2"], os.listdir(f"/proc/{pid}/fd")
        c.stop(pid)
        # --preserve-fds passes fds 3.. on, the very same open file.
        rc, _, err = run_to_files(nucleus("exec", "-d", "--pid-file", pid_file, "--preserve-fds", "1", c.id,
                                          "sleep", "100"), pass_fds=(r, 3), preexec_fn=lambda: os.dup2(r, 3))
        assert rc == 0, err
        pid = int(open(pid_file).read())
        assert sorted(os.listdir(f"/proc/{pid}/fd"), key=int) == ["0", "1", "2", "3"]
        assert os.readlink(f"/proc/{pid}/fd/3") == os.readlink(f"/proc/self/fd/{r}")
        c.stop(pid)
        # From inside: nothing but stdio and the listing's own directory fd.
        fds = c.out("ls", "/proc/self/fd").split()
        assert fds[:3] == ["0", "1", "2"] and len(fds) <= 4, fds
        os.close(r)
        os.close(w)


@test
def exec_cwd_cannot_reach_the_host():
    with Container() as c:
        for fd in range(3, 12):
            rc, out, err = c.exec("pwd", flags=["--cwd", f"/proc/self/fd/{fd}"])
            assert rc == 255, (fd, rc, out)  # no fd of ours is there to follow
        assert c.out("pwd", flags=["--cwd", "/../../../.."]) == "/\n"
        # The host cwd of nucleus is never the process's: run it from a host dir with a marker.
        host = tempdir()
        open(os.path.join(host, "HOST-MARKER"), "w").close()
        p = subprocess.run(nucleus("exec", c.id, "sh", "-c", "ls / /proc/self/cwd/"), cwd=host, capture_output=True, text=True)
        assert p.returncode == 0 and "HOST-MARKER" not in p.stdout and "bin" in p.stdout.split(), p.stdout


# ---- terminals ------------------------------------------------------------------

def recv_fd(sock):
    fds = array.array("i")
    msg, anc, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    return msg, list(fds)


def read_until_closed(fd, timeout=20):
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every slave fd is closed
            break
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


@test
def exec_console_socket_receives_the_pty_master():
    with Container() as c:
        path, server = listening_socket("console.sock")
        pid_file = os.path.join(tempdir(), "p.pid")
        p = subprocess.Popen(nucleus("exec", "-d", "-t", "--console-socket", path, "--pid-file", pid_file,
                                     c.id, "sh", "-c", "tty; echo hello-console; sleep 0.3"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        conn, _ = server.accept()
        msg, fds = recv_fd(conn)
        assert len(fds) == 1 and msg, (msg, fds)
        assert p.wait(timeout=20) == 0, p.communicate()
        assert os.path.exists(pid_file)
        text = read_until_closed(fds[0])
        assert "/dev/pts/" in text and "hello-console" in text, text
        c.detached_pids.append(int(open(pid_file).read()))
        os.close(fds[0])
        conn.close()
        server.close()


@test
def exec_pidfd_socket_receives_a_pidfd():
    with Container() as c:
        path, server = listening_socket("pidfd.sock")
        pid_file = os.path.join(tempdir(), "p.pid")
        rc, _, err = run_to_files(nucleus("exec", "-d", "--pidfd-socket", path, "--pid-file", pid_file,
                                          c.id, "sleep", "100"))
        assert rc == 0, err
        pid = int(open(pid_file).read())
        c.detached_pids.append(pid)
        conn, _ = server.accept()
        _msg, fds = recv_fd(conn)
        assert len(fds) == 1, fds
        assert os.readlink(f"/proc/self/fd/{fds[0]}") == "anon_inode:[pidfd]"
        fdinfo = open(f"/proc/self/fdinfo/{fds[0]}").read()
        assert f"Pid:\t{pid}" in fdinfo, fdinfo
        signal.pidfd_send_signal(fds[0], signal.SIGKILL)
        wait_for(lambda: proc_status(pid, "State").startswith("Z"), what="the pidfd's process to die")
        os.close(fds[0])
        conn.close()
        server.close()


@test
def exec_tty_flag_checks():
    with Container() as c:
        rc, _, err = c.exec("true", flags=["-d", "-t"])
        assert rc == 255 and "cannot allocate tty if runc will detach without setting console socket" in err, err
        rc, _, err = c.exec("true", flags=["-d", "--console-socket", "/nonexistent.sock"])
        assert rc == 255 and "cannot use console socket if runc will not detach or allocate tty" in err, err
        # -t in the foreground needs a terminal to proxy: none here (no ctty, pipes).
        p = subprocess.run(nucleus("exec", "-t", c.id, "true"), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, start_new_session=True)
        assert p.returncode == 255 and "open /dev/tty" in p.stderr, (p.returncode, p.stderr)


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def spawn_on_pty(argv, rows, cols):
    """argv as the session leader of a new pty (its controlling terminal and
    stdio), the way a terminal emulator or CRI-O's conmon gives one."""
    master, slave = os.openpty()
    set_winsize(slave, rows, cols)
    modes = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(slave)
    return pid, master, modes


@test
def exec_tty_proxy_under_a_real_pty():
    with Container() as c:
        script = "tty; stty -a | head -1; read line; echo got:$line; stty -a | head -1; exit 3"
        pid, master, _ = spawn_on_pty(nucleus("exec", "-t", c.id, "sh", "-c", script), 33, 77)
        out = ""
        deadline = time.time() + 20
        while "columns 77" not in out and time.time() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                out += os.read(master, 4096).decode(errors="replace")
        assert "/dev/pts/" in out and "rows 33; columns 77" in out, out
        # Raw mode on our side while the proxy runs: no local echo, no line editing
        # (tcgetattr on a master reads its slave's modes).
        assert not termios.tcgetattr(master)[3] & termios.ICANON
        set_winsize(master, 44, 88)  # SIGWINCH to nucleus, which copies the size in
        time.sleep(0.3)
        os.write(master, b"hello\r")
        out += read_until_closed(master)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 3, (status, out)
        assert "got:hello" in out, out
        assert "rows 44; columns 88" in out, out
        os.close(master)


@test
def exec_process_json_with_terminal_in_the_foreground():
    # CRI-O's kubectl exec -t: `exec --process F ID`, terminal true, the
    # runtime's stdio a pty slave; nucleus allocates the inner pty and proxies.
    with Container() as c:
        path = os.path.join(tempdir(), "process.json")
        json.dump({"terminal": True, "args": ["sh", "-c", "tty; read x; echo in:$x; exit 5"], "cwd": "/",
                   "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}, open(path, "w"))
        pid, master, _ = spawn_on_pty(nucleus("exec", "--process", path, c.id), 24, 80)
        out = ""
        deadline = time.time() + 20
        while "/dev/pts/" not in out and time.time() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                out += os.read(master, 4096).decode(errors="replace")
        os.write(master, b"abc\r")
        out += read_until_closed(master)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 5, (status, out)
        assert "in:abc" in out, out
        os.close(master)


@test
def exec_tty_proxy_restores_the_terminal():
    with Container() as c:
        pid, master, before = spawn_on_pty(nucleus("exec", "-t", c.id, "sh", "-c", "sleep 0.5"), 24, 80)
        wait_for(lambda: not termios.tcgetattr(master)[3] & termios.ICANON, what="raw mode")
        read_until_closed(master)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        assert before[3] & termios.ICANON
        assert termios.tcgetattr(master)[3] == before[3], "terminal modes not restored"
        os.close(master)


if __name__ == "__main__":
    main()
