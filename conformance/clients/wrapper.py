"""A runtime binary for the clients that records every call and then execs
nucleus, so a test can prove that nucleus, not runc, ran each verb."""
import json
import os
import shutil
import stat
import tempfile

VERBS = {"create", "start", "run", "state", "kill", "delete", "exec", "pause", "resume",
         "update", "ps", "list", "events", "features", "checkpoint", "restore"}


class RecordingRuntime:
    def __init__(self, nucleus):
        self.real = os.path.abspath(nucleus)
        self.dir = tempfile.mkdtemp(prefix="nucleus-wrapper-")
        self.log = os.path.join(self.dir, "calls.jsonl")
        # The basename matters to podman (it decides which flags a runtime takes).
        self.path = os.path.join(self.dir, "nucleus")
        with open(self.path, "w") as f:
            f.write(f"""#!/usr/bin/python3
import json, os, sys
with open({self.log!r}, "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
os.execv({self.real!r}, [{self.real!r}] + sys.argv[1:])
""")
        os.chmod(self.path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)

    def calls(self):
        if not os.path.exists(self.log):
            return []
        return [json.loads(line) for line in open(self.log)]

    @staticmethod
    def _verb(argv):
        return next((a for a in argv if a in VERBS), None)

    def calls_for(self, cid, verb=None):
        return [a for a in self.calls() if cid in a and (verb is None or self._verb(a) == verb)]

    def verbs_for(self, cid):
        return [self._verb(a) for a in self.calls_for(cid)]

    def root_for(self, cid):
        """The --root the caller gave for this container (the runtime default otherwise)."""
        for argv in self.calls_for(cid):
            for i, a in enumerate(argv):
                if a == "--root" and i + 1 < len(argv):
                    return argv[i + 1]
                if a.startswith("--root="):
                    return a.split("=", 1)[1]
        return "/run/nucleus"

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)
