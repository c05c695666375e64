"""The ``x-`` extensions of the spec, read into the IR's typed records.

This is the only module of the generator that reads an ``x-`` key. Each
extension has a reader here and a record in :mod:`codegen.ir`; the reader
checks the extension's shape and says where it is wrong, and the rest of the
generator (the renderer, the templates) sees only records. Adding an ``x-``
rule is a record in the IR, a reader here, and the template or runtime code
that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, cast

from codegen.ir import (
    Cli,
    CliOption,
    Conversion,
    Echo,
    ErrorFields,
    Lifecycle,
    Pagination,
    Upstream,
    UpstreamPart,
    UpstreamStep,
    Waiter,
)
from codegen.loader import SpecError, pointer_keys, resolve_schema, schema_name
from codegen.parser.names import python_name

_CONVERSIONS: tuple[Conversion, ...] = ("string", "integer", "positive-integer")
_CLI_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_JSON_TYPE_OF = {str: "string", int: "integer", float: "number", bool: "boolean"}


_PAGINATION_KEYS = {"cursor", "items", "next_cursor", "has_more", "method"}


def exclusive(value: Any, where: str) -> list[dict[str, Any]]:
    """``x-exclusive``: groups of fields (JSON pointers) of which a body may set one at most.

    Each group has a ``reason``, shown in the error, because a caller needs to
    know why two valid fields cannot go together.
    """
    if not isinstance(value, list):
        raise SpecError(f"{where}: must be a list of {{fields, reason}} groups")
    groups = []
    for i, raw in enumerate(value):
        here = f"{where}[{i}]"
        group = _mapping(raw, here)
        fields = [_pointer(p, f"{here}.fields") for p in _strings(group.get("fields"), here)]
        if len(fields) < 2:
            raise SpecError(f"{here}.fields: name at least two fields")
        reason = " ".join(_string(group.get("reason"), f"{here}.reason").split())
        groups.append({"fields": fields, "reason": reason})
    return groups


def equal_properties(value: Any, where: str) -> list[list[str]]:
    """``x-equal-properties``: pairs of properties that must hold equal values."""
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in value
    ):
        raise SpecError(f"{where}: expected a list of [property, property] pairs")
    return value


def error_fields(schema: Mapping[str, Any], where: str) -> ErrorFields | None:
    """``x-error-fields`` of an error schema: JSON pointers to message, type and code."""
    raw = schema.get("x-error-fields")
    if raw is None:
        return None
    here = f"{where}.x-error-fields"
    fields = _mapping(raw, here)
    unknown = set(fields) - {"message", "type", "code"}
    if unknown:
        raise SpecError(f"{here}: unknown parts {sorted(unknown)} (message, type, code)")
    return ErrorFields(
        **{name: tuple(_pointers(value, f"{here}.{name}")) for name, value in fields.items()}
    )


def lifecycle(schema: Mapping[str, Any], where: str) -> Lifecycle | None:
    """``x-lifecycle`` of a model: its status property and which status may follow which."""
    raw = schema.get("x-lifecycle")
    if raw is None:
        return None
    here = f"{where}.x-lifecycle"
    spec = _mapping(raw, here)
    transitions = _mapping(spec.get("transitions"), f"{here}.transitions")
    states = set(transitions)
    for state, following in transitions.items():
        if not isinstance(following, list) or not set(following) <= states:
            raise SpecError(f"{here}.transitions.{state}: must list states of the lifecycle")
    initial = _string(spec.get("initial"), f"{here}.initial")
    if initial not in states:
        raise SpecError(f"{here}.initial: {initial!r} is not a state of the lifecycle")
    progress = spec.get("progress")
    return Lifecycle(
        status=_string(spec.get("property"), f"{here}.property"),
        progress=None if progress is None else _string(progress, f"{here}.progress"),
        initial=initial,
        transitions=tuple((state, tuple(following)) for state, following in transitions.items()),
    )


def echo(operation: Mapping[str, Any], where: str) -> tuple[Echo, ...]:
    """``x-echo``: response properties that repeat what the request produced."""
    raw = operation.get("x-echo")
    if raw is None:
        return ()
    here = f"{where}.x-echo.properties"
    rules = []
    for name, rule in _mapping(_mapping(raw, here).get("properties"), here).items():
        place = f"{here}.{name}"
        spec = _mapping(rule, place)
        source = spec.get("from")
        if source not in ("request", "upstream"):
            raise SpecError(f"{place}.from: must be 'request' or 'upstream'")
        unless = spec.get("unless", [])
        if not isinstance(unless, list):
            raise SpecError(f"{place}.unless: must be a list of values")
        rules.append(
            Echo(
                name=name,
                source=source,
                pointer=_pointer(spec.get("pointer"), f"{place}.pointer"),
                convert=_conversion(spec.get("as"), f"{place}.as"),
                optional=bool(spec.get("optional", False)),
                unless=tuple(unless),
            )
        )
    return tuple(rules)


def idempotent(operation: Mapping[str, Any], where: str) -> bool:
    """``x-idempotent``: whether the operation is safe to repeat although its method may not be."""
    raw = operation.get("x-idempotent", False)
    if not isinstance(raw, bool):
        raise SpecError(f"{where}.x-idempotent: must be true or false")
    return raw


def upstream(operation: Mapping[str, Any], where: str) -> Upstream | None:
    """``x-upstream``: the steps that turn a request body into the forwarded payload."""
    raw = operation.get("x-upstream")
    if raw is None:
        return None
    here = f"{where}.x-upstream"
    spec = _mapping(raw, here)
    steps = spec.get("steps")
    if not isinstance(steps, list):
        raise SpecError(f"{here}.steps: must be a list")
    return Upstream(
        description=str(spec.get("description", "")).strip(),
        steps=tuple(_step(step, f"{here}.steps[{i}]") for i, step in enumerate(steps)),
    )


def _step(raw: Any, where: str) -> UpstreamStep:
    step = _mapping(raw, where)
    if "merge" in step:
        excepted = step.get("except", [])
        if not isinstance(excepted, list) or not all(isinstance(k, str) for k in excepted):
            raise SpecError(f"{where}.except: must be a list of keys")
        source = _pointer(step["merge"], f"{where}.merge")
        return UpstreamStep("merge", target="", source=source, except_keys=tuple(excepted))
    if "remove" in step:
        match = _mapping(step.get("where"), f"{where}.where")
        return UpstreamStep("remove", _pointer(step["remove"], f"{where}.remove"), "", where=match)
    if "append" in step:
        target = _pointer(step["append"], f"{where}.append")
        source = _pointer(step.get("from"), f"{where}.from")
        return UpstreamStep("append", target, source, item=step.get("item"))
    target = _pointer(step.get("set"), f"{where}.set")
    if "concat" in step:
        parts = step["concat"]
        if not isinstance(parts, list):
            raise SpecError(f"{where}.concat: must be a list")
        return UpstreamStep(
            "set",
            target=target,
            source="",
            concat=tuple(_part(part, f"{where}.concat[{i}]") for i, part in enumerate(parts)),
        )
    return UpstreamStep(
        "set",
        target=target,
        source=_pointer(step.get("from"), f"{where}.from"),
        convert=_conversion(step.get("convert"), f"{where}.convert"),
    )


def _part(raw: Any, where: str) -> UpstreamPart:
    part = _mapping(raw, where)
    if "each" in part and "item" in part:
        raise SpecError(f"{where}: give 'each' or 'item', not both")
    return UpstreamPart(
        source=_pointer(part.get("from"), f"{where}.from"),
        each=part.get("each"),
        item=part.get("item"),
    )


def waiter(operation: Mapping[str, Any], lifecycles: list[Lifecycle], where: str) -> Waiter | None:
    """``x-waiter``: a polling method, ending where the 2xx model's ``x-lifecycle`` ends."""
    raw = operation.get("x-waiter")
    if raw is None:
        return None
    here = f"{where}.x-waiter"
    spec = _mapping(raw, here)
    if len(lifecycles) != 1:
        raise SpecError(f"{here}: the 2xx model must declare x-lifecycle")
    found = lifecycles[0]
    return Waiter(
        method=python_name(_string(spec.get("method"), f"{here}.method"), f"{here}.method"),
        description=str(spec.get("description", "")).strip(),
        status_property=found.status,
        progress_property=found.progress,
        terminal=found.terminal,
        alternatives=tuple(_strings(spec.get("alternatives", []), f"{here}.alternatives")),
    )


