#!/usr/bin/env python3
"""Seccomp notify on real busybox containers: SCMP_ACT_NOTIFY rules with
linux.seccomp.listenerPath and listenerMetadata. A seccomp agent in this
test listens on a unix socket, checks the container process state it is sent
(runc's fields, in runc's order) and the one fd attached, and answers the
notifications with SECCOMP_IOCTL_NOTIF_RECV / _SEND: mkdir "succeeds" and
makes nothing. For create (noNewPrivileges true and false) and exec; then
runc's refusals and the errors of an agent that is not there, which fail
create or exec and leave nothing behind.

Runs against runc too (NUCLEUS=/usr/bin/runc): where nucleus deviates the
test says so and is skipped in that mode only. Needs root."""
import contextlib
import ctypes
import errno
import fcntl
import json
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (NUCLEUS, check, check_eq, check_in, error_messages, main, make_bundle, new_id,  # noqa: E402
                     nothing_left, run, run_detached, skip, state_root, tempdir, test, wait_for)

RUNC = os.path.basename(NUCLEUS) == "runc"
MKDIR = ("mkdir", "mkdirat")


# ---- the agent ------------------------------------------------------------------

class SeccompData(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int32), ("arch", ctypes.c_uint32), ("instruction_pointer", ctypes.c_uint64),
                ("args", ctypes.c_uint64 * 6)]


class Notif(ctypes.Structure):  # struct seccomp_notif
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("data", SeccompData)]


class NotifResp(ctypes.Structure):  # struct seccomp_notif_resp
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


def _iowr(nr, size):  # _IOWR(SECCOMP_IOC_MAGIC '!', nr, size)
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = _iowr(0, ctypes.sizeof(Notif))
NOTIF_SEND = _iowr(1, ctypes.sizeof(NotifResp))
FLAG_CONTINUE = 1  # SECCOMP_USER_NOTIF_FLAG_CONTINUE


class Agent:
    """A seccomp agent on a unix socket: each connection brings one container
    process state and its fds; each listener is then served in a thread that
    answers mkdir/mkdirat with success (doing nothing) and lets anything else
    continue."""

    def __init__(self):
        self.path = os.path.join(tempdir(), "agent.sock")
        self.messages = []  # (raw JSON bytes, [fd link targets])
        self.notified = []  # syscall numbers asked about
        self.errors = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(8)
        self._server.settimeout(0.2)
        self._stop = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def stop(self):
        self._stop = True
        self._server.close()

    def _accept_loop(self):
        while not self._stop:
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._receive, args=(conn,), daemon=True).start()

    def _receive(self, conn):
        try:
            with conn:
                conn.settimeout(20)
                # The spec lets a runtime split the JSON; the fds come with the first part.
                data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 4)
                while not complete_json(data):
                    more = conn.recv(1 << 20)
                    if not more:
                        break
                    data += more
                links = [os.readlink(f"/proc/self/fd/{fd}") for fd in fds]
                for fd in fds[1:]:
                    os.close(fd)
                if fds:
                    threading.Thread(target=self._serve_listener, args=(fds[0],), daemon=True).start()
                # One message per connection, then the runtime closes it (the spec's MUST).
                conn.settimeout(5)
                try:
                    closed = conn.recv(1) == b""
                except socket.timeout:
                    closed = False
                self.messages.append((data, links, closed))
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(repr(e))

    def _serve_listener(self, fd):
        mkdir_numbers = {syscall_number(n) for n in MKDIR}
        try:
            while not self._stop:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                req = Notif()
                try:
                    fcntl.ioctl(fd, NOTIF_RECV, req)
                except OSError as e:
                    if e.errno == errno.EINTR:
                        continue
                    return  # ENOENT: no process uses the filter any more
                self.notified.append(req.data.nr)
                answer = NotifResp(id=req.id)  # val 0, error 0: "it worked"
                if req.data.nr not in mkdir_numbers:
                    answer.flags = FLAG_CONTINUE
                try:
                    fcntl.ioctl(fd, NOTIF_SEND, answer)
                except OSError as e:
                    if e.errno != errno.ENOENT:  # the process died meanwhile
                        raise
        except Exception as e:  # noqa: BLE001
            self.errors.append(repr(e))
        finally:
            os.close(fd)

    def state(self, index):
        """The index-th message, decoded with its keys in order, and the fds
        that came with it (their /proc/self/fd links)."""
        wait_for(lambda: len(self.messages) > index, timeout=20, what=f"message {index} at the agent")
        data, links, closed = self.messages[index]
        if not RUNC:  # runc 1.1 bug: the connection stays open until runc exits (Go GC)
            check(closed, "the runtime left the agent's connection open")
        return json.loads(data, object_pairs_hook=list), links


def complete_json(data):
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


