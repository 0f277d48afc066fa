"""Private instances of the real callers — containerd (its runc v2 shim) and
podman (through conmon) — each with its own root, state and socket in a
temporary directory, driving the nucleus binary under test."""
import os
import shutil
import subprocess
import tempfile
import time

import oci_image

IMAGE = "localhost/busybox:nucleus-test"


def _image_archive(work):
    path = os.path.join(work, "busybox-oci.tar")
    oci_image.build(path, IMAGE)
    return path


class Containerd:
    """containerd with the CRI plugin off, on a private socket."""

    def __init__(self, nucleus):
        self.nucleus = nucleus
        self.work = tempfile.mkdtemp(prefix="nucleus-containerd-")
        self.sock = os.path.join(self.work, "containerd.sock")
        # The shim's --root for nucleus: <runtime root>/<namespace>.
        self.runtime_root = os.path.join(self.work, "runtime-root")
        config = os.path.join(self.work, "config.toml")
        with open(config, "w") as f:
            f.write(f'''version = 2
root = "{self.work}/root"
state = "{self.work}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
''')
        self.log = open(os.path.join(self.work, "containerd.log"), "w")
        self.proc = subprocess.Popen(["containerd", "--config", config], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("containerd did not start: " + open(self.log.name).read()[-2000:])
            time.sleep(0.05)
        self.ctr("images", "import", _image_archive(self.work))

    def ctr(self, *args, timeout=60, check=True, stdin=subprocess.DEVNULL):
        p = subprocess.run(["ctr", "-a", self.sock, *args], capture_output=True, text=True,
                           timeout=timeout, stdin=stdin)
        if check and p.returncode != 0:
            raise RuntimeError(f"ctr {' '.join(args)}: exit {p.returncode}: {p.stderr}")
        return p

    def run_args(self, *extra):
        """Arguments for `ctr run` that select nucleus through the runc v2 shim."""
        return ["run", "--runtime", "io.containerd.runc.v2", "--runc-binary", self.nucleus, *extra]

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        subprocess.run(["umount", "-R", os.path.join(self.work, "state")], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.work, ignore_errors=True)


class Podman:
    """podman with private storage and config, cgroupfs, no network."""

    def __init__(self, nucleus):
        self.nucleus = nucleus
        self.work = tempfile.mkdtemp(prefix="nucleus-podman-")
        w = self.work
        with open(f"{w}/containers.conf", "w") as f:
            # podman's default ulimits exceed this machine's hard limits.
            f.write(f'''[containers]
default_ulimits = []
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{w}/events.log"
tmp_dir = "{w}/tmp"
static_dir = "{w}/static"
volume_path = "{w}/volumes"
''')
        with open(f"{w}/storage.conf", "w") as f:
            f.write(f'[storage]\ndriver = "vfs"\ngraphroot = "{w}/storage"\nrunroot = "{w}/run"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=f"{w}/containers.conf",
                        CONTAINERS_STORAGE_CONF=f"{w}/storage.conf", XDG_RUNTIME_DIR=f"{w}/xdg")
        os.makedirs(f"{w}/xdg", mode=0o700)
        self.podman("load", "-i", _image_archive(w))

    def podman(self, *args, timeout=90, check=True, runtime=True):
        cmd = ["podman"] + (["--runtime", self.nucleus] if runtime else []) + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env,
                           stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)}: exit {p.returncode}: {p.stderr}")
        return p

    def close(self):
        self.podman("rm", "--all", "--force", check=False)
        subprocess.run(["umount", "-R", f"{self.work}/storage"], stderr=subprocess.DEVNULL)
        subprocess.run(["umount", "-R", f"{self.work}/run"], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.work, ignore_errors=True)
