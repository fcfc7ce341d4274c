#!/usr/bin/env python3
"""Validates event lines against runjob's closed events schema.

Usage: check_events.py SCHEMA.json FILE...

Every non-empty line of every FILE must be one JSON object that validates against
the schema (Draft 2020-12). Prints `ok N events` or each failure; exit 0 only when
all lines are valid and there is at least one.
"""
import json
import sys

from jsonschema import Draft202012Validator


def main(argv):
    with open(argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    count = 0
    failures = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                count += 1
                try:
                    event = json.loads(line)
                except json.JSONDecodeError as error:
                    failures += 1
                    print(f"{path}:{number}: not JSON: {error}")
                    continue
                errors = list(validator.iter_errors(event))
                if errors:
                    failures += 1
                    best = min(errors, key=lambda e: len(list(e.path)))
                    print(f"{path}:{number}: {event.get('type')}: {best.message[:300]}")
    if count == 0:
        print("no events")
        return 1
    print(f"ok {count} events" if failures == 0 else f"{failures} invalid of {count}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