def syscall_number(name):
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    return lib.seccomp_syscall_resolve_name(name.encode())


# ---- profiles and containers -----------------------------------------------------

def notify_profile(listener_path, **extra):
    return {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": listener_path,
            "syscalls": [{"names": list(MKDIR), "action": "SCMP_ACT_NOTIFY"}], **extra}


def bundle_with(profile, args, no_new_privileges=True, user=None):
    def mutate(c):
        c["linux"]["seccomp"] = profile
        c["root"]["readonly"] = False  # so that only the agent keeps mkdir from making anything
        c["process"]["noNewPrivileges"] = no_new_privileges
        c["annotations"] = {"org.test.key": "value"}
        if user:
            c["process"]["user"] = user
    return make_bundle(mutate, args=args)


MKDIR_SCRIPT = "mkdir /x && echo made; [ -e /x ] || echo absent"


def check_process_state(message, cid, bundle, pid, status, metadata=None):
    """The container process state as runc 1.1 sends it."""
    keys = [k for k, _ in message]
    check_eq(keys, ["ociVersion", "fds", "pid"] + (["metadata"] if metadata else []) + ["state"], "message keys")
    m = dict(message)
    check(isinstance(m["ociVersion"], str) and m["ociVersion"], f"ociVersion {m['ociVersion']!r}")
    check_eq(m["fds"], ["seccompFd"], "fds")
    check_eq(m["pid"], pid, "pid")
    if metadata:
        check_eq(m["metadata"], metadata, "metadata")
    state = dict(m["state"])
    check_eq([k for k, _ in m["state"]], ["ociVersion", "id", "status", "pid", "bundle", "annotations"],
             "state keys")
    check_eq(state["id"], cid, "state.id")
    check_eq(state["status"], status, "state.status")
    check_eq(state["bundle"], bundle, "state.bundle")
    check_eq(dict(state["annotations"]), {"org.test.key": "value"}, "state.annotations")
    return state


def container_pid(cid):
    _, out, _ = run(["state", cid], check=True)
    return json.loads(out)["pid"]


def wait_stopped(cid):
    wait_for(lambda: json.loads(run(["state", cid], check=True)[1])["status"] == "stopped",
             what=f"{cid} to stop")


def create_is_refused(profile, *messages):
    """create exits 1 with each of `messages` in its error, and leaves nothing behind."""
    bundle = bundle_with(profile, ["true"])
    cid = new_id("ntf")
    code, _, err = run_detached(["create", "--bundle", bundle, cid])
    check_eq(code, 1, f"create exit code ({err!r})")
    for message in messages:
        check_in(message, error_messages(err), "create's error")
    nothing_left(cid)


# ---- create --------------------------------------------------------------------------

@test
def create_hands_the_listener_to_the_agent_which_answers_mkdir():
    agent = Agent()
    bundle = bundle_with(notify_profile(agent.path, listenerMetadata="MKNOD=/dev/null;x"),
                         ["sh", "-c", "{ " + MKDIR_SCRIPT + "; } > /tmp/out"])
    cid = new_id("ntf")
    try:
        code, _, err = run_detached(["create", "--bundle", bundle, cid])
        check_eq(code, 0, f"create exit code ({err!r})")
        pid = container_pid(cid)
        message, links = agent.state(0)
        # As runc: the init's pid, the state the createRuntime hooks get.
        state = check_process_state(message, cid, bundle, pid, "creating", metadata="MKNOD=/dev/null;x")
        check_eq(state["pid"], pid, "state.pid")
        check_eq(links, ["anon_inode:seccomp notify"], "the fds attached")
        run(["start", cid], check=True)
        wait_stopped(cid)
        with open(os.path.join(bundle, "rootfs", "tmp", "out")) as f:
            out = f.read()
        check_eq(out, "made\nabsent\n", "the container's mkdir, answered by the agent")
        check(set(agent.notified) & {syscall_number(n) for n in MKDIR}, f"notified {agent.notified}")
        check_eq(agent.errors, [], "agent errors")
    finally:
        run(["delete", "--force", cid])
        agent.stop()


@test
def without_no_new_privileges_the_listener_comes_from_before_the_identity_switch():
    agent = Agent()
    # A non-root user: the filter is loaded while CAP_SYS_ADMIN is still held.
    bundle = bundle_with(notify_profile(agent.path), ["sh", "-c", MKDIR_SCRIPT + "; id -u"],
                         no_new_privileges=False, user={"uid": 1000, "gid": 1000})
    code, out, err = run(["run", "--bundle", bundle, new_id("ntf")])
    check_eq(code, 0, f"run exit code ({err!r})")
    check_eq(out, "made\nabsent\n1000\n", "the container's output")
    message, _ = agent.state(0)
    check_eq(dict(dict(message)["state"])["status"], "creating", "state.status")
    agent.stop()


