#!/usr/bin/env python3
"""Benchmark of issue [3]: `runjob apply` on Morph against the emulator with a
2 s boot delay and 50 ms added to every request, for the manifest in
Benchmarks/morph/bench.yaml (1 machine, 2 credential profiles of 5 files, 4
sessions running `true`: c after a completed, d after b started).

Each round runs, interleaved: runjob with poll_interval 100ms, runjob with the
default 1s, and (when .venv-morph exists) the official-SDK script
sdk_baseline.py doing the same setup. Prints a Markdown report: medians, the
lower bound (2 s + 50 ms x the requests on the critical path, counted from the
emulator's request log), the ratios, and the HTTP requests per step.

    python3 Benchmarks/morph/run.py            # builds the release binaries first
    ROUNDS=9 python3 Benchmarks/morph/run.py
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROUNDS = int(os.environ.get("ROUNDS", "7"))
KEY = "bench-key-0123456789abcdef"
BOOT_MS, LATENCY_MS = 2000, 50


def build():
    for product in ("runjob", "morph-emulator"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def control(port, method, route):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/{route}", method=method)
    with urllib.request.urlopen(request) as answer:
        body = answer.read()
        return json.loads(body) if body else None


def timed(argv, env):
    start = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"{argv[0]} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, result.stdout


def critical_path(requests):
    """Requests on the critical path: discover, start, the poll that saw `ready`, the boot
    record, the slower credential profile (1 exec each), start:a, a's status checks, start:c.
    The list after the boot (the check for a run that booted the same machine at the same
    time) goes out together with the boot record, so it is not on the path."""
    def count(predicate):
        return sum(1 for r in requests if predicate(r))
    path = {
        "discover (GET /instance)": count(lambda r: r["route"] == "GET /instance" and before_boot(requests, r)),
        "start (POST /instance)": count(lambda r: r["route"] == "POST /instance"),
        "last poll (GET /instance/{id})": 1,
        "boot record + $HOME (exec)": count(lambda r: r["label"] == "state:boot"),
        "credentials (exec, the slower of two)": max(count(lambda r: r["label"] == "credentials:one"), count(lambda r: r["label"] == "credentials:two")),
        "start:a (exec)": count(lambda r: r["label"] == "start:a"),
        "wait:a (status exec)": count(lambda r: (r["label"] or "").startswith("status:a")),
        "start:c (exec)": count(lambda r: r["label"] == "start:c"),
    }
    return path


def before_boot(requests, request):
    """Whether `request` went out before the first POST /instance."""
    for r in requests:
        if r is request:
            return True
        if r["route"] == "POST /instance":
            return False
    return False


def per_step(requests):
    steps = {}
    for r in requests:
        if r["route"] == "GET /instance":
            name = "discover: GET /instance" if before_boot(requests, r) else "boot (race check, beside the boot record): GET /instance"
        elif r["route"] in ("POST /instance", "GET /instance/{id}"):
            name = "boot: " + r["route"]
        else:
            name = (r["label"] or "?") + ": " + r["route"]
        steps[name] = steps.get(name, 0) + 1
    return steps


def main():
    bin_path = build() if os.environ.get("NO_BUILD") != "1" else os.path.join(ROOT, ".build", "release")
    runjob = os.path.join(bin_path, "runjob")
    scratch = tempfile.mkdtemp(prefix="morph-bench-")
    emulator = subprocess.Popen(
        [os.path.join(bin_path, "morph-emulator"), "--api-key", KEY, "--boot-delay-ms", str(BOOT_MS), "--latency-ms", str(LATENCY_MS),
         "--sandbox-root", scratch + "/sandboxes"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = json.loads(emulator.stdout.readline())["port"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch, "XDG_STATE_HOME": scratch + "/state",
           "MORPH_API_KEY": KEY, "MORPH_BASE_URL": f"http://127.0.0.1:{port}/api", "NO_COLOR": "1"}
    manifest = "Benchmarks/morph/bench.yaml"
    slow = os.path.join(scratch, "bench-1s.yaml")
    with open(os.path.join(ROOT, manifest)) as source, open(slow, "w") as target:
        target.write(source.read().replace("poll_interval: 100ms", "poll_interval: 1s"))
    python = os.path.join(ROOT, ".venv-morph", "bin", "python")
    have_sdk = os.access(python, os.X_OK)
    times = {"fast": [], "slow": [], "sdk": []}
    paths, steps, sdk_execs = [], None, None
    try:
        for _ in range(ROUNDS):
            control(port, "DELETE", "requests")
            elapsed, _ = timed([runjob, "apply", manifest], env)
            times["fast"].append(elapsed)
            log = control(port, "GET", "requests")["requests"]
            paths.append(critical_path(log))
            steps = per_step(log)
            timed([runjob, "destroy", "--yes", manifest], env)
            elapsed, _ = timed([runjob, "apply", slow], env)
            times["slow"].append(elapsed)
            timed([runjob, "destroy", "--yes", slow], env)
            if have_sdk:
                elapsed, out = timed([python, os.path.join(ROOT, "Benchmarks/morph/sdk_baseline.py")], env)
                times["sdk"].append(elapsed)
                sdk_execs = json.loads(out.strip().splitlines()[-1])["execs"]
    finally:
        emulator.stdin.close()
        emulator.wait(timeout=60)
    path = paths[-1]
    requests_on_path = sum(path.values())
    bound = BOOT_MS / 1000 + LATENCY_MS / 1000 * requests_on_path
    fast, slow_median = statistics.median(times["fast"]), statistics.median(times["slow"])
    print(f"### Morph apply against the emulator (boot delay {BOOT_MS} ms, +{LATENCY_MS} ms per request, {ROUNDS} rounds, medians)\n")
    print("| run | wall | vs lower bound |" + (" vs official SDK script |" if have_sdk else ""))
    print("|---|---|---|" + ("---|" if have_sdk else ""))
    sdk = statistics.median(times["sdk"]) if have_sdk else None
    def row(name, value):
        cells = f"| {name} | {value:.3f} s | {value / bound:.3f}x |"
        return cells + (f" {value / sdk:.3f}x |" if sdk else "")
    print(row("runjob apply, poll 100ms", fast))
    print(row("runjob apply, poll 1s (default)", slow_median))
    if sdk:
        print(f"| official SDK script ({sdk_execs} execs) | {sdk:.3f} s | {sdk / bound:.3f}x | 1.000x |")
    print(f"\nLower bound: {BOOT_MS / 1000:.1f} s + {LATENCY_MS} ms x {requests_on_path} requests on the critical path = {bound:.3f} s.")
    print("Floors: runjob (poll 100ms) <= 1.10x the lower bound" + (" and <= 0.5x the SDK script." if sdk else "."))
    print("\nCritical path (requests):\n")
    for name, count in path.items():
        print(f"- {name}: {count}")
    print("\nHTTP requests per step (one run, poll 100ms):\n")
    print("| step: route | requests |")
    print("|---|---|")
    for name, count in sorted(steps.items()):
        print(f"| {name} | {count} |")
    print(f"\nAll rounds (s): fast {[round(t, 3) for t in times['fast']]}, slow {[round(t, 3) for t in times['slow']]}"
          + (f", sdk {[round(t, 3) for t in times['sdk']]}" if sdk else ""))
    ok = fast <= 1.10 * bound and (sdk is None or fast <= 0.5 * sdk)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
