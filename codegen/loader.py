"""Load an OpenAPI document and resolve every ``$ref`` that is not a schema.

Schema references (``#/components/schemas/Name``) stay references, so that
recursive schemas stay finite and generated code can name them. Every other
local reference (responses, parameters, request bodies, examples) is replaced
by what it points at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

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
    document = read(path)
    resolved = _resolve(document, document, "#", ())
    assert isinstance(resolved, dict)
    return resolved


def read(path: Path) -> dict[str, Any]:
    """The document in ``path`` as it is written: a mapping, or a one-line SpecError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("no such file") from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise SpecError(f"is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise SpecError(f"cannot be read: {error.strerror or error}") from None
    if not text.strip():
        raise SpecError("the file is empty")
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
        except ValueError as error:
            raise SpecError(f"invalid JSON: {error}") from None
    else:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SpecError(f"invalid YAML: {_yaml_problem(error)}") from None
    if not isinstance(document, dict):
        kinds = {list: "a list", str: "text", type(None): "null", bool: "a boolean"}
        kind = kinds.get(type(document), "a number")
        raise SpecError(f"the document must be a mapping (an OpenAPI object), not {kind}")
    for key in ("paths", "components", "info"):
        if key in document and not isinstance(document[key], dict):
            raise SpecError(f"{key}: must be a mapping")
    return document


def _yaml_problem(error: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong and where (1-based line and column)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "malformed"
        if mark is not None:
            return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
        return str(problem)
    return " ".join(str(error).split())


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


def _resolve(node: Any, document: dict[str, Any], where: str, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_resolve(item, document, f"{where}/{i}", seen) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = schema_name(ref)
        if name is not None:
            schemas = document.get("components", {}).get("schemas", {})
            if name not in schemas:
                raise SpecError(f"{where}: {ref} points at nothing")
            return dict(node)
        if ref in seen:
            raise SpecError(f"{where}: {ref} refers to itself")
        target = _resolve(pointer_get(document, ref), document, ref, (*seen, ref))
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(target, dict):
            return {**target, **_resolve(siblings, document, where, seen)}
        return target
    return {key: _resolve(value, document, f"{where}/{key}", seen) for key, value in node.items()}
