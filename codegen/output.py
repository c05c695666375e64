"""Where the generator may write: which package names it accepts, and which folders it replaces.

Every package it writes carries ``MARKER``, a file of one fixed line, and an
existing ``--out DIR/NAME`` is replaced only when it carries it (or is empty):
a folder the generator did not make is someone's work, never deleted.
"""

from __future__ import annotations

import keyword
import shutil
import sys
from pathlib import Path

MARKER = ".codegen"


class OutputError(Exception):
    """The package cannot be put where it was asked to go: one line saying why."""


MARKER_TEXT = "Written by python -m codegen, which replaces this folder when it regenerates it.\n"


def package_problem(name: str) -> str | None:
    """Why ``name`` cannot name a generated package, or None when it can.

    Soft keywords (``match``, ``case``, ``type``, ``_``) are accepted: they
    import and name modules like any identifier.
    """
    if not (name.isascii() and name.isidentifier()):
        return "must be an ASCII Python identifier (letters, digits, _; not starting with a digit)"
    if keyword.iskeyword(name):
        return "is a Python keyword, which no import statement can name"
    if name.startswith("__") and name.endswith("__"):
        return "is a dunder name, which Python reserves"
    if name in sys.stdlib_module_names:
        return "is a standard-library module, which the package would shadow (and break itself)"
    return None


def write_marker(folder: Path) -> None:
    """Mark ``folder`` as a package this generator made (and may replace)."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def replace(target: Path, staged: Path) -> None:
    """Put the package ``staged`` at ``target``, replacing only what the generator made.

    An existing ``target`` that is not an empty folder and carries no marker
    is a one-line OutputError, and left as it is.
    """
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(f"{target} exists and is a file or a link, not a folder: not replaced")
    if target.exists():
        marked = (target / MARKER).is_file()
        if not marked and any(target.iterdir()):
            raise OutputError(
                f"{target} exists and was not made by the generator (no {MARKER} file): "
                "not replaced; remove it or choose another --out or --package"
            )
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(staged, target)
