"""Load an OpenAPI document and resolve every ``$ref`` that is not a schema.

Schema references (``#/components/schemas/Name``) stay references, so that
recursive schemas stay finite and generated code can name them. Every other
local reference (responses, parameters, request bodies, examples) is replaced
by what it points at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from codegen.documents import MAX_BYTES, MAX_DEPTH, MAX_NODES, DocumentError, parse_json, parse_yaml

SCHEMA_REF_PREFIX = "#/components/schemas/"
A = TypeVar("A")
T = TypeVar("T")


class SpecError(ValueError):
    """The spec cannot be turned into code; each problem says where and why."""

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

    @classmethod
    def collect(cls, errors: Iterable[SpecError]) -> SpecError | None:
        """One error holding every problem of ``errors``, or None when there are none."""
        problems = [problem for error in errors for problem in error.problems]
        return cls(problems) if problems else None


def gather(errors: list[SpecError], items: Iterable[A], build: Callable[[A], T]) -> list[T]:
    """``build`` each item; record in ``errors`` the problems of those that fail, and go on."""
    built = []
    for item in items:
        try:
            built.append(build(item))
        except SpecError as error:
            errors.append(error)
    return built


def raise_all(errors: list[SpecError]) -> None:
    """Raise one :class:`SpecError` with every problem of ``errors``, if there are any."""
    collected = SpecError.collect(errors)
    if collected:
        raise collected


def load(path: Path) -> dict[str, Any]:
    """Read ``path`` (YAML or JSON) and return the document with non-schema refs resolved.

    A file that cannot be read or parsed, or holds no mapping, is a
    :class:`SpecError` of one line saying why (the caller names the file).
    """
    return resolved(read(path))


def resolved(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (JSON data, as :func:`read` returns it) with non-schema refs resolved."""
    result = _Resolver(document).resolve(document, "#", ())
    assert isinstance(result, dict)
    return result


def read(path: Path) -> dict[str, Any]:
    """The document in ``path`` as it is written: a mapping, or a one-line SpecError.

    The file is read only up to :data:`codegen.documents.MAX_BYTES`, and parsed
    within the other bounds of :mod:`codegen.documents`.
    """
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError("no such file") from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a file") from None
    except OSError as error:
        raise SpecError(f"cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SpecError(f"is not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise SpecError("the file is empty")
    try:
        document = parse_json(text) if path.suffix.lower() == ".json" else parse_yaml(text)
    except DocumentError as error:
        raise SpecError(str(error)) from None
    if not isinstance(document, dict):
        kinds = {list: "a list", str: "text", type(None): "null", bool: "a boolean"}
        kind = kinds.get(type(document), "a number")
        raise SpecError(f"the document must be a mapping (an OpenAPI object), not {kind}")
    for key in ("paths", "components", "info"):
        if key in document and not isinstance(document[key], dict):
            raise SpecError(f"{key}: must be a mapping")
    return document


def pointer_keys(pointer: str) -> list[str]:
    """The keys of a JSON pointer, unescaped: ``/a~1b/c`` -> ``["a/b", "c"]``."""
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


def pointer_get(document: dict[str, Any], ref: str) -> Any:
    """Return the value at local JSON reference ``ref`` (``#/a/b``) in ``document``."""
    if not ref.startswith("#"):
        raise SpecError(f"{ref}: only local references (#/...) are supported")
    node: Any = document
    for key in pointer_keys(ref[1:]):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise SpecError(f"{ref}: the reference points at nothing")
    return node


def resolve_schema(schema: Any, schemas: Mapping[str, Any]) -> dict[str, Any]:
    """Follow ``#/components/schemas/...`` references until a schema without one.

    ``schemas`` maps component names to their schemas. Keywords beside a
    ``$ref`` (OpenAPI 3.1 allows them) override the target's. A boolean or
    missing schema resolves to ``{}``.
    """
    seen: list[str] = []
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        name = schema_name(ref)
        if name is None or name not in schemas:
            raise SpecError(f"{ref}: the reference points at nothing")
        if ref in seen:
            raise SpecError(f"{ref}: the reference refers to itself")
        seen.append(ref)
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**schemas[name], **siblings}
    return schema if isinstance(schema, dict) else {}


def schema_name(ref: str) -> str | None:
    """Return ``Name`` for ``#/components/schemas/Name``, else None."""
    if ref.startswith(SCHEMA_REF_PREFIX) and "/" not in ref[len(SCHEMA_REF_PREFIX) :]:
        return ref[len(SCHEMA_REF_PREFIX) :]
    return None


class _Resolver:
    """Replaces non-schema references by copies of their targets, within the load bounds.

    A target is copied wherever it is used, so a few references to references
    can stand for a huge document (as aliases can in YAML): every copied value
    counts, and nesting counts through each reference followed.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas = document.get("components", {}).get("schemas", {})
        self.nodes = 0

    def resolve(self, node: Any, where: str, seen: tuple[str, ...], depth: int = 0) -> Any:
        """``node`` (at ``where``, reached through the references ``seen``) resolved."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(f"{where}: more than {MAX_NODES:,} values once references are followed")
        if depth >= MAX_DEPTH and isinstance(node, (dict, list)):
            raise SpecError(
                f"{where}: nested deeper than {MAX_DEPTH} levels once references are followed"
            )
        if isinstance(node, list):
            return [
                self.resolve(item, f"{where}/{i}", seen, depth + 1) for i, item in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = schema_name(ref)
            if name is not None:
                if name not in self.schemas:
                    raise SpecError(f"{where}: {ref} points at nothing")
                return dict(node)
            if ref in seen:
                raise SpecError(f"{where}: {ref} refers to itself")
            target = self.resolve(pointer_get(self.document, ref), ref, (*seen, ref), depth)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if siblings and isinstance(target, dict):
                return {**target, **self.resolve(siblings, where, seen, depth)}
            return target
        return {
            key: self.resolve(value, f"{where}/{key}", seen, depth + 1)
            for key, value in node.items()
        }
