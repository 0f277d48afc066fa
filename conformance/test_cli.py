"""The CLI grammar: runc's flags, usage errors, exit codes, help, version,
logging, spec and features. Checks only what holds whether or not a verb's
libcontainer side is wired (an unwired verb fails with exit 1 after parsing)."""
import json
import os
import re
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (check, check_eq, check_in, error_messages, load_config, main, make_bundle,  # noqa: E402
                     new_id, run, tempdir, test, validate_schema)

VERBS = ["checkpoint", "create", "delete", "events", "exec", "features", "kill", "list", "pause",
         "ps", "restore", "resume", "run", "spec", "start", "state", "update"]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def run_cli(args, **kw):
    """run(), with stderr reduced to the error messages in it."""
    rc, out, err = run(args, **kw)
    return rc, out, error_messages(err)


def usage_error(args, reason):
    """`args` fails as a usage error: exit 1, usage on stdout, `reason` logged."""
    rc, out, err = run_cli(args)
    check_eq(rc, 1, f"exit code of {args}")
    check(out.startswith("Incorrect Usage"), f"{args}: stdout should start with 'Incorrect Usage': {out!r}")
    check_in("USAGE:", out, f"{args}: usage on stdout")
    check_in(reason, err, f"{args}: stderr")


def parsed_ok(args):
    """`args` got past argument parsing (whatever the verb then did)."""
    rc, out, err = run_cli(args)
    check("Incorrect Usage" not in out, f"{args} was a usage error: {out[:200]!r} {err!r}")
    for word in ("flag provided but not defined", "flag needs an argument", "invalid value",
                 "invalid boolean value", "requires"):
        check(word not in err, f"{args}: unexpected {word!r} in stderr: {err!r}")
    return rc, out, err


# ---- help and version ----------------------------------------------------------

@test
def every_verb_has_help():
    for verb in VERBS:
        for form in (["--help"], ["-h"], ["-help"]):
            rc, out, err = run([verb] + form)
            check_eq(rc, 0, f"{verb} {form[0]} exit code")
            check(out.startswith(f"NAME:\n   nucleus {verb} - "), f"{verb} {form[0]}: {out[:80]!r}")
            check_in(f"USAGE:\n   nucleus {verb}", out, f"{verb} help")
            check_eq(err, "", f"{verb} {form[0]} stderr")
        rc, out, _ = run(["help", verb])
        check_eq(rc, 0, f"help {verb}")
        check_in(f"nucleus {verb} - ", out, f"help {verb}")


@test
def help_lists_flags_with_their_short_names():
    _, out, _ = run(["create", "--help"])
    for line in ("--bundle value, -b value", "--console-socket value", "--pid-file value",
                 "--no-pivot", "--no-new-keyring", "--preserve-fds value", "--pidfd-socket value"):
        check_in(line, out, "create --help")
    _, out, _ = run(["exec", "--help"])
    for line in ("--env value, -e value", "--tty, -t", "--user value, -u value",
                 "--additional-gids value, -g value", "--process value, -p value", "--cap value, -c value",
                 "--cgroup value", "--ignore-paused", "--pidfd-socket value"):
        check_in(line, out, "exec --help")
    _, out, _ = run(["update", "--help"])
    for flag in ("--cpu-burst", "--cpu-idle", "--pids-limit", "--memory-swap", "--l3-cache-schema"):
        check_in(flag, out, "update --help")
    _, out, _ = run(["restore", "--help"])
    for flag in ("--lsm-profile", "--lsm-mount-context", "-no-subreaper", "--manage-cgroups-mode"):
        check_in(flag, out, "restore --help")
    _, out, _ = run(["checkpoint", "--help"])
    for flag in ("--tcp-skip-in-flight", "--link-remap", "--pre-dump", "--page-server"):
        check_in(flag, out, "checkpoint --help")


@test
def global_help():
    for args in ([], ["--help"], ["-h"], ["help"], ["h"]):
        rc, out, err = run(args)
        check_eq(rc, 0, f"{args} exit code")
        check(out.startswith("NAME:\n   nucleus - "), f"{args}: {out[:60]!r}")
        for verb in VERBS:
            check(re.search(rf"^   {verb}\s", out, re.M), f"{args}: {verb} missing from COMMANDS")
        for flag in ("--debug", "--log value", "--log-format value", "--root value", "--criu value",
                     "--systemd-cgroup", "--rootless value", "--cgroup-manager value", "--version, -v"):
            check_in(flag, out, f"{args} GLOBAL OPTIONS")


