"""``python -m codegen --spec FILE --out DIR [--package NAME]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.loader import SpecError, load
from codegen.parser import parse
from codegen.render import generate


def main(argv: list[str] | None = None) -> int:
    """Generate the package; print the problem and return 1 when the spec cannot be used."""
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--spec", required=True, type=Path, help="the OpenAPI 3.1 document")
    parser.add_argument("--out", required=True, type=Path, help="the folder to write NAME/ into")
    parser.add_argument("--package", default="elkapi", help="the package name (default: elkapi)")
    args = parser.parse_args(argv)
    if not args.package.isidentifier():
        parser.error(f"--package {args.package!r} is not a Python identifier")
    try:
        api = parse(load(args.spec), args.package)
        target = generate(api, args.out, args.spec.name)
    except SpecError as error:
        for problem in error.problems:
            print(f"{args.spec}: {problem}", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
