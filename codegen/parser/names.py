"""Python names for spec names: operation ids, parameters, CLI options."""

from __future__ import annotations

import keyword
import re

from codegen.loader import SpecError


def snake_case(name: str) -> str:
    """``createVideoGeneration`` -> ``create_video_generation``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+", "_", name)
    return spaced.strip("_").lower()


def python_name(name: str, where: str) -> str:
    """Return ``name`` as a Python identifier, or raise if it cannot be one."""
    candidate = snake_case(name) if not name.isidentifier() else name
    if not candidate.isidentifier():
        raise SpecError(f"{where}: {name!r} cannot be a Python keyword argument")
    return candidate + "_" if keyword.iskeyword(candidate) else candidate


def check_unique(names: list[str], what: str) -> None:
    """Raise naming the first of ``names`` that is used twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{what} {name!r} is used twice")
        seen.add(name)
