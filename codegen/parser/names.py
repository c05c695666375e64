"""Python names for spec names: the one place a spec name becomes an identifier.

Any string a spec uses as a name (an operationId, a schema, a parameter, a
property, an ``x-waiter`` method, a CLI option) maps to a valid, readable,
ASCII-only Python identifier, deterministically:

- non-ASCII letters are transliterated (``café`` -> ``cafe``); what has no
  ASCII form becomes ``u<hex>`` (``名`` -> ``u540d``), so distinct names stay
  distinct;
- words are split at anything that is not a letter or digit and at
  camelCase humps; :func:`snake` joins them lowercase with ``_``
  (functions, arguments, fields), :func:`pascal` capitalises and joins them
  (classes);
- a name starting with a digit gets ``n`` (snake) or ``N`` (pascal) before
  it, an empty one becomes ``value`` or ``Model``;
- a keyword, or a name the generated modules already use (``str`` as a
  field, ``Client`` as a model), gets ``_`` (snake) or ``Model`` (pascal)
  after it.

A name that is already fine is kept as it is (:func:`field` keeps ``taskId``
and :func:`pascal` keeps ``VideoTask``), so that readable specs read the same
in Python. :func:`assign` names a whole set at once, collision-free: the names
that are kept as they are come first, then the others in spec order, each
taking the first of ``name``, ``name_2``, ``name_3``, ... (``Name``,
``Name2``, ...) that nothing has taken. The wire always keeps the spec name:
parameters carry both, response fields keep theirs as an alias, and request
TypedDicts use the spec names as their keys. The names of the functions the
generator writes around these (builders, parsers, predicates, decoders,
iterators) are derived from them in :mod:`codegen.naming`.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from codegen.loader import SpecError

_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_KEPT_SNAKE = re.compile(r"[a-z][A-Za-z0-9_]*")
_KEPT_PASCAL = re.compile(r"[A-Z][A-Za-z0-9]*")
# Names a field or argument must not take: the builtins the generated annotations
# use (a dataclass field ``str`` with a default would hide ``str`` from its class).
K = TypeVar("K", bound=Hashable)
RESERVED_SNAKE = frozenset({"str", "int", "float", "bool", "list", "dict", "bytes", "self"})


def ascii_words(name: str) -> list[str]:
    """The words of ``name`` in ASCII: transliterated, split at separators and camelCase humps."""
    parts = []
    for char in unicodedata.normalize("NFKD", name):
        if char.isascii():
            parts.append(char)
        elif unicodedata.combining(char):
            continue
        elif char.isalnum():
            parts.append(f" u{ord(char):04x} ")
        else:
            parts.append(" ")
    text = _HUMP.sub(" ", "".join(parts))
    return [word for word in _SEPARATORS.split(text) if word]


def snake_case(name: str) -> str:
    """``createVideoGeneration`` -> ``create_video_generation`` (may be no identifier)."""
    return "_".join(word.lower() for word in ascii_words(name))


def snake(name: str, reserved: Iterable[str] = RESERVED_SNAKE) -> str:
    """``name`` as a lowercase snake_case identifier, never a keyword nor one of ``reserved``."""
    candidate = snake_case(name) or "value"
    if candidate[0].isdigit():
        candidate = "n" + candidate
    if keyword.iskeyword(candidate) or candidate in reserved:
        candidate += "_"
    return candidate


def field(name: str, reserved: Iterable[str] = RESERVED_SNAKE) -> str:
    """``name`` kept if it already is a plain identifier (``taskId``), else :func:`snake`."""
    reserved = set(reserved)
    if _KEPT_SNAKE.fullmatch(name) and not keyword.iskeyword(name) and name not in reserved:
        return name
    return snake(name, reserved)


def pascal(name: str, reserved: Iterable[str] = ()) -> str:
    """``name`` as a PascalCase class name (kept if it is one), never a keyword nor reserved."""
    reserved = set(reserved)
    if _KEPT_PASCAL.fullmatch(name):
        candidate = name
    else:
        candidate = "".join(word[0].upper() + word[1:] for word in ascii_words(name)) or "Model"
        if candidate[0].isdigit():
            candidate = "N" + candidate
    if keyword.iskeyword(candidate) or candidate in reserved:
        candidate += "Model"
    return candidate


def assign(
    names: Iterable[K] | Mapping[K, str],
    convert: Callable[[str], str],
    taken: Iterable[str] = (),
) -> dict[K, str]:
    """A distinct identifier for each of ``names``, none of them in ``taken``.

    ``names`` are spec names, or a mapping from keys to spec names when two
    things may share a spec name (a header and a query parameter ``id``). Names
    that ``convert`` keeps as they are choose first; the others follow in
    order, each with the first free numbered suffix when its converted name
    is taken: ``_2``, ``_3``, ... after a snake_case name, ``2``, ``3``, ... after a
    PascalCase one (``V2``, ``V3``, ... when it ends with a digit: ``Error2V2``).
    """
    raw: dict[K, str] = (
        dict(names) if isinstance(names, Mapping) else {n: n for n in names}  # type: ignore[misc]
    )
    converted = {key: convert(name) for key, name in raw.items()}
    used = set(taken)
    chosen: dict[K, str] = {}
    for key in sorted(raw, key=lambda k: converted[k] != raw[k]):
        base = converted[key]
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = _numbered(base, number)
        used.add(candidate)
        chosen[key] = candidate
    return {key: chosen[key] for key in raw}


def _numbered(base: str, number: int) -> str:
    if not base[0].isupper():
        return f"{base.rstrip('_')}_{number}"
    return f"{base}V{number}" if base[-1].isdigit() else f"{base}{number}"


def python_name(name: str, where: str = "") -> str:
    """``name`` as an argument name (:func:`field`); ``where`` is kept for callers' messages."""
    del where
    return field(name)


def check_unique(names: list[str], what: str) -> None:
    """Raise naming the first of ``names`` that is used twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{what} {name!r} is used twice")
        seen.add(name)
