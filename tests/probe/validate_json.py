#!/usr/bin/python3
"""Validates JSON lines on stdin against one of probe's JSON Schemas (docs/schemas/).

Usage: validate_json.py SCHEMA_DIR SCHEMA_FILE [MIN_LINES]
Every schema in SCHEMA_DIR is loaded so that "$ref"s between them resolve offline.
Exit status 0 when every line is valid and there are at least MIN_LINES (default 1).
Uses Debian's python3-jsonschema (4.10: RefResolver).
"""
import json
import pathlib
import sys

import jsonschema


def main():
    schema_dir = pathlib.Path(sys.argv[1])
    schema_file = sys.argv[2]
    min_lines = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    store = {}
    for path in schema_dir.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema["$id"]] = schema
        store[path.name] = schema
    root = json.loads((schema_dir / schema_file).read_text())
    resolver = jsonschema.RefResolver(base_uri=root["$id"], referrer=root, store=store)
    validator = jsonschema.Draft202012Validator(root, resolver=resolver)
    count = 0
    failures = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        count += 1
        try:
            document = json.loads(line)
        except ValueError as error:
            print(f"line {number}: not JSON: {error}")
            failures += 1
            continue
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            path = "/".join(str(p) for p in error.path)
            print(f"line {number}: {schema_file}: at /{path}: {error.message[:300]}")
            failures += 1
    if count < min_lines:
        print(f"{schema_file}: only {count} lines, expected at least {min_lines}")
        return 1
    print(f"{schema_file}: {count} documents, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
