"""``python -m codegen --spec FILE --out DIR [--package NAME]``."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from codegen import __version__
from codegen.runtime._printable import printable

# What the generator needs beyond the standard library, by import name: the
# distributions of `pip install 'elkapi-contract[codegen]'` (ruff is run as
# `python -m ruff` by this same interpreter).
REQUIREMENTS = {
    "yaml": "pyyaml",
    "jinja2": "jinja2",
    "datamodel_code_generator": "datamodel-code-generator",
    "ruff": "ruff",
}
INSTALL = "pip install 'elkapi-contract[codegen]'"


def missing_requirements() -> list[str]:
    """The distributions in ``REQUIREMENTS`` that this interpreter cannot import."""
    return [dist for module, dist in REQUIREMENTS.items() if not _importable(module)]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _missing(what: str) -> int:
    print(
        f"python -m codegen: missing {what}; install the generator's dependencies: {INSTALL}",
        file=sys.stderr,
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    """Generate the package; return 1 when the spec cannot be used or a dependency is missing.

    Return 2 when ``--package`` names no package Python could import safely.
    """
    missing = missing_requirements()
    if missing:
        return _missing(", ".join(missing))
    try:
        from codegen.loader import SpecError, load
        from codegen.output import OutputError, package_problem
        from codegen.parser import parse
        from codegen.render import generate
    except ModuleNotFoundError as error:  # a broken install: a dependency of a dependency
        return _missing(error.name or str(error))

    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--spec", required=True, type=Path, help="the OpenAPI 3.1 document")
    parser.add_argument("--out", required=True, type=Path, help="the folder to write NAME/ into")
    parser.add_argument("--package", default="elkapi", help="the package name (default: elkapi)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    problem = package_problem(args.package)
    if problem:
        # One line, as every refusal: parser.error would print the usage first.
        _refuse(f"python -m codegen: --package {args.package!r} {problem}")
        return 2
    try:
        api = parse(load(args.spec), args.package)
        target = generate(api, args.out, args.spec.name)
    except SpecError as error:
        for problem in error.problems:
            _refuse(f"{args.spec}: {problem}")
        return 1
    except OutputError as error:
        _refuse(f"python -m codegen: {error}")
        return 1
    except OSError as error:  # the output folder: not writable, a file in the way, ...
        _refuse(f"python -m codegen: cannot write {args.out}: {error.strerror or error}")
        return 1
    print(printable(f"wrote {target}", limit=None))
    return 0


def _refuse(line: str) -> None:
    """Print one refusal on stderr as one line, whatever spec text or file name it quotes.

    A problem names what the spec wrote (an operationId, a property name) and
    the spec's path: a line break there would fake a second refusal, and a
    terminal escape would act on the screen of whoever reads it.
    """
    print(printable(line, limit=None), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