@test
def version_format():
    pattern = re.compile(r"\Anucleus version 0\.1\.0\ncommit: (?:[0-9a-f]{4,}|unknown)\n"
                         r"spec: 1\.3\.0\nlibseccomp: \d+\.\d+\.\d+\n\Z")
    for args in (["--version"], ["-v"], ["--version", "list"]):
        rc, out, err = run(args, root=False)
        check_eq(rc, 0, f"{args} exit code")
        check(pattern.match(out), f"{args}: {out!r}")
        check_eq(err, "", f"{args} stderr")


# ---- usage errors and exit codes -----------------------------------------------

@test
def unknown_verb_exits_3():
    rc, out, err = run_cli(["frobnicate"])
    check_eq(rc, 3, "exit code")
    check_in("No help topic for 'frobnicate'", err, "stderr")
    rc, _, err = run_cli(["help", "frobnicate"])
    check_eq(rc, 3, "help frobnicate exit code")


@test
def positional_counts():
    usage_error(["start"], '"start" requires exactly 1 argument(s)')
    usage_error(["start", "a", "b"], '"start" requires exactly 1 argument(s)')
    usage_error(["kill"], '"kill" requires a minimum of 1 argument(s)')
    usage_error(["kill", "a", "9", "c"], '"kill" requires a maximum of 2 argument(s)')
    usage_error(["list", "x"], '"list" requires exactly 0 argument(s)')
    usage_error(["spec", "somedir"], '"spec" requires exactly 0 argument(s)')
    usage_error(["exec"], '"exec" requires a minimum of 1 argument(s)')
    usage_error(["list", "--", "-q"], '"list" requires exactly 0 argument(s)')  # '--' ends the flags


@test
def flag_errors_are_worded_like_go():
    usage_error(["list", "--bogus"], "flag provided but not defined: -bogus")
    usage_error(["run", "--bogus=1", "x"], "flag provided but not defined: -bogus")
    usage_error(["list", "---q"], "bad flag syntax: ---q")
    usage_error(["list", "-q=maybe"], 'invalid boolean value "maybe" for -q: parse error')
    usage_error(["create", "-b"], "flag needs an argument: -b")
    usage_error(["create", "--preserve-fds", "x", "c"], 'invalid value "x" for flag -preserve-fds: parse error')
    usage_error(["events", "--interval", "5x", "c"], 'invalid value "5x" for flag -interval: parse error')
    usage_error(["update", "c", "--pids-limit=abc"], 'invalid value "abc" for flag -pids-limit: parse error')
    rc, out, err = run(["--bogus", "list"])
    check_eq(rc, 1, "global flag error exit code")
    check(out.startswith("Incorrect Usage. flag provided but not defined: -bogus"), out[:80])
    check_in("GLOBAL OPTIONS", out, "global usage")
    rc, out, err = run_cli(["--root"], root=False)
    check_eq(rc, 1, "--root without value")
    check_in("flag needs an argument: -root", err, "stderr")


@test
def restore_lsm_mount_context_needs_an_argument():
    rc, out, err = run_cli(["restore", "--lsm-mount-context"])
    check_eq(rc, 1, "exit code")
    check_in("flag needs an argument", out, "stdout")
    check_in("flag needs an argument", err, "stderr")


@test
def checkpoint_help_exits_0():
    rc, out, _ = run(["checkpoint", "--help"])
    check_eq(rc, 0, "checkpoint --help")
    check_in("--image-path value", out, "checkpoint --help")


@test
def invalid_container_ids():
    for cid in ("a/b", "..", ".", "a b", "x;y", "é", "a\nb"):
        for verb in (["state", cid], ["kill", cid, "KILL"], ["delete", "-f", cid], ["start", cid]):
            rc, _, err = run(verb)
            check_eq(rc, 1, f"{verb} exit code")
            check_in("invalid container ID format", err, f"{verb} stderr")
    rc, _, err = run_cli(["state", ""])
    check_eq(rc, 1, "empty id")
    check_in("container id cannot be empty", err, "empty id")
    _, _, err = run_cli(["state", "Ab_0+1.2-3"])
    check("invalid container ID" not in err, f"a valid id was rejected: {err!r}")