def pagination(
    operation: Mapping[str, Any],
    query: Mapping[str, str],
    response: Any,
    schemas: Mapping[str, Any],
    where: str,
) -> Pagination | None:
    """``x-pagination``: how to chain the pages of a list operation; checked against the spec.

    ``query`` maps the operation's query parameters to their Python names;
    ``response`` is the documented schema of its 2xx JSON response (None if it has none).
    """
    raw = operation.get("x-pagination")
    if raw is None:
        return None
    here = f"{where}.x-pagination"
    spec = _mapping(raw, here)
    unknown = sorted(set(spec) - _PAGINATION_KEYS)
    if unknown:
        raise SpecError(f"{here}: unknown keys {unknown} ({', '.join(sorted(_PAGINATION_KEYS))})")
    cursor = _string(spec.get("cursor"), f"{here}.cursor")
    if cursor not in query:
        known = ", ".join(query) or "none"
        raise SpecError(
            f"{here}.cursor: {cursor!r} is not a query parameter of the operation ({known})"
        )
    if response is None:
        raise SpecError(f"{here}: the operation needs one JSON 2xx response to read pages from")
    items = _pointer(spec.get("items"), f"{here}.items")
    array = _response_schema_at(response, items, schemas, f"{here}.items")
    if "array" not in _types_of(array, schemas):
        raise SpecError(f"{here}.items: {items} must be an array in the response schema")
    item_schema = _component_of(array.get("items"))
    if item_schema is None:
        raise SpecError(
            f"{here}.items: the items of {items} must be a $ref to a component schema, "
            "which names their type"
        )
    next_cursor = _pointer(spec.get("next_cursor"), f"{here}.next_cursor")
    found = _response_schema_at(response, next_cursor, schemas, f"{here}.next_cursor")
    if {"object", "array"} & set(_types_of(found, schemas)):
        raise SpecError(f"{here}.next_cursor: {next_cursor} must be a string or a number")
    has_more = spec.get("has_more")
    if has_more is not None:
        has_more = _pointer(has_more, f"{here}.has_more")
        flag = _response_schema_at(response, has_more, schemas, f"{here}.has_more")
        if _types_of(flag, schemas) not in (["boolean"], ["boolean", "null"], ["null", "boolean"]):
            raise SpecError(f"{here}.has_more: {has_more} must be a boolean in the response schema")
    method = spec.get("method")
    return Pagination(
        cursor=cursor,
        items=items,
        next_cursor=next_cursor,
        has_more=has_more,
        method=None if method is None else python_name(_string(method, f"{here}.method")),
        item_schema=item_schema,
        cursor_argument=query[cursor],
    )


