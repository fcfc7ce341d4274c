#!/usr/bin/env python3
"""Checks manifests against runjob's JSON Schema as a YAML 1.2 reader sees them.

Usage: check_schema.py SCHEMA.json --valid FILE... --invalid FILE...

Each manifest is loaded with ruamel.yaml (safe, YAML 1.2 core schema, the way
editors' yaml-language-server reads it) and validated with jsonschema's
Draft 2020-12 validator. Exit 0 when every --valid file is accepted and every
--invalid file rejected; otherwise print what went wrong and exit 1.
"""
import json
import sys

from jsonschema import Draft202012Validator
from ruamel.yaml import YAML


def main(argv):
    schema_path = argv[1]
    valid, invalid, mode = [], [], None
    for arg in argv[2:]:
        if arg in ("--valid", "--invalid"):
            mode = arg
        elif mode == "--valid":
            valid.append(arg)
        elif mode == "--invalid":
            invalid.append(arg)
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    yaml = YAML(typ="safe", pure=True)
    failures = 0
    for path in valid:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            failures += 1
            print(f"REJECTED (should be valid): {path}")
            for error in errors[:5]:
                print(f"  at {'/'.join(map(str, error.path))}: {error.message[:300]}")
        else:
            print(f"ok valid: {path}")
    for path in invalid:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle)
        if validator.is_valid(document):
            failures += 1
            print(f"ACCEPTED (should be invalid): {path}")
        else:
            print(f"ok invalid: {path}")
    print(f"{len(valid)} valid, {len(invalid)} invalid, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