@test
def global_flag_values_are_checked():
    for args, reason in ((["--log-format", "bogus", "list"], "invalid log-format: bogus"),
                         (["--rootless", "bogus", "list"], "-rootless"),
                         (["--cgroup-manager", "bogus", "list"], "-cgroup-manager")):
        rc, _, err = run(args)
        check_eq(rc, 1, f"{args} exit code")
        check_in(reason, err, f"{args} stderr")
    for args in (["--criu", "/nonexistent/criu", "list"], ["--systemd-cgroup", "list"],
                 ["--rootless=false", "list"], ["--rootless", "auto", "list"], ["--debug", "list"],
                 ["--cgroup-manager=disabled", "list"], ["-log-format=text", "list"]):
        parsed_ok(args)


# ---- argument conventions (observed through verbs that check before acting) -----

@test
def flags_after_positionals_and_single_dash_long_flags():
    bundle = tempdir()  # no config.json: create fails after parsing, naming the file
    for args in (["create", "--bundle", bundle, "c1"], ["create", "c1", "--bundle", bundle],
                 ["create", "c1", "--bundle=" + bundle], ["create", "-bundle", bundle, "c1"],
                 ["create", "-b=" + bundle, "c1"], ["create", "c1", "-b", bundle, "--no-pivot=false"],
                 ["run", "-detach", "c1", "-bundle", bundle, "-no-subreaper"]):
        rc, out, err = parsed_ok(args)
        check_eq(rc, 1, f"{args} exit code")
        check_in(os.path.join(bundle, "config.json"), err, f"{args}: the bundle's config.json")


@test
def kill_accepts_flags_after_the_signal():
    for args in (["kill", "c", "BOGUS", "--all"], ["kill", "--all", "c", "BOGUS"],
                 ["kill", "-a", "c", "BOGUS"], ["kill", "c", "BOGUS", "-all=false"]):
        rc, _, err = parsed_ok(args)
        check_eq(rc, 1, f"{args} exit code")
        check_in('unknown signal "BOGUS"', err, f"{args} stderr")
    for sig in ("9", "KILL", "kill", "SIGKILL", "sigterm", "Term", "0"):
        _, _, err = parsed_ok(["kill", "c", sig])
        check("unknown signal" not in err, f"signal {sig} rejected: {err!r}")
    for sig in ("SIGBOGUS", "99", "-"):
        _, _, err = run_cli(["kill", "c", sig])
        check_in("unknown signal", err, f"signal {sig}")


@test
def exec_stops_parsing_flags_at_the_container_id():
    parsed_ok(["exec", "c", "ls", "-l", "--bogus"])
    parsed_ok(["exec", "-t=false", "-e", "A=1,2", "-e", "B=2", "--cwd", "/", "c", "sh", "-c", "x"])
    usage_error(["exec", "--bogus", "c", "ls"], "flag provided but not defined: -bogus")
    rc, _, err = run_cli(["exec", "c"])
    check(rc != 0, "exec without a command succeeded")  # runc: 255, "exec failed: ..."
    check_in("no command", err, "exec without a command")
    for user in ("x", "1:y", ":1"):
        _, _, err = run_cli(["exec", "-u", user, "c", "true"])
        check_in("invalid --user", err, f"-u {user}")
    _, _, err = run_cli(["exec", "--cgroup", ":/x", "c", "true"])
    check_in("invalid --cgroup", err, "--cgroup :/x")


@test
def go_durations_for_events_interval():
    for interval in ("5s", "1m30s", "500ms", "1h", "1.5s", "250us"):
        parsed_ok(["events", "--interval", interval, "c"])
        parsed_ok(["events", "c", "--interval=" + interval, "--stats"])
    for interval in ("0s", "-1s"):
        # runc looks the container up first; test_pause_events.py checks the
        # interval's own error on a live container.
        rc, _, err = run_cli(["events", "--interval", interval, "c"])
        check_eq(rc, 1, f"--interval {interval}")
        check_in("container does not exist", err, f"--interval {interval}")