# ---- exec ----------------------------------------------------------------------------

@contextlib.contextmanager
def sleeping_container(agent):
    """A running container under a notify profile whose listener went to
    `agent`; yields (id, bundle) and force-deletes it after."""
    bundle = bundle_with(notify_profile(agent.path), ["sleep", "1000"])
    cid = new_id("ntf")
    try:
        code, _, err = run_detached(["run", "--detach", "--bundle", bundle, cid])
        check_eq(code, 0, f"run --detach exit code ({err!r})")
        agent.state(0)  # the init's
        yield cid, bundle
    finally:
        run(["delete", "--force", cid])


@test
def exec_hands_its_listener_over_with_the_running_state():
    agent = Agent()
    with sleeping_container(agent) as (cid, bundle):
        init_pid = container_pid(cid)
        code, out, err = run(["exec", cid, "sh", "-c", MKDIR_SCRIPT])
        check_eq(code, 0, f"exec exit code ({err!r})")
        check_eq(out, "made\nabsent\n", "the exec'd mkdir, answered by the agent")
        message, links = agent.state(1)
        # As runc: the exec'd process's pid on top, the init's in the state.
        exec_pid = dict(message)["pid"]
        state = check_process_state(message, cid, bundle, exec_pid, "running")
        check_eq(state["pid"], init_pid, "state.pid")
        check(exec_pid != init_pid, f"the exec'd process's pid {exec_pid}")
        check_eq(links, ["anon_inode:seccomp notify"], "the fds attached")
        check_eq(agent.errors, [], "agent errors")
    agent.stop()


@test
def exec_fails_when_the_agent_is_gone_and_runs_nothing():
    agent = Agent()
    with sleeping_container(agent) as (cid, bundle):
        agent.stop()
        os.unlink(agent.path)
        code, _, err = run(["exec", cid, "sh", "-c", "echo ran > /tmp/ran"])
        check_eq(code, 255, f"exec exit code ({err!r})")
        check_in(agent.path, error_messages(err), "exec's error")
        if not RUNC:
            check_in("linux.seccomp.listenerPath", error_messages(err), "exec's error")
        check(not os.path.exists(os.path.join(bundle, "rootfs", "tmp", "ran")), "the command ran")
        check_eq(json.loads(run(["state", cid], check=True)[1])["status"], "running", "the container")


# ---- errors and refusals -----------------------------------------------------------

@test
def an_agent_that_is_not_there_fails_create_and_leaves_nothing():
    missing = os.path.join(tempdir(), "none.sock")
    deaf = os.path.join(tempdir(), "deaf.sock")  # bound, not listening
    deaf_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deaf_socket.bind(deaf)
    field = [] if RUNC else ["linux.seccomp.listenerPath"]  # runc: "failed to connect with seccomp agent ..."
    create_is_refused(notify_profile(missing), missing, "no such file or directory", *field)
    create_is_refused(notify_profile(deaf), deaf, "connection refused", *field)
    deaf_socket.close()


@test
def notify_without_listener_path_is_refused():
    profile = notify_profile("")
    del profile["listenerPath"]
    create_is_refused(profile, "listenerPath is not set")


@test
def listener_path_without_a_notify_rule_is_ignored():
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": os.path.join(tempdir(), "none.sock"),
               "syscalls": [{"names": list(MKDIR), "action": "SCMP_ACT_ERRNO"}]}
    code, out, err = run(["run", "--bundle", bundle_with(profile, ["sh", "-c", "mkdir /x 2>&1; true"]),
                          new_id("ntf")])
    check_eq(code, 0, f"run exit code ({err!r})")
    check_in("Operation not permitted", out, "mkdir's error")


@test
def notify_as_default_action_or_for_write_is_refused_as_runc_refuses_it():
    path = os.path.join(tempdir(), "none.sock")
    create_is_refused(notify_profile(path, defaultAction="SCMP_ACT_NOTIFY",
                                     syscalls=[{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]),
                      "SCMP_ACT_NOTIFY cannot be used as default action")
    create_is_refused(notify_profile(path, syscalls=[{"names": ["write", "mkdir"], "action": "SCMP_ACT_NOTIFY"}]),
                      "SCMP_ACT_NOTIFY cannot be used for the write syscall")


@test
def notify_for_sendmsg_is_refused():
    """nucleus deviates: it hands the listener to the runtime with sendmsg(2),
    which therefore cannot wait on the agent; runc passes the fd number with
    write(2) and takes the fd with pidfd_getfd."""
    if RUNC:
        skip("nucleus deviates: runc hands the listener over with write(2), and refuses only write")
    create_is_refused(notify_profile(os.path.join(tempdir(), "none.sock"),
                                     syscalls=[{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]),
                      "SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall")


main()
