#!/usr/bin/env python3
"""Bad input everywhere (issue 12): every config of bad_configs.py through
`create`, classified as
  early   refused before the init was cloned (no "init:" step in --debug)
  late    refused by the init (mount, setrlimit, exec...)
  path    the refusal names the JSON path (or the flag) of what is wrong
  accepted
A refusal that does not name the JSON path fails the test. BAD_CONFIGS_REPORT=1
prints every case. Against runc (NUCLEUS=/usr/bin/runc) it reports only.
Needs root."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bad_configs  # noqa: E402
from harness import (NUCLEUS, OCI_SPEC_DIR, check, error_messages, load_config, main, make_bundle, new_id,  # noqa: E402
                     run, run_detached, test)

TOP_KEYS = ("ociVersion", "process", "root", "mounts", "hooks", "annotations", "linux", "hostname",
            "domainname", "windows", "solaris", "vm", "zos", "freebsd")
# "linux.sysctl[\"x\"]: ...", "process: ...", or a flag; a file that is not JSON
# at all is named with the offset instead.
NAMES_PATH = re.compile(r"(^|[\s(])(" + "|".join(map(re.escape, TOP_KEYS)) +
                        r")(\.[A-Za-z]|\[|: )|(^|\s)--[a-z]|invalid JSON: .* \(at offset \d+\)")
PEER = "runc" in os.path.basename(NUCLEUS)


def classify(bundle, config):
    with open(os.path.join(bundle, "config.json"), "w") as f:
        f.write(config if isinstance(config, str) else json.dumps(config))
    cid = new_id("bad")
    rc, _, err = run_detached(["--debug", "create", "--bundle", bundle, cid], timeout=30)
    if rc == 0:
        run(["delete", "--force", cid])
        return "accepted", ""
    message = "\n".join(m for m in error_messages(err).splitlines()
                        if not re.match(r"(create|init): .* \(\d+\.\d+ ms\)$", m))
    when = "late" if re.search(r"msg=\"init: ", err) else "early"
    named = bool(NAMES_PATH.search(message))
    run(["delete", "--force", cid])
    return f"{when}, {'path' if named else 'no path'}", message.strip().splitlines()[-1:] or [""]


@test
def every_refused_config_names_its_json_path():
    bundle = make_bundle(args=["true"])
    good = load_config(bundle)
    good["root"]["path"] = os.path.join(bundle, "rootfs")
    counts, unnamed = {}, []
    cases = list(bad_configs.all_bad(good, OCI_SPEC_DIR))
    for label, config in cases:
        kind, message = classify(bundle, config)
        counts[kind] = counts.get(kind, 0) + 1
        if os.environ.get("BAD_CONFIGS_REPORT"):
            print(f"  {kind:16} {label}: {message[0] if message else ''}")
        if kind.endswith("no path"):
            unnamed.append(f"{label}: {message[0]}")
    print(f"  {len(cases)} bad configs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if not PEER:
        check(not unnamed, f"{len(unnamed)} refusals name no JSON path:\n  " + "\n  ".join(unnamed))


if __name__ == "__main__":
    main()