@test
def list_and_ps_formats():
    for args in (["list", "-f", "bogus"], ["list", "--format=bogus"], ["list", "-format", "bogus"],
                 ["ps", "-f", "yaml", "c"]):
        rc, _, err = run(args)
        check_eq(rc, 1, f"{args}")
        check_in("invalid format option", err, f"{args}")
    parsed_ok(["ps", "c", "-ef"])  # ps arguments after the id go to ps


@test
def update_values():
    _, _, err = run_cli(["update", "--memory", "5x", "c"])
    check_in("invalid value for memory: invalid size: '5x'", err, "--memory 5x")
    _, _, err = run_cli(["update", "--cpu-quota", "abc", "c"])
    check_in("invalid value for cpu-quota", err, "--cpu-quota abc")
    for args in (["update", "--memory", "512m", "--memory-swap", "-1", "c"],
                 ["update", "c", "--cpu-burst", "1000", "--cpu-idle", "1"],
                 ["update", "--cpu-share=512", "--cpuset-cpus", "0-1", "c"]):
        _, _, err = parsed_ok(args)
        check("invalid" not in err, f"{args}: {err!r}")
    rc, _, err = run_cli(["update", "-r", "-", "c"], input='{"memory": {"limit": "1g"}}')
    check_eq(rc, 1, "bad resources")
    check_in("memory.limit", err, "bad resources name the JSON path")
    rc, _, err = run_cli(["update", "--resources", "/nonexistent/r.json", "c"])
    check_in("no such file or directory", err, "missing resources file")


# ---- logging --------------------------------------------------------------------

def failing_verb():
    """A verb that fails (whether or not it is wired): state of a missing container."""
    return ["state", new_id("nosuch")]


@test
def json_log_lines_and_stderr():
    log = os.path.join(tempdir(), "log.json")
    old_umask = os.umask(0o022)
    try:
        for _ in range(2):
            rc, out, err = run(["--log", log, "--log-format", "json"] + failing_verb())
            check_eq(rc, 1, "exit code")
    finally:
        os.umask(old_umask)
    check_eq(stat.S_IMODE(os.stat(log).st_mode), 0o644, "log file mode")
    lines = open(log).read().splitlines()
    check_eq(len(lines), 2, "records appended, one per run")
    for line in lines:
        record = json.loads(line)
        check_eq(record.get("level"), "error", "level")
        check(record.get("msg"), f"no msg in {line!r}")
        check(RFC3339.match(record.get("time", "")), f"time is not RFC 3339: {line!r}")
    check_eq(err, json.loads(lines[-1])["msg"] + "\n", "the error also goes to stderr, plain")
    check_eq(out, "", "stdout")


@test
def text_log_lines():
    log = os.path.join(tempdir(), "log.txt")
    _, _, err = run(["--log", log] + failing_verb())
    text = open(log).read()
    m = re.match(r'^time="([^"]+)" level=error msg="(.*)"\n$', text)
    check(m, f"text record: {text!r}")
    check(RFC3339.match(m.group(1)), f"time: {m.group(1)!r}")
    check_eq(err, m.group(2).replace('\\"', '"') + "\n", "stderr")


@test
def without_log_errors_are_records_on_stderr():
    _, _, err = run(["--log-format=json"] + failing_verb())
    record = json.loads(err)
    check_eq(record["level"], "error", "level")
    _, _, err = run(failing_verb())
    check(re.match(r'^time="[^"]+" level=error msg=".+"\n$', err), f"text record on stderr: {err!r}")


@test
def log_file_that_cannot_be_opened():
    rc, _, err = run_cli(["--log", "/nonexistent/dir/log", "list"])
    check_eq(rc, 1, "exit code")
    check_in("no such file or directory", err, "stderr")


# ---- spec -----------------------------------------------------------------------

