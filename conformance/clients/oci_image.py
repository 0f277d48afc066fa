"""Build a busybox OCI image archive locally (no registry is reachable here):
one layer holding busybox-static and its applet links, an image config, a
manifest and an index, in the OCI image layout that `ctr images import` and
`podman load` accept."""
import hashlib
import io
import json
import os
import tarfile
import time

BUSYBOX = "/bin/busybox"


def _blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))
    return {"digest": f"sha256:{digest}", "size": len(data)}


def _layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as layer:
        for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "tmp", "root", "proc", "sys", "dev"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if d == "tmp" else 0o755
            layer.addfile(info)
        layer.add(BUSYBOX, "bin/busybox")
        applets = os.popen(f"{BUSYBOX} --list-full").read().split()
        for applet in applets:
            if applet == "bin/busybox":
                continue
            info = tarfile.TarInfo(applet)
            info.type = tarfile.SYMTYPE
            info.linkname = "/bin/busybox"
            layer.addfile(info)
        for name, text in (("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"),
                           ("etc/group", "root:x:0:\nnobody:x:65534:\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            layer.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build(path, name="localhost/busybox:nucleus-test"):
    """Write the image archive to `path`; return the image reference."""
    layer = _layer()
    with tarfile.open(path, "w") as tar:
        layer_desc = _blob(tar, layer)
        config = {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
            "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
        }
        config_desc = _blob(tar, json.dumps(config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_desc},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer_desc}],
        }
        manifest_desc = _blob(tar, json.dumps(manifest).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest_desc,
                "annotations": {"io.containerd.image.name": name,
                                "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]},
            }],
        }
        for fname, doc in (("index.json", index), ("oci-layout", {"imageLayoutVersion": "1.0.0"})):
            data = json.dumps(doc).encode()
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return name
