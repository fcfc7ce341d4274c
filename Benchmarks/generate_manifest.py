#!/usr/bin/env python3
"""Writes the benchmark manifest: N sessions in chains of `after` dependencies,
10 credential profiles, 10 machines (about 1.4 MB for N = 10 000).

Usage: generate_manifest.py OUT.yaml [SESSIONS]
"""
import sys

def main():
    out = sys.argv[1]
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    chain_length = 100
    lines = [
        "version: 1",
        "name: bench",
        "description: Generated benchmark manifest",
        "provider: local",
        "machines:",
    ]
    for m in range(10):
        lines.append(f"  m{m:02d}: {{ info: {{ index: {m}, role: worker }} }}")
    lines.append("credentials:")
    for p in range(10):
        lines += [
            f"  p{p:02d}:",
            f"    dirs: [{{ path: ~/.cred{p:02d}, mode: \"0700\" }}]",
            f"    files: [{{ path: ~/.cred{p:02d}/token, mode: \"0600\", content: \"${{env:BENCH_TOKEN_{p:02d}:-default-token-value-{p:02d}}}\" }}]",
        ]
    lines.append("sessions:")
    for i in range(sessions):
        chain, position = divmod(i, chain_length)
        lines += [
            f"  s{i:05d}:",
            f"    machine: m{chain % 10:02d}",
            f"    run: echo session {i}",
            "    cwd: ~/work",
            f"    credentials: [p{i % 10:02d}]",
            f"    env: {{ INDEX: \"{i}\" }}",
        ]
        if position > 0:
            condition = "completed" if position % 2 else "started"
            lines.append(f"    after: {{ s{i - 1:05d}: {condition} }}")
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
