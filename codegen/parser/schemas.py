"""Schemas: the one table of supported keywords, and the views the outputs need.

Each JSON Schema keyword the generator accepts is declared once in
``KEYWORDS``: whether the generated validator enforces it, whether the data
models see it, and how its value is read. A keyword outside the table is an
error naming where it is, never a silently dropped rule; ``x-`` keywords not in
the table are vendor annotations and are ignored.

Adding a keyword is a row here and, if it validates, a rule in the runtime's
``_validation.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from codegen import ecma_regex
from codegen.ir import DEPRECATED_NOTE, Model, Schema
from codegen.loader import (
    SCHEMA_REF_PREFIX,
    SpecError,
    gather,
    raise_all,
    resolve_schema,
    schema_name,
)
from codegen.parser import extensions

JSON_TYPES = {"null", "boolean", "object", "array", "number", "integer", "string"}
# How a keyword's value is read: a plain value, one schema, a list of schemas, ...
ValueKind = Literal[
    "value",
    "schema",
    "schemas",
    "properties",
    "ref",
    "type",
    "pattern",
    "discriminator",
    "pairs",
    "exclusive",
]


@dataclass(frozen=True)
class Keyword:
    """How the generator treats one schema keyword.

    ``validates``: the generated validator enforces it (kept in ``_spec.py``).
    ``message``: kept beside the validating keywords for error wording only.
    ``structural``: data models see it (types and shapes, docs, defaults).
    """

    validates: bool = False
    message: bool = False
    structural: bool = True
    kind: ValueKind = "value"


_VALIDATES = Keyword(validates=True)
_ANNOTATION = Keyword()
KEYWORDS: dict[str, Keyword] = {
    "$ref": Keyword(validates=True, kind="ref"),
    "type": Keyword(validates=True, kind="type"),
    "enum": _VALIDATES,
    "const": _VALIDATES,
    "minimum": _VALIDATES,
    "maximum": _VALIDATES,
    "exclusiveMinimum": _VALIDATES,
    "exclusiveMaximum": _VALIDATES,
    "minLength": _VALIDATES,
    "maxLength": _VALIDATES,
    "pattern": Keyword(validates=True, structural=False, kind="pattern"),
    "items": Keyword(validates=True, kind="schema"),
    "minItems": _VALIDATES,
    "maxItems": _VALIDATES,
    "uniqueItems": _VALIDATES,
    "properties": Keyword(validates=True, kind="properties"),
    "required": _VALIDATES,
    "additionalProperties": Keyword(validates=True, kind="schema"),
    "minProperties": _VALIDATES,
    "maxProperties": _VALIDATES,
    "allOf": Keyword(validates=True, kind="schemas"),
    "anyOf": Keyword(validates=True, kind="schemas"),
    "oneOf": Keyword(validates=True, kind="schemas"),
    "not": Keyword(validates=True, structural=False, kind="schema"),
    "if": Keyword(validates=True, structural=False, kind="schema"),
    "then": Keyword(validates=True, structural=False, kind="schema"),
    "else": Keyword(validates=True, structural=False, kind="schema"),
    "discriminator": Keyword(validates=True, structural=False, kind="discriminator"),
    "x-equal-properties": Keyword(validates=True, structural=False, kind="pairs"),
    "x-exclusive": Keyword(validates=True, structural=False, kind="exclusive"),
    "title": Keyword(message=True, structural=False),
    "x-expect": Keyword(message=True, structural=False),
    "examples": Keyword(structural=False),
    "description": _ANNOTATION,
    "default": _ANNOTATION,
    "example": _ANNOTATION,
    "deprecated": _ANNOTATION,
    # Kept for the validator: a request refuses readOnly, a response need not carry writeOnly.
    "readOnly": _VALIDATES,
    "writeOnly": _VALIDATES,
    "format": _ANNOTATION,
    "$comment": _ANNOTATION,
    "contentMediaType": _ANNOTATION,
    "contentEncoding": _ANNOTATION,
    "externalDocs": _ANNOTATION,
}
_REFUSED = {"nullable": "use type: [..., 'null'] (OpenAPI 3.1), not nullable"}


def runtime_schema(raw: Any, where: str) -> Any:
    """Check ``raw`` and return it with only the keywords the validator reads.

    Schema refs become bare names (``{"$ref": "VideoTask"}``). Every problem
    in the schema is reported, not only the first.
    """
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: a schema must be an object or a boolean")
    errors: list[SpecError] = []
    kept = gather(errors, raw.items(), lambda item: _runtime_entry(*item, f"{where}.{item[0]}"))
    raise_all(errors)
    return dict(entry for entry in kept if entry is not None)


def _runtime_entry(key: str, value: Any, where: str) -> tuple[str, Any] | None:
    """``(key, value)`` as the validator reads it, or None for a keyword it does not read."""
    keyword = KEYWORDS.get(key)
    if keyword is None:
        if key in _REFUSED:
            raise SpecError(f"{where}: {_REFUSED[key]}")
        if not key.startswith("x-"):
            raise SpecError(f"{where}: the keyword {key!r} is not supported by the generator")
        return None
    if not (keyword.validates or keyword.message):
        return None
    return key, _runtime_value(keyword.kind, value, where)


def _runtime_value(kind: ValueKind, value: Any, where: str) -> Any:
    readers: dict[ValueKind, Callable[[Any, str], Any]] = {
        "value": lambda v, _: v,
        "ref": _ref_name,
        "type": _types,
        "pattern": _pattern,
        "schema": _one_schema,
        "schemas": _schema_list,
        "properties": _properties,
        "discriminator": _discriminator,
        "pairs": extensions.equal_properties,
        "exclusive": extensions.exclusive,
    }
    return readers[kind](value, where)


def _ref_name(value: Any, where: str) -> str:
    name = schema_name(value) if isinstance(value, str) else None
    if name is None:
        raise SpecError(f"{where}: only #/components/schemas/<Name> references are supported")
    return name


def _types(value: Any, where: str) -> Any:
    types = value if isinstance(value, list) else [value]
    if not types or any(t not in JSON_TYPES for t in types):
        raise SpecError(f"{where}: unknown type {value!r}")
    return value


def _pattern(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SpecError(f"{where}: a pattern must be a string")
    try:
        re.compile(ecma_regex.translate(value))
    except (ecma_regex.UnsupportedPatternError, re.error) as error:
        raise SpecError(f"{where}: {error}") from None
    return value


def _one_schema(value: Any, where: str) -> Any:
    if isinstance(value, list):
        raise SpecError(f"{where}: array-form items is not JSON Schema 2020-12")
    return runtime_schema(value, where)


def _schema_list(value: Any, where: str) -> list[Any]:
    return _all(
        [(sub, f"{where}[{i}]") for i, sub in enumerate(value)],
        lambda sub, here: runtime_schema(sub, here),
    )


def _properties(value: Any, where: str) -> dict[str, Any]:
    names = list(value)
    converted = _all(
        [(sub, f"{where}.{prop}") for prop, sub in value.items()],
        lambda sub, here: runtime_schema(sub, here),
    )
    return dict(zip(names, converted, strict=True))


def _discriminator(value: Any, where: str) -> dict[str, Any]:
    mapping = {tag: schema_name(ref) for tag, ref in value.get("mapping", {}).items()}
    if None in mapping.values():
        raise SpecError(f"{where}: mapping values must be #/components/schemas/<Name>")
    return {"propertyName": value["propertyName"], "mapping": mapping}


def _all(items: list[tuple[Any, str]], convert: Callable[[Any, str], Any]) -> list[Any]:
    """Convert every item, reporting every problem together."""
    errors: list[SpecError] = []
    results = gather(errors, items, lambda item: convert(*item))
    raise_all(errors)
    return results


def patterns_of(schemas: Any) -> dict[str, str]:
    """Every pattern in ``schemas`` (runtime views, in any JSON) mapped to its translation."""
    found = dict.fromkeys(_patterns(schemas))
    return {pattern: ecma_regex.translate(pattern) for pattern in found}


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for key, value in node.items():
            if key != "properties" or not isinstance(value, dict):
                yield from _patterns(value)
            else:
                for sub in value.values():
                    yield from _patterns(sub)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def closure(roots: list[str], schemas: Mapping[str, Schema]) -> tuple[str, ...]:
    """Every schema name reachable from ``roots`` (runtime views), in first-reached order."""
    order: dict[str, None] = {}
    stack = list(reversed(roots))
    while stack:
        name = stack.pop()
        if name in order:
            continue
        order[name] = None
        stack.extend(reversed(list(_refs(schemas[name]))))
    return tuple(order)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for key, value in node.items():
            if key != "discriminator":
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def models(
    names: tuple[str, ...],
    sources: Mapping[str, Any],
    class_names: Mapping[str, str],
    *,
    for_callers: bool,
) -> tuple[Model, ...]:
    """The data models for ``names``: their structural views, under their class names.

    ``for_callers`` is the view of what a caller passes: a required property
    whose schema (after following references) has a default may be left out,
    since the builder fills the default in, and a ``readOnly`` property is not
    there at all. The other view, of what a server (where a ``writeOnly``
    property is never required)
    returns, types each ``enum`` or ``const`` field as its values or any other
    value of their JSON type (:func:`open_values`), since a lenient parse keeps
    values the spec does not list.
    """
    built = []
    for name in names:
        schema = structural(sources[name])
        # A caller's view types files Any; a server's opens enums and consts.
        schema = files_as_any(schema) if for_callers else open_values(schema, sources)
        schema = directed(schema, sources, for_callers=for_callers)
        if for_callers and isinstance(schema, dict) and "required" in schema:
            properties = sources[name].get("properties", {})
            schema["required"] = [
                prop
                for prop in schema["required"]
                if "default" not in resolve_schema(properties.get(prop, {}), sources)
            ]
        built.append(Model(class_names[name], _renamed_refs(schema, class_names)))
    return tuple(built)


def files_as_any(node: Any) -> Any:
    """``node`` with each file (a string of bytes) typed ``Any``.

    A caller passes a path, bytes, a file object or an ``Upload`` there,
    which the runtime checks.
    """
    if isinstance(node, list):
        return [files_as_any(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "string" and (
        node.get("format") == "binary" or "contentMediaType" in node
    ):
        return {k: v for k, v in node.items() if k in _DOCS}
    return {key: files_as_any(value) for key, value in node.items()}


_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def directed(node: Any, sources: Mapping[str, Any], *, for_callers: bool) -> Any:
    """A structural view as one direction sees it, at every depth; deprecated fields noted.

    Sent (``for_callers``): ``readOnly`` properties are dropped, since the
    server owns them. Returned: ``writeOnly`` properties stay, but are not
    required, since the server never returns them. A ``deprecated`` property's
    description (its field's docstring) says it is deprecated.
    """
    if isinstance(node, list):
        return [directed(item, sources, for_callers=for_callers) for item in node]
    if not isinstance(node, dict):
        return node
    out = dict(node)
    for key in _SUBSCHEMAS:
        if isinstance(out.get(key), dict):
            out[key] = directed(out[key], sources, for_callers=for_callers)
    for key in _SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = directed(out[key], sources, for_callers=for_callers)
    if isinstance(out.get("properties"), dict):
        flag = "readOnly" if for_callers else "writeOnly"
        flagged = {prop for prop, sub in out["properties"].items() if _flagged(sub, flag, sources)}
        out["properties"] = {
            prop: _noted(directed(sub, sources, for_callers=for_callers))
            for prop, sub in out["properties"].items()
            if not (for_callers and prop in flagged)
        }
        if "required" in out:
            out["required"] = [prop for prop in out["required"] if prop not in flagged]
    return out


def _noted(schema: Any) -> Any:
    """``schema`` with :data:`DEPRECATED_NOTE` before its description when it is deprecated."""
    if not isinstance(schema, dict) or schema.get("deprecated") is not True:
        return schema
    description = " ".join(str(schema.get("description", "")).split())
    return {**schema, "description": f"{DEPRECATED_NOTE} {description}".strip()}


def _flagged(schema: Any, flag: str, sources: Mapping[str, Any]) -> bool:
    """Whether a structural ``schema``, or the schema its ``$ref`` names, says ``flag: true``."""
    seen = set()
    while isinstance(schema, dict):
        if schema.get(flag) is True:
            return True
        ref = schema.get("$ref")
        if not isinstance(ref, str) or ref in seen:
            return False
        seen.add(ref)
        name = ref.rsplit("/", 1)[-1]
        schema = sources.get(name)
    return False


def _renamed_refs(node: Any, class_names: Mapping[str, str]) -> Any:
    """``node`` with each ``#/$defs/<schema name>`` pointing at ``#/$defs/<class name>``."""
    if isinstance(node, list):
        return [_renamed_refs(item, class_names) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = "#/$defs/" + class_names[value[len("#/$defs/") :]]
        elif key == "properties" and isinstance(value, dict):
            out[key] = {prop: _renamed_refs(sub, class_names) for prop, sub in value.items()}
        else:
            out[key] = _renamed_refs(value, class_names)
    return out


def property_names(models: tuple[Model, ...]) -> list[str]:
    """Every property name of ``models``, nested ones too, in first-seen order."""
    found: dict[str, None] = {}

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    found.update(dict.fromkeys(value))
                    for sub in value.values():
                        visit(sub)
                elif key not in ("default", "example", "examples", "const", "enum"):
                    visit(value)

    for model in models:
        visit(model.schema)
    return list(found)


def structural(node: Any) -> Any:
    """``node`` with only the keywords data models see, refs pointing at ``#/$defs/``."""
    if isinstance(node, list):
        return [structural(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        keyword = KEYWORDS.get(key)
        if keyword is None or not keyword.structural:
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + value[len(SCHEMA_REF_PREFIX) :]
        elif keyword.kind == "properties":
            out[key] = {prop: structural(sub) for prop, sub in value.items()}
        elif keyword.kind in ("schema", "schemas"):
            out[key] = structural(value)
        else:
            out[key] = value
    if "allOf" in out:
        out["allOf"] = [branch for branch in out["allOf"] if branch]
        if not out["allOf"]:
            del out["allOf"]
    return out


_DOCS = ("description", "default", "example", "deprecated", "readOnly", "writeOnly", "$comment")
_PYTHON_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def open_values(node: Any, sources: Mapping[str, Any]) -> Any:
    """``node`` with each enum or const in a property, item or union branch opened.

    An opened enum or const (inline or by reference) is its values or any value
    of their JSON type: ``status: TaskStatus`` becomes ``status: TaskStatus | str``.
    The Literal still documents the values, and the annotation is true of what
    a lenient parse returns.
    """
    if not isinstance(node, dict):
        return node
    out = dict(node)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _open_value(v, sources) for k, v in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _open_value(out[key], sources)
    for key in ("anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_open_value(branch, sources) for branch in out[key]]
    if isinstance(out.get("allOf"), list):
        out["allOf"] = [open_values(branch, sources) for branch in out["allOf"]]
    return out


def _open_value(node: Any, sources: Mapping[str, Any]) -> Any:
    node = open_values(node, sources)
    types = _closed_types(node, sources)
    if types is None:
        return node
    docs = {k: v for k, v in node.items() if k in _DOCS}
    inner = {k: v for k, v in node.items() if k not in _DOCS}
    return {**docs, "anyOf": [inner, {"type": types[0] if len(types) == 1 else types}]}


def _closed_types(node: Any, sources: Mapping[str, Any]) -> list[str] | None:
    """The JSON types of the values an enum or const schema allows, or None if it is not one."""
    if not isinstance(node, dict):
        return None
    if "$ref" in node and not {k for k in node if k != "$ref"} - set(_DOCS):
        name = node["$ref"].rsplit("/", 1)[-1]
        return _closed_types(structural(sources[name]), sources) if name in sources else None
    if "enum" not in node and "const" not in node:
        return None
    if "type" in node:
        return [node["type"]] if isinstance(node["type"], str) else list(node["type"])
    values = [node["const"]] if "const" in node else list(node["enum"])
    types = [
        "null"
        if value is None
        else next(t for py, t in _PYTHON_JSON_TYPES if isinstance(value, py))
        for value in values
    ]
    return list(dict.fromkeys(types))
