#!/usr/bin/env python3
"""The benchmark setup done with Morph's official Python SDK (morphcloud 0.1.116),
the way its documentation and the seed guide show: start the instance (the SDK
waits for `ready`, polling every second), then one exec per step — create the
folders, write each credential file (base64 + decode, chmod, atomic rename) and
read it back to verify, write ~/.machine.json, start each session detached, and
poll until session `a` completed before starting `c`.

usage: MORPH_API_KEY=… MORPH_BASE_URL=… sdk_baseline.py
Prints the wall time (s) and the number of exec calls; deletes the instance.
"""
import base64
import hashlib
import json
import shlex
import sys
import time

START = time.monotonic()

from morphcloud.api import MorphCloudClient  # noqa: E402  (import time counts, as it does for runjob's startup)

PROFILES = {
    "one": {"~/.one/" + n: ("one-secret-0123456789" if n == "a" else n) for n in "abcde"},
    "two": {"~/.two/" + n: ("two-secret-0123456789" if n == "a" else n) for n in "abcde"},
}
SESSIONS = {"a": ["one"], "b": ["two"], "c": [], "d": []}
execs = 0


def run(instance, script):
    global execs
    execs += 1
    result = instance.exec(["bash", "-c", script])
    if result.exit_code != 0:
        raise SystemExit(f"exec failed ({result.exit_code}): {result.stderr}")
    return result.stdout


def write_file(instance, path, content, mode="0600"):
    encoded = base64.b64encode(content.encode()).decode()
    target = path.replace("~/", "$HOME/", 1)
    run(instance, f'mkdir -p "$(dirname "{target}")" && t=$(mktemp "{target}.XXXXXX") && '
                  f"printf %s {shlex.quote(encoded)} | base64 -d > \"$t\" && chmod {mode} \"$t\" && mv -f \"$t\" \"{target}\"")
    digest = run(instance, f'sha256sum "{target}" | cut -c1-64').strip()  # the seed's round-trip check
    if digest != hashlib.sha256(content.encode()).hexdigest():
        raise SystemExit(f"{path}: checksum mismatch")


def start_session(instance, name):
    run(instance, f"mkdir -p ~/.bench; cd ~; setsid bash -c 'true; echo $? > ~/.bench/{name}.exit' "
                  f"< /dev/null > ~/.bench/{name}.out 2>&1 & echo $! > ~/.bench/{name}.pid")


def wait_completed(instance, name):
    while True:
        if run(instance, f"cat ~/.bench/{name}.exit 2>/dev/null || true").strip() == "0":
            return
        time.sleep(1)  # the documented polling rhythm


def main():
    client = MorphCloudClient()
    instance = client.instances.start(
        "snapshot_bench001", metadata={"runjob.name": "sdk-baseline"}, ttl_seconds=3600, ttl_action="stop")
    try:
        for files in PROFILES.values():
            for path, content in files.items():
                write_file(instance, path, content)
        write_file(instance, "~/.machine.json", json.dumps({"info": {"purpose": "benchmark"}, "instance": instance.id}), "0640")
        start_session(instance, "a")
        start_session(instance, "b")
        start_session(instance, "d")  # d after b started
        wait_completed(instance, "a")
        start_session(instance, "c")  # c after a completed
        elapsed = time.monotonic() - START
    finally:
        instance.stop()
    print(json.dumps({"seconds": round(elapsed, 3), "execs": execs}))


if __name__ == "__main__":
    sys.exit(main())
