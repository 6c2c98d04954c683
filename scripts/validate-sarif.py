#!/usr/bin/env python3
"""Validate SARIF logs against the vendored SARIF 2.1.0 JSON schema.

Usage: scripts/validate-sarif.py FILE... (or `-` for standard input)

The schema is crates/palisade_diagnostics/tests/data/sarif-schema-2.1.0.json
(see the README beside it). Needs the `jsonschema` Python package; nothing is
fetched over the network (the schema's references are all internal).

Exit codes: 0 valid, 1 invalid, 2 usage or unreadable input, 3 the
`jsonschema` package is missing (callers may treat that as "skipped").
"""

import json
import pathlib
import sys

SCHEMA = (
    pathlib.Path(__file__).resolve().parent.parent
    / "crates/palisade_diagnostics/tests/data/sarif-schema-2.1.0.json"
)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("validate-sarif: the `jsonschema` Python package is not installed", file=sys.stderr)
        return 3

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    failed = False
    for name in argv[1:]:
        try:
            text = sys.stdin.read() if name == "-" else pathlib.Path(name).read_text(encoding="utf-8")
            log = json.loads(text)
        except (OSError, ValueError) as error:
            print(f"validate-sarif: cannot read `{name}`: {error}", file=sys.stderr)
            return 2
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors:
            path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{name}: {path}: {error.message}", file=sys.stderr)
        if errors:
            failed = True
        else:
            print(f"{name}: valid SARIF 2.1.0")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