def _response_schema_at(
    schema: Any, pointer: str, schemas: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """The schema at ``pointer`` in a response schema: through properties, and items by index."""
    node = resolve_schema(schema, schemas)
    for key in pointer_keys(pointer):
        if "array" in _types_of(node, schemas) and re.fullmatch(r"-?\d+", key):
            node = resolve_schema(node.get("items", {}), schemas)
            continue
        found = _property(node, key, schemas)
        if found is None:
            raise SpecError(f"{where}: {pointer} is not in the response schema (no {key!r})")
        node = found
    return node


def _property(node: dict[str, Any], key: str, schemas: Mapping[str, Any]) -> dict[str, Any] | None:
    """The schema of property ``key`` of ``node``, looking into its ``allOf`` branches too."""
    properties = node.get("properties", {})
    if key in properties:
        return resolve_schema(properties[key], schemas)
    for branch in node.get("allOf", []):
        found = _property(resolve_schema(branch, schemas), key, schemas)
        if found is not None:
            return found
    return None


def _component_of(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return schema_name(ref) if isinstance(ref, str) else None


def cli(
    operation: Mapping[str, Any],
    body: Mapping[str, Any],
    schemas: Mapping[str, Any],
    where: str,
) -> Cli | None:
    """``x-cli``: a command line for the operation, its options set body values by pointer."""
    raw = operation.get("x-cli")
    if raw is None:
        return None
    here = f"{where}.x-cli"
    spec = _mapping(raw, here)
    options = []
    for name, pointer in _mapping(spec.get("options", {}), f"{here}.options").items():
        place = f"{here}.options.{name}"
        schema = _schema_at(body, _pointer(pointer, place), schemas, place)
        repeat = schema.get("type") == "array"
        item = resolve_schema(schema.get("items", {}), schemas) if repeat else schema
        kinds = {_CLI_KINDS.get(str(t)) for t in _types_of(item, schemas)}
        kind = kinds.pop() if len(kinds) == 1 and None not in kinds else "str"
        options.append(
            CliOption(
                name=name,
                dest=python_name(name, here),
                pointer=pointer,
                kind=cast(Literal["str", "int", "float", "bool"], kind),
                repeat=repeat,
                help=_first_sentence(str(schema.get("description", ""))),
            )
        )
    wait = _mapping(spec.get("wait") or {}, f"{here}.wait")
    after = _mapping(spec.get("after") or {}, f"{here}.after")
    commands = after.get("commands", [])
    if not isinstance(commands, list) or not all(isinstance(c, str) and c for c in commands):
        raise SpecError(f"{here}.after.commands: must be a list of command names")
    return Cli(
        command=_string(spec.get("command"), f"{here}.command"),
        help=str(operation.get("summary", "")).strip(),
        options=tuple(options),
        wait_method=wait.get("method"),
        wait_argument=wait.get("argument"),
        result=spec.get("result"),
        after=tuple(commands),
        after_argument=(
            _pointer(after.get("argument"), f"{here}.after.argument") if commands else None
        ),
    )


def _schema_at(
    schema: Mapping[str, Any], pointer: str, schemas: Mapping[str, Any], where: str
) -> dict[str, Any]:
    node = resolve_schema(schema, schemas)
    for key in pointer_keys(pointer):
        properties = node.get("properties", {})
        if key not in properties:
            raise SpecError(f"{where}: {pointer} is not a property of the request body")
        node = resolve_schema(properties[key], schemas)
    return node


def _types_of(schema: dict[str, Any], schemas: Mapping[str, Any]) -> list[str]:
    """The JSON types a schema allows, looking through unions and consts."""
    if "type" in schema:
        return schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if "const" in schema:
        return [_JSON_TYPE_OF.get(type(schema["const"]), "string")]
    if "enum" in schema:
        return sorted({_JSON_TYPE_OF.get(type(v), "string") for v in schema["enum"]})
    branches = schema.get("oneOf", []) + schema.get("anyOf", [])
    return sorted({t for b in branches for t in _types_of(resolve_schema(b, schemas), schemas)})


def _first_sentence(text: str) -> str:
    return " ".join(text.split()).split(". ")[0].rstrip(".")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(f"{where}: must be a mapping")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise SpecError(f"{where}: must be a list of strings")
    return [_string(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise SpecError(f"{where}: must be a non-empty string")
    return value


def _pointer(value: Any, where: str) -> str:
    if not isinstance(value, str) or not (value == "" or value.startswith("/")):
        raise SpecError(f"{where}: must be a JSON pointer like /name (got {value!r})")
    return value


def _pointers(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise SpecError(f"{where}: must be a list of JSON pointers")
    return [_pointer(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _conversion(value: Any, where: str) -> Conversion | None:
    if value is None:
        return None
    for known in _CONVERSIONS:
        if value == known:
            return known
    raise SpecError(f"{where}: must be one of {list(_CONVERSIONS)}")