@test
def spec_writes_a_config_and_refuses_to_overwrite():
    for form in (["--bundle", "{}"], ["--bundle={}"], ["-bundle", "{}"], ["-b", "{}"], ["-b={}"]):
        bundle = tempdir()
        run(["spec"] + [a.format(bundle) for a in form], check=0, root=False)
        path = os.path.join(bundle, "config.json")
        config = json.load(open(path))
        check_eq(config["ociVersion"], "1.3.0", "ociVersion")
        check_eq(config["root"]["path"], "rootfs", "root.path")
        before = open(path).read()
        rc, _, err = run_cli(["spec"] + [a.format(bundle) for a in form], root=False)
        check_eq(rc, 1, "second spec")
        check_in("File config.json exists. Remove it first", err, "second spec")
        check_eq(open(path).read(), before, "config.json untouched")
    bundle = tempdir()
    run(["spec"], check=0, root=False, cwd=bundle)  # the current directory by default
    check(os.path.exists(os.path.join(bundle, "config.json")), "spec in cwd")
    subprocess.run([sys.executable, "-m", "json.tool", os.path.join(bundle, "config.json")],
                   check=True, capture_output=True)


@test
def spec_rootless():
    bundle = tempdir()
    run(["spec", "--rootless", "--bundle", bundle], check=0, root=False)
    config = load_config(bundle)
    types = [ns["type"] for ns in config["linux"]["namespaces"]]
    check_in("user", types, "rootless namespaces")
    check("network" not in types, f"rootless spec keeps the host network: {types}")
    check_eq(config["linux"]["uidMappings"][0]["hostID"], os.geteuid(), "uid mapping")
    check_eq(config["linux"]["gidMappings"][0]["hostID"], os.getegid(), "gid mapping")
    plain = tempdir()
    run(["spec", "--rootless=false", "-b", plain], check=0, root=False)
    check("user" not in [ns["type"] for ns in load_config(plain)["linux"]["namespaces"]],
          "--rootless=false still wrote a rootless spec")


@test
def spec_into_a_missing_directory():
    rc, _, err = run_cli(["spec", "-b", "/nonexistent/bundle"], root=False)
    check_eq(rc, 1, "exit code")
    check_in("no such file or directory", err, "stderr")


# ---- features -------------------------------------------------------------------

@test
def features_document():
    rc, out, err = run(["features"], root=False)
    check_eq(rc, 0, "exit code")
    check_eq(err, "", "nothing on stderr")
    check(out.startswith('{\n    "ociVersionMin"'), f"4-space indent: {out[:40]!r}")
    doc = json.loads(out)
    validate_schema(doc, "features-schema.json")
    check_eq(doc["ociVersionMin"], "1.0.0", "ociVersionMin")
    check_eq(doc["ociVersionMax"], "1.3.0", "ociVersionMax")
    check_eq(sorted(doc["hooks"]), sorted(["prestart", "createRuntime", "createContainer",
                                           "startContainer", "poststart", "poststop"]), "hooks")
    linux = doc["linux"]
    check_eq(sorted(linux["namespaces"]),
             ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"], "namespaces")
    for cap in ("CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_RAW"):
        check_in(cap, linux["capabilities"], "capabilities")
    check_eq(len(linux["capabilities"]), len(set(linux["capabilities"])), "no duplicate capabilities")
    for key in ("io.github.seccomp.libseccomp.version", "org.nucleus.version", "org.nucleus.commit"):
        check_in(key, doc["annotations"], "annotations")
    check_eq(doc["annotations"]["org.nucleus.version"], "0.1.0", "org.nucleus.version")


@test
def features_schema_check_can_fail():
    # The schema check itself must be able to fail, or the test above proves nothing.
    try:
        validate_schema({"ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0",
                         "linux": {"capabilities": ["chown"]}}, "features-schema.json")
    except AssertionError:
        return
    raise AssertionError("an invalid features document passed the schema check")


# ---- the harness's own bundles ------------------------------------------------------

@test
def harness_bundles():
    bundle = make_bundle(lambda c: c["process"].update(cwd="/tmp"), args=["true"])
    config = load_config(bundle)
    check_eq(config["process"]["args"], ["true"], "args")
    check_eq(config["process"]["terminal"], False, "terminal")
    check_eq(config["process"]["cwd"], "/tmp", "mutator applied")
    for applet in ("bin/sh", "bin/true", "bin/sleep", "bin/cat", "bin/ls", "bin/ps", "bin/mount"):
        check(os.path.islink(os.path.join(bundle, "rootfs", applet)), f"rootfs lacks {applet}")


main()
