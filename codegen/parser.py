"""Turn a loaded OpenAPI 3.1 document into the typed IR in :mod:`codegen.ir`.

The parser refuses what it does not understand: a schema keyword outside the
supported set is an error, never a silently dropped rule.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from typing import Any

from codegen import ecma_regex
from codegen.ir import (
    Api,
    Body,
    BodyField,
    Cli,
    CliOption,
    Operation,
    Parameter,
    Response,
    Schema,
    Waiter,
)
from codegen.loader import SpecError, schema_name

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
JSON_TYPES = {"null", "boolean", "object", "array", "number", "integer", "string"}
RESERVED_ARGUMENTS = {"api_key", "base_url"}

# Keywords the generated validator enforces; it keeps exactly these.
VALIDATION_KEYWORDS = {
    "$ref",
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "discriminator",
    "x-equal-properties",
}
# Kept for error messages, not for validation.
MESSAGE_KEYWORDS = {"title", "x-expect"}
ANNOTATION_KEYWORDS = {
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
    "$comment",
    "contentMediaType",
    "contentEncoding",
    "externalDocs",
}
SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf")
SCHEMA_KEYWORDS = ("items", "additionalProperties", "not", "if", "then", "else")


def parse(document: dict[str, Any], package: str) -> Api:
    """Build the IR for ``document``; raise :class:`SpecError` naming the first problem."""
    if not str(document.get("openapi", "")).startswith("3.1"):
        raise SpecError("openapi: only OpenAPI 3.1 documents are supported")
    components = document.get("components", {})
    # Inline body and response schemas get names and join the components.
    sources: dict[str, Any] = dict(components.get("schemas", {}))
    bearer = _bearer_schemes(components.get("securitySchemes", {}))
    global_security = document.get("security", [])
    patterns: dict[str, str] = {}
    operations = tuple(
        _operation(path, method, op, path_item, sources, patterns, bearer, global_security)
        for path, path_item in document.get("paths", {}).items()
        for method in HTTP_METHODS
        if isinstance(op := path_item.get(method), dict)
    )
    _check_unique([op.name for op in operations], "operationId (in snake_case)")
    schemas = {
        name: _runtime_schema(schema, f"components.schemas.{name}", patterns)
        for name, schema in sources.items()
    }
    info = document.get("info", {})
    servers = document.get("servers") or [{"url": ""}]
    return Api(
        title=info.get("title", ""),
        version=str(info.get("version", "")),
        description=info.get("description", "").strip(),
        base_url=servers[0]["url"].rstrip("/"),
        package=package,
        operations=operations,
        schemas=schemas,
        source_schemas=sources,
        patterns=patterns,
        request_models=_closure([op.body.type_name for op in operations if op.body], schemas),
        response_models=_closure([n for op in operations for n in op.success_models], schemas),
    )


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


def _bearer_schemes(schemes: dict[str, Any]) -> set[str]:
    bearer = set()
    for name, scheme in schemes.items():
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            bearer.add(name)
        else:
            raise SpecError(f"components.securitySchemes.{name}: only HTTP bearer is supported")
    return bearer


def _operation(
    path: str,
    method: str,
    op: dict[str, Any],
    path_item: dict[str, Any],
    sources: dict[str, Any],
    patterns: dict[str, str],
    bearer: set[str],
    global_security: list[dict[str, Any]],
) -> Operation:
    where = f"paths.{path}.{method}"
    operation_id = op.get("operationId")
    if not isinstance(operation_id, str):
        raise SpecError(f"{where}: operationId is required")
    name = snake_case(operation_id)
    located = [
        *(
            (p, f"paths.{path}.parameters[{i}]")
            for i, p in enumerate(path_item.get("parameters", []))
        ),
        *((p, f"{where}.parameters[{i}]") for i, p in enumerate(op.get("parameters", []))),
    ]
    parameters = tuple(_parameter(p, place, patterns) for p, place in located)
    for parameter in parameters:
        if parameter.location == "path" and f"{{{parameter.name}}}" not in path:
            raise SpecError(f"{where}: path parameter {parameter.name!r} is not in the path")
    missing = set(re.findall(r"{([^}]+)}", path)) - {p.name for p in parameters}
    if missing:
        raise SpecError(f"{where}: path parameters {sorted(missing)} are not declared")
    body = _body(op.get("requestBody"), where, operation_id, sources)
    _check_unique(
        [p.python_name for p in parameters]
        + [f.name for f in (body.fields if body else ())]
        + sorted(RESERVED_ARGUMENTS),
        f"{where}: keyword argument",
    )
    responses = tuple(
        _response(str(status), response, f"{where}.responses.{status}", operation_id, sources)
        for status, response in op.get("responses", {}).items()
    )
    security = op.get("security", global_security)
    auth = any(bearer & set(requirement) for requirement in security)
    extensions = {k: v for k, v in op.items() if k.startswith("x-")}
    operation = Operation(
        operation_id=operation_id,
        name=name,
        constant=name.upper(),
        method=method.upper(),
        path=path,
        summary=op.get("summary", "").strip(),
        description=op.get("description", "").strip(),
        parameters=parameters,
        body=body,
        responses=responses,
        auth=auth,
        extensions=extensions,
    )
    waiter = _waiter(operation, sources, where)
    cli = _cli(operation, sources, where)
    return Operation(**{**operation.__dict__, "waiter": waiter, "cli": cli})


def _parameter(raw: dict[str, Any], where: str, patterns: dict[str, str]) -> Parameter:
    location = raw.get("in")
    if location not in ("path", "query", "header"):
        raise SpecError(f"{where}: parameters in {location!r} are not supported")
    name = raw["name"]
    # The runtime writes query parameters as form/exploded and the rest as simple.
    supported = {"query": "form", "path": "simple", "header": "simple"}[location]
    if raw.get("style", supported) != supported or raw.get("explode", location == "query") != (
        location == "query"
    ):
        raise SpecError(f"{where}: only style {supported!r} with the default explode is supported")
    return Parameter(
        name=name,
        python_name=python_name(name, where),
        location=location,
        required=bool(raw.get("required", location == "path")),
        schema=_runtime_schema(raw.get("schema", {}), f"{where}.schema", patterns),
        description=raw.get("description", "").strip(),
    )


def _json_schema(content: dict[str, Any] | None, where: str) -> Any:
    if not content:
        return None
    for media_type, media in content.items():
        if media_type == "application/json" or media_type.endswith("+json"):
            return media.get("schema", {})
    raise SpecError(f"{where}: only JSON content is supported (got {sorted(content)})")


def _named(raw: Any, fallback: str, sources: dict[str, Any]) -> tuple[Schema, str]:
    """Return a reference to ``raw`` and its model name, naming it if it is inline."""
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    name = schema_name(ref) if isinstance(ref, str) else None
    if name is None:
        name = fallback
        sources[name] = raw
    return {"$ref": name}, name


def _body(
    raw: dict[str, Any] | None, where: str, operation_id: str, sources: dict[str, Any]
) -> Body | None:
    if raw is None:
        return None
    source = _json_schema(raw.get("content"), f"{where}.requestBody")
    if source is None:
        return None
    fallback = operation_id[0].upper() + operation_id[1:] + "Body"
    schema, type_name = _named(source, fallback, sources)
    target = sources[type_name]
    if target.get("type") != "object":
        raise SpecError(f"{where}.requestBody: the JSON body must be an object schema")
    required = set(target.get("required", []))
    fields = []
    for prop in target.get("properties", {}):
        if prop in RESERVED_ARGUMENTS or keyword.iskeyword(prop) or not prop.isidentifier():
            raise SpecError(f"{where}.requestBody: property {prop!r} cannot be a keyword argument")
        # The source schema, not the runtime one: that drops descriptions and defaults.
        source_schema = _resolved(target["properties"][prop], sources)
        fields.append(
            BodyField(
                name=prop,
                required=prop in required,
                description=str(source_schema.get("description", "")).strip(),
                has_default="default" in source_schema,
                default=source_schema.get("default"),
            )
        )
    return Body(
        schema=schema, type_name=type_name, required=bool(raw.get("required")), fields=tuple(fields)
    )


def _response(
    status: str, raw: dict[str, Any], where: str, operation_id: str, sources: dict[str, Any]
) -> Response:
    if not re.fullmatch(r"[1-5](?:\d\d|XX)|default", status):
        raise SpecError(f"{where}: {status!r} is not a status code, range or 'default'")
    source = _json_schema(raw.get("content"), where)
    schema: Schema | None = None
    model_name: str | None = None
    if source is not None:
        fallback = f"{operation_id[0].upper()}{operation_id[1:]}Response{status}"
        schema, model_name = _named(source, fallback, sources)
    return Response(
        status=status,
        description=raw.get("description", "").strip(),
        schema=schema,
        model_name=model_name if status.startswith("2") else None,
    )


def _waiter(operation: Operation, raw_schemas: dict[str, Any], where: str) -> Waiter | None:
    spec = operation.extensions.get("x-waiter")
    if spec is None:
        return None
    models = operation.success_models
    lifecycle = raw_schemas.get(models[0], {}).get("x-lifecycle") if len(models) == 1 else None
    if not isinstance(lifecycle, dict):
        raise SpecError(f"{where}.x-waiter: the 2xx model must declare x-lifecycle")
    transitions: dict[str, list[str]] = lifecycle.get("transitions", {})
    return Waiter(
        method=python_name(spec["method"], f"{where}.x-waiter.method"),
        description=str(spec.get("description", "")).strip(),
        status_property=lifecycle["property"],
        progress_property=lifecycle.get("progress"),
        terminal=tuple(state for state, following in transitions.items() if not following),
    )


_CLI_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def _cli(operation: Operation, sources: dict[str, Any], where: str) -> Cli | None:
    spec = operation.extensions.get("x-cli")
    if spec is None:
        return None
    body = sources[operation.body.type_name] if operation.body else {}
    options = []
    for name, pointer in spec.get("options", {}).items():
        schema = _schema_at(body, pointer, sources, f"{where}.x-cli.options.{name}")
        repeat = schema.get("type") == "array"
        item = _resolved(schema.get("items", {}), sources) if repeat else schema
        kinds = {_CLI_KINDS.get(str(t)) for t in _types_of(item, sources)}
        kind = kinds.pop() if len(kinds) == 1 and None not in kinds else "str"
        options.append(
            CliOption(
                name=name,
                dest=python_name(name, f"{where}.x-cli"),
                pointer=pointer,
                kind=kind,  # type: ignore[arg-type]
                repeat=repeat,
                help=_first_sentence(str(schema.get("description", ""))),
            )
        )
    wait = spec.get("wait") or {}
    return Cli(
        command=spec["command"],
        help=operation.summary,
        options=tuple(options),
        wait_method=wait.get("method"),
        wait_argument=wait.get("argument"),
        result=spec.get("result"),
    )


def _first_sentence(text: str) -> str:
    return " ".join(text.split()).split(". ")[0].rstrip(".")


def _resolved(schema: Any, sources: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = {
            **sources[schema_name(schema["$ref"]) or ""],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema if isinstance(schema, dict) else {}


def _types_of(schema: dict[str, Any], sources: dict[str, Any]) -> list[str]:
    """The JSON types a schema allows, looking through unions and consts."""
    if "type" in schema:
        return schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if "const" in schema:
        return [_JSON_TYPE_OF.get(type(schema["const"]), "string")]
    if "enum" in schema:
        return sorted({_JSON_TYPE_OF.get(type(v), "string") for v in schema["enum"]})
    branches = schema.get("oneOf", []) + schema.get("anyOf", [])
    return sorted({t for b in branches for t in _types_of(_resolved(b, sources), sources)})


_JSON_TYPE_OF = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema_at(
    schema: dict[str, Any], pointer: str, sources: dict[str, Any], where: str
) -> dict[str, Any]:
    node = _resolved(schema, sources)
    for key in pointer.split("/")[1:]:
        properties = node.get("properties", {})
        if key not in properties:
            raise SpecError(f"{where}: {pointer} is not a property of the request body")
        node = _resolved(properties[key], sources)
    return node


def _check_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{what} {name!r} is used twice")
        seen.add(name)


def _closure(roots: list[str], schemas: dict[str, Schema]) -> tuple[str, ...]:
    """Every schema name reachable from ``roots``, in first-reached order."""
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


def _runtime_schema(raw: Any, where: str, patterns: dict[str, str]) -> Any:
    """Check ``raw`` and return it with only the keywords the validator reads.

    Schema refs become bare names (``{"$ref": "VideoTask"}``); each pattern is
    translated once and recorded in ``patterns``.
    """
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: a schema must be an object or a boolean")
    out: Schema = {}
    for key, value in raw.items():
        here = f"{where}.{key}"
        if key == "nullable":
            raise SpecError(f"{here}: use type: [..., 'null'] (OpenAPI 3.1), not nullable")
        if key in ANNOTATION_KEYWORDS or (key.startswith("x-") and key not in VALIDATION_KEYWORDS):
            if key in MESSAGE_KEYWORDS:
                out[key] = value
            continue
        if key not in VALIDATION_KEYWORDS and key not in MESSAGE_KEYWORDS:
            raise SpecError(f"{here}: the keyword {key!r} is not supported by the generator")
        out[key] = _runtime_keyword(key, value, here, patterns)
    return out


def _runtime_keyword(key: str, value: Any, where: str, patterns: dict[str, str]) -> Any:
    if key == "$ref":
        name = schema_name(value)
        if name is None:
            raise SpecError(f"{where}: only #/components/schemas/<Name> references are supported")
        return name
    if key == "type":
        types = value if isinstance(value, list) else [value]
        if not types or any(t not in JSON_TYPES for t in types):
            raise SpecError(f"{where}: unknown type {value!r}")
        return value
    if key == "pattern":
        try:
            patterns[value] = ecma_regex.translate(value)
            re.compile(patterns[value])
        except (ecma_regex.UnsupportedPatternError, re.error) as error:
            raise SpecError(f"{where}: {error}") from None
        return value
    if key == "properties":
        return {
            prop: _runtime_schema(sub, f"{where}.{prop}", patterns) for prop, sub in value.items()
        }
    if key in SCHEMA_LIST_KEYWORDS:
        return [_runtime_schema(sub, f"{where}[{i}]", patterns) for i, sub in enumerate(value)]
    if key in SCHEMA_KEYWORDS:
        if key == "items" and isinstance(value, list):
            raise SpecError(f"{where}: array-form items is not JSON Schema 2020-12")
        return _runtime_schema(value, where, patterns)
    if key == "discriminator":
        mapping = {tag: schema_name(ref) for tag, ref in value.get("mapping", {}).items()}
        if None in mapping.values():
            raise SpecError(f"{where}: mapping values must be #/components/schemas/<Name>")
        return {"propertyName": value["propertyName"], "mapping": mapping}
    if key == "x-equal-properties":
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in value):
            raise SpecError(f"{where}: expected a list of [property, property] pairs")
        return value
    return value
