#!/usr/bin/env python3
"""Writes runjob's hostile-input corpus into a folder, with expected.json.

Usage: hostile_corpus.py OUTDIR

Every file must make `runjob validate` exit 2 with the listed code, quickly and
in little memory. expected.json maps file name -> error code. Used by the CLI
tests (codes, exit status, file named in the diagnostic) and by
Benchmarks/run.sh (time and peak memory per file).
"""
import json
import os
import random
import sys

HEADER = "version: 1\nname: demo\nprovider: local\nmachine: {}\n"


def corpus():
    cases = {}
    cases["empty.yaml"] = (b"", "manifest.empty_document")
    cases["only-comments.yaml"] = (b"# nothing here\n# at all\n", "manifest.empty_document")
    cases["deep-flow.yaml"] = (b"a: " + b"[" * 200_000 + b"]" * 200_000 + b"\n", "manifest.too_deep")
    cases["deep-block.yaml"] = (
        "".join(" " * i + f"k{i}:\n" for i in range(200)).encode() + b" " * 200 + b"x: 1\n",
        "manifest.too_deep",
    )
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    cases["billion-laughs.yaml"] = ("\n".join(lines) + "\n").encode(), "manifest.too_many_aliases"
    quadratic = ["a0: &a0 " + "{" + ", ".join(f"k{i}: v" for i in range(1000)) + "}"]
    quadratic += [f"b{i}: *a0" for i in range(2000)]
    cases["alias-fanout.yaml"] = ("\n".join(quadratic) + "\n").encode(), "manifest.too_many_aliases"
    cases["huge-file.yaml"] = (HEADER.encode() + b"description: \"" + b"x" * (17 << 20) + b"\"\n", "manifest.too_large")
    cases["many-keys.yaml"] = (
        b"x:\n" + b"".join(f"  k{i}: 1\n".encode() for i in range(200_001)),
        "manifest.too_many_keys",
    )
    cases["invalid-utf8.yaml"] = (HEADER.encode() + b"description: caf\xc3\x28\n", "manifest.invalid_utf8")
    cases["utf16.yaml"] = ("version: 1\n".encode("utf-16"), "manifest.invalid_utf8")
    cases["nul-byte.yaml"] = (HEADER.encode() + b"description: a\x00b\n", "manifest.nul_byte")
    rng = random.Random(7)
    cases["binary-junk.yaml"] = (bytes([0xFF, 0xFE, 0x00]) + bytes(rng.randrange(256) for _ in range(65536)), "manifest.invalid_utf8")
    cases["many-documents.yaml"] = ((HEADER + "---\n") * 1000).encode(), "manifest.multiple_documents"
    cases["python-tag.yaml"] = (HEADER.encode() + b"description: !!python/object/apply:os.system [\"id\"]\n", "manifest.unknown_tag")
    cases["custom-tag.yaml"] = (HEADER.encode() + b"description: !secret x\n", "manifest.unknown_tag")
    cases["duplicate-keys.yaml"] = (HEADER.encode() + b"name: other\n", "manifest.duplicate_key")
    cases["undefined-alias.yaml"] = (HEADER.encode() + b"description: *nowhere\n", "manifest.undefined_alias")
    cases["recursive-alias.yaml"] = (b"a: &x [1, *x]\n", "manifest.undefined_alias")
    cases["not-a-mapping.yaml"] = (b"- version: 1\n- name: demo\n", "manifest.not_a_mapping")
    cases["unclosed-quote.yaml"] = (HEADER.encode() + b"description: \"never closed\n", "manifest.yaml_syntax")
    cases["tab-indent.yaml"] = (b"version: 1\nsessions:\n\ts: {}\n", "manifest.yaml_syntax")
    cases["huge-scalar-key.yaml"] = (b"\"" + b"k" * (8 << 20) + b"\": 1\n", "manifest.yaml_syntax")
    cases["huge-prompt.yaml"] = (
        HEADER.encode() + b"sessions:\n  s:\n    agent: claude\n    prompt: \"" + b"y" * (15 << 20) + b"\"\n",
        "manifest.prompt_too_large",
    )
    cases["long-line-garbage.yaml"] = (b"{" * 10 + b"a: [" + b"x," * 1_000_000 + b"\n", "manifest.too_many_nodes")
    cases["many-items.yaml"] = (b"x:\n" + b"- 1\n" * 600_000, "manifest.too_many_nodes")
    return cases


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    expected = {}
    for name, (data, code) in corpus().items():
        with open(os.path.join(out, name), "wb") as handle:
            handle.write(data)
        expected[name] = code
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(expected, handle, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
