"""Turn a loaded OpenAPI 3.1 document into the typed IR in :mod:`codegen.ir`.

The parser refuses what it does not understand: a schema keyword outside the
supported set (:mod:`codegen.parser.schemas`) is an error, never a silently
dropped rule. It reports every problem it finds, not only the first. ``x-``
extensions are read only by :mod:`codegen.parser.extensions`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from codegen import naming
from codegen.ir import (
    Api,
    Body,
    BodyField,
    Lifecycle,
    Operation,
    Parameter,
    Response,
    Schema,
    Security,
)
from codegen.loader import SpecError, gather, raise_all, resolve_schema, schema_name
from codegen.parser import extensions, names
from codegen.parser.graph import check_references
from codegen.parser.names import check_unique
from codegen.parser.schemas import closure, models, patterns_of, property_names, runtime_schema
from codegen.runtime import RUNTIME_EXPORTS

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
RESERVED_ARGUMENTS = {"api_key", "base_url"}
# The arguments a download method adds to the operation's own.
DOWNLOAD_ARGUMENTS = {"destination", "on_progress"}
# Names a parameter's argument does not take: the builders' and client methods' own
# arguments and locals (a parameter ``timeout`` becomes ``timeout_2``).
TAKEN_ARGUMENTS = (
    RESERVED_ARGUMENTS
    | DOWNLOAD_ARGUMENTS
    | {
        "self",
        "fields",
        "request",
        "via",
        "poll_interval",
        "max_interval",
        "timeout",
        "content_type",
    }
)
# A body property cannot be one of these: they would reach the builder's own arguments.
RESERVED_FIELDS = RESERVED_ARGUMENTS | {"self"}
# What an operation's function names must not shadow: ``build_request`` and
# ``parse_binary_response`` are runtime imports; the rest are attributes of the
# generated clients (tests/generator/test_names.py checks the list against them).
TAKEN_OPERATION_NAMES = {
    "request",
    "binary",
    "api_key_env",
    "base_url",
    "base_url_env",
    "default_base_url",
    "download_url",
    "max_response_bytes",
    "requires_key",
    "retry",
    "send",
    "strict",
    "timeout",
    "transport",
    "user_agent",
    "with_options",
    "with_raw_response",
}
# What a model class must not be called: the names of the generated package and
# of the imports its modules share with the models.
TAKEN_CLASS_NAMES = {
    "API",
    "Any",
    "ApiSpec",
    "AsyncBaseClient",
    "AsyncClientWithRawResponse",
    "BaseClient",
    "Callable",
    "ClientWithRawResponse",
    "DEFAULT_BASE_URL",
    "Destination",
    "Echo",
    "Error",
    "Literal",
    "Mapping",
    "NotRequired",
    "OperationSpec",
    "PACKAGE",
    "PATTERNS",
    "Param",
    "ProgressCallback",
    "SCHEMAS",
    "TYPE_CHECKING",
    "TypedDict",
    "Unpack",
    "VERSION",
    "Validator",
}
# What the schema of a binary (not JSON) response may say: a string of bytes.
BINARY_SCHEMA_KEYWORDS = {
    "type",
    "format",
    "contentMediaType",
    "contentEncoding",
    "description",
    "title",
}
Located = tuple[str, str, dict[str, Any], dict[str, Any]]
JSON = "application/json"
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
# The name an inline body schema takes after its operation, by media type.
BODY_SUFFIXES = {MULTIPART: "MultipartBody", URLENCODED: "FormBody"}


def parse(document: dict[str, Any], package: str) -> Api:
    """Build the IR for ``document``; raise :class:`SpecError` listing every problem."""
    if not str(document.get("openapi", "")).startswith("3.1"):
        raise SpecError("openapi: only OpenAPI 3.1 documents are supported")
    components = document.get("components", {})
    located = list(_operations(document))
    errors: list[SpecError] = []
    operation_ids = [op["operationId"] for _, _, op, _ in located if _has_id(op)]
    try:
        check_unique(operation_ids, "operationId")
    except SpecError as error:
        errors.append(error)
    function_names = names.assign(
        operation_ids,
        lambda raw: names.snake(raw, names.RESERVED_SNAKE | TAKEN_OPERATION_NAMES),
        TAKEN_OPERATION_NAMES,
    )
    # Inline body and response schemas get names and join the components.
    sources: dict[str, Any] = {**components.get("schemas", {}), **_inline_schemas(located)}
    # Before anything follows a reference: a cycle or an over-deep chain would not end.
    check_references(sources)
    taken_classes = (
        TAKEN_CLASS_NAMES
        | set(RUNTIME_EXPORTS)
        | {naming.error_base(package)}
        | {naming.constant(name) for name in function_names.values()}
    )
    class_names = names.assign(
        list(sources), lambda raw: names.pascal(raw, taken_classes), taken_classes
    )
    context = _Names(function_names, class_names)
    schemes = gather(errors, [components.get("securitySchemes", {})], _security_schemes)
    schemas = dict(
        gather(
            errors,
            sources.items(),
            lambda item: (item[0], runtime_schema(item[1], f"components.schemas.{item[0]}")),
        )
    )
    operations = tuple(
        gather(
            errors,
            located,
            lambda found: _operation(
                found,
                sources,
                schemes[0] if schemes else {},
                document.get("security", []),
                context,
            ),
        )
    )
    gather(errors, [operations], _check_cli_after)
    raise_all(errors)
    operations = tuple(gather(errors, operations, lambda op: _with_alternatives(op, operations)))
    raise_all(errors)
    operations = _with_iterators(operations, context)
    request_roots = [body.schema_name for op in operations for body in op.bodies]
    response_roots = [
        r.schema_name
        for op in operations
        for r in op.responses
        if r.is_success and r.model_name and r.schema_name
    ]
    response_closure = closure(response_roots, schemas)
    request_closure = closure(request_roots, schemas)
    # A schema both sent and returned is two classes: the TypedDict takes a suffix.
    request_classes = {
        **class_names,
        **names.assign(
            [name for name in request_closure if name in response_closure],
            lambda name: class_names[name] + "Params",
            taken_classes | set(class_names.values()),
        ),
    }
    operations = tuple(_with_body_class(op, request_classes) for op in operations)
    response_models = models(response_closure, sources, class_names, for_callers=False)
    field_names = names.assign(property_names(response_models), names.field)
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
        patterns=patterns_of([schemas, *(p.schema for op in operations for p in op.parameters)]),
        request_models=models(request_closure, sources, request_classes, for_callers=True),
        response_models=response_models,
        field_names={wire: name for wire, name in field_names.items() if wire != name},
    )


def _with_body_class(op: Operation, request_classes: dict[str, str]) -> Operation:
    if op.body is None:
        return op
    body, *others = (
        dataclasses.replace(body, type_name=request_classes[body.schema_name]) for body in op.bodies
    )
    return dataclasses.replace(op, body=body, other_bodies=tuple(others))


@dataclass(frozen=True)
class _Names:
    """The names chosen for the whole spec: functions by operationId, classes by schema."""

    functions: dict[str, str]
    classes: dict[str, str]


def _has_id(op: dict[str, Any]) -> bool:
    return isinstance(op.get("operationId"), str)


def _with_alternatives(op: Operation, operations: tuple[Operation, ...]) -> Operation:
    """``op`` with its waiter's alternative operations named as methods, once checked.

    An alternative must take the same arguments and return the same model,
    so the waiter can poll either.
    """
    if op.waiter is None or not op.waiter.alternatives:
        return op
    by_id = {other.operation_id: other for other in operations}
    names = []
    for operation_id in op.waiter.alternatives:
        where = f"{op.operation_id}.x-waiter.alternatives: {operation_id!r}"
        other = by_id.get(operation_id)
        if other is None:
            raise SpecError(f"{where} is not an operationId")
        same_arguments = [p.python_name for p in other.parameters] == [
            p.python_name for p in op.parameters
        ]
        if not same_arguments or other.success_models != op.success_models:
            raise SpecError(f"{where} must take the same arguments and return the same model")
        names.append(other.name)
    return dataclasses.replace(op, waiter=dataclasses.replace(op.waiter, alternatives=tuple(names)))


def _with_iterators(operations: tuple[Operation, ...], context: _Names) -> tuple[Operation, ...]:
    """The operations with their ``x-pagination`` iterators named and their items' class.

    An iterator's name (``x-pagination.method``, or :func:`codegen.naming.iterator`) takes
    a numbered suffix if an operation, a waiter or the client already has it.
    """
    paginated = {op.operation_id: op.pagination for op in operations if op.pagination}
    taken = (
        set(context.functions.values())
        | TAKEN_OPERATION_NAMES
        | {op.waiter.method for op in operations if op.waiter}
    )
    chosen = names.assign(
        {
            operation_id: pages.method or naming.iterator(context.functions[operation_id])
            for operation_id, pages in paginated.items()
        },
        lambda name: name,
        taken,
    )
    return tuple(
        dataclasses.replace(
            op,
            pagination=dataclasses.replace(
                op.pagination,
                method=chosen[op.operation_id],
                item_type=context.classes[op.pagination.item_schema],
            ),
        )
        if op.pagination
        else op
        for op in operations
    )


def _operations(document: dict[str, Any]) -> Iterator[Located]:
    for path, path_item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if isinstance(op := path_item.get(method), dict):
                yield path, method, op, path_item


def _inline_schemas(located: list[Located]) -> dict[str, Any]:
    """Names for the body and response schemas written inline in operations."""
    named: dict[str, Any] = {}
    for _, _, op, _ in located:
        operation_id = op.get("operationId")
        if not isinstance(operation_id, str):
            continue
        body = op.get("requestBody") or {}
        for raw, fallback in [
            *(
                (media.get("schema", {}), _type_name(operation_id, _body_suffix(media_type, body)))
                for media_type, media in _body_contents(body.get("content"))
            ),
            *(
                (_json_schema_or_none(response.get("content")), _response_name(operation_id, s))
                for s, response in op.get("responses", {}).items()
            ),
        ]:
            if raw is not None and _component_name(raw) is None:
                named[fallback] = raw
    return named


def _body_contents(content: Any) -> list[tuple[str, dict[str, Any]]]:
    """The media types a body may be sent as that the generator supports, the default first.

    The default is the first JSON one, or else the first the spec lists.
    """
    found = [
        (media_type, media if isinstance(media, dict) else {})
        for media_type, media in (content or {}).items()
        if _is_json(media_type) or media_type in BODY_SUFFIXES
    ]
    return sorted(found, key=lambda item: not _is_json(item[0]))


def _is_json(media_type: str) -> bool:
    return media_type == JSON or media_type.endswith("+json")


def _body_suffix(media_type: str, raw: dict[str, Any]) -> str:
    """``Body`` for the default media type (or a JSON one), else e.g. ``MultipartBody``."""
    contents = _body_contents(raw.get("content"))
    if _is_json(media_type) or (contents and contents[0][0] == media_type):
        return "Body"
    return BODY_SUFFIXES[media_type]


def _type_name(operation_id: str, suffix: str) -> str:
    return operation_id[0].upper() + operation_id[1:] + suffix


def _response_name(operation_id: str, status: Any) -> str:
    return _type_name(operation_id, f"Response{status}")


def _component_name(raw: Any) -> str | None:
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    return schema_name(ref) if isinstance(ref, str) else None


SUPPORTED_SECURITY = "apiKey (in a header, the query or a cookie), HTTP bearer, HTTP basic"
# Scheme types OpenAPI defines that the runtime cannot send a key for.
UNSUPPORTED_SECURITY = {"oauth2", "openIdConnect", "mutualTLS"}
# An HTTP token (RFC 9110): what a header, query parameter or cookie name may be.
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Set by the runtime itself: an API key there would be overwritten or would clash.
RUNTIME_HEADERS = {"accept", "user-agent", "content-type", "content-length"}


def _security_schemes(schemes: Any) -> dict[str, Security | str]:
    """Each declared scheme: how the runtime sends a key for it, or why it cannot.

    A scheme the runtime cannot use (OAuth 2, say) is no error by itself: an
    operation is refused only when none of its requirements can be met.
    """
    if not isinstance(schemes, dict):
        raise SpecError("components.securitySchemes: must be a mapping")
    found: dict[str, Security | str] = {}
    for name, scheme in schemes.items():
        where = f"components.securitySchemes.{name}"
        kind = scheme.get("type") if isinstance(scheme, dict) else None
        if kind == "apiKey":
            location, key_name = scheme.get("in"), scheme.get("name")
            if location not in ("header", "query", "cookie"):
                raise SpecError(f"{where}.in: must be header, query or cookie (got {location!r})")
            if not isinstance(key_name, str) or not TOKEN.fullmatch(key_name):
                raise SpecError(f"{where}.name: must be a header, query or cookie name")
            if location == "header" and key_name.lower() in RUNTIME_HEADERS:
                raise SpecError(f"{where}.name: {key_name!r} is a header the client sets itself")
            found[name] = Security(name, "apiKey", location, key_name)
        elif kind == "http" and str(scheme.get("scheme", "")).lower() in ("bearer", "basic"):
            found[name] = Security(name, str(scheme["scheme"]).lower())  # type: ignore[arg-type]
        elif kind == "http":
            found[name] = f"{where}: HTTP scheme {scheme.get('scheme')!r} is not supported"
        elif kind in UNSUPPORTED_SECURITY:
            found[name] = f"{where}: type {kind} is not supported"
        else:
            raise SpecError(f"{where}.type: {kind!r} is not a security scheme type")
    return found


def _security(requirements: Any, schemes: dict[str, Security | str], where: str) -> Security | None:
    """The first requirement of ``requirements`` the runtime can meet, or None for no key.

    ``[]`` (or only ``{}``, anonymous access) takes no key. A requirement
    naming two schemes at once (both needed) is not supported.
    """
    if not isinstance(requirements, list) or not all(isinstance(r, dict) for r in requirements):
        raise SpecError(f"{where}: must be a list of security requirements")
    refusals = []
    for requirement in requirements:
        unknown = sorted(set(requirement) - set(schemes))
        if unknown:
            raise SpecError(f"{where}: {unknown} are not in components.securitySchemes")
        if len(requirement) > 1:
            refusals.append(f"{sorted(requirement)} together (one scheme at a time is supported)")
        elif requirement:
            chosen = schemes[next(iter(requirement))]
            if isinstance(chosen, Security):
                return chosen
            refusals.append(chosen)
    if not requirements or {} in requirements:
        return None
    raise SpecError(
        f"{where}: no requirement the generator supports ({'; '.join(refusals)}); "
        f"supported: {SUPPORTED_SECURITY}"
    )


def _check_key_clash(
    security: Security | None, parameters: tuple[Parameter, ...], where: str
) -> None:
    """No parameter goes where the API key goes: one would overwrite the other."""
    if security is None or security.location == "cookie":
        return
    for p in parameters:
        if p.location == security.location and p.name.lower() == security.name.lower():
            raise SpecError(
                f"{where}: parameter {p.name!r} is where {security.scheme_name!r} sends the key"
            )


def _operation(
    located: Located,
    sources: dict[str, Any],
    schemes: dict[str, Security | str],
    global_security: Any,
    context: _Names,
) -> Operation:
    path, method, op, path_item = located
    where = f"paths.{path}.{method}"
    operation_id = op.get("operationId")
    if not isinstance(operation_id, str):
        raise SpecError(f"{where}: operationId is required")
    name = context.functions[operation_id]
    raw_parameters = _merged_parameters(path, where, path_item, op)
    errors: list[SpecError] = []
    body = gather(
        errors, [op.get("requestBody")], lambda raw: _bodies(raw, where, operation_id, context)
    )
    bodies = [_with_fields(b, sources, where) for b in (body[0] if body else ())]
    request_body = bodies[0] if bodies else None
    if len(bodies) > 1 and any(f.name == "content_type" for b in bodies for f in b.fields):
        errors.append(
            SpecError(f"{where}.requestBody: property 'content_type' chooses the media type")
        )
    if len({b.whole for b in bodies}) > 1:
        errors.append(
            SpecError(
                f"{where}.requestBody: its media types must all be objects with properties, "
                f"or none (got {[b.media_type for b in bodies]})"
            )
        )
    # A body passed whole is the argument ``body``; a parameter of that name gives way.
    taken = (
        TAKEN_ARGUMENTS
        | {f.name for b in bodies for f in b.fields}
        | ({"body"} if any(b.whole for b in bodies) else set())
    )
    argument_names = names.assign(
        {(p["name"], p.get("in")): p["name"] for p, _ in raw_parameters},
        lambda raw: names.field(raw, names.RESERVED_SNAKE | taken),
        taken,
    )
    parameters = tuple(
        gather(
            errors,
            raw_parameters,
            lambda pair: _parameter(*pair, argument_names),
        )
    )
    responses = tuple(
        gather(
            errors,
            op.get("responses", {}).items(),
            lambda item: _response(
                str(item[0]),
                item[1],
                f"{where}.responses.{item[0]}",
                operation_id,
                sources,
                context,
            ),
        )
    )
    raise_all(errors)
    _check_path(path, where, parameters)
    successes = [r for r in responses if r.is_success]
    download = any(r.binary for r in successes)
    if download and not all(r.binary for r in successes):
        raise SpecError(f"{where}.responses: 2xx responses must be all binary or none")
    if download and request_body is not None:
        clash = sorted({f.name for b in bodies for f in b.fields} & DOWNLOAD_ARGUMENTS)
        if clash:
            raise SpecError(f"{where}.requestBody: property {clash[0]!r} is a download argument")
    if request_body is not None and request_body.whole and "x-cli" in op:
        raise SpecError(f"{where}.x-cli: a body that is not an object has no command-line options")
    security = _security(
        op.get("security", global_security),
        schemes,
        f"{where}.security" if "security" in op else "security",
    )
    _check_key_clash(security, parameters, where)
    json_successes = {r.schema_name for r in successes if r.schema_name}
    lifecycles = [r.lifecycle for r in responses if r.is_success and r.lifecycle]
    body_source = sources[request_body.schema_name] if request_body else {}
    return Operation(
        operation_id=operation_id,
        name=name,
        constant=naming.constant(name),
        builder=naming.builder(name),
        response_parser=naming.response_parser(name),
        method=method.upper(),
        path=path,
        summary=op.get("summary", "").strip(),
        description=op.get("description", "").strip(),
        parameters=parameters,
        body=request_body,
        responses=responses,
        security=security,
        echo=extensions.echo(op, where),
        upstream=extensions.upstream(op, where),
        waiter=extensions.waiter(op, _distinct(lifecycles), where),
        cli=extensions.cli(op, body_source, sources, where),
        idempotent=extensions.idempotent(op, where),
        deprecated=_flag(op, "deprecated", where),
        other_bodies=tuple(bodies[1:]),
        pagination=extensions.pagination(
            op,
            {p.name: p.python_name for p in parameters if p.location == "query"},
            sources[json_successes.pop()] if len(json_successes) == 1 else None,
            sources,
            where,
        ),
    )


def _flag(raw: dict[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise SpecError(f"{where}.{key}: must be true or false")
    return value


def _merged_parameters(
    path: str, where: str, path_item: dict[str, Any], op: dict[str, Any]
) -> list[tuple[dict[str, Any], str]]:
    """The path item's parameters and the operation's; the operation's win (same name and in)."""
    found: dict[tuple[Any, Any], tuple[dict[str, Any], str]] = {}
    for i, raw in enumerate(path_item.get("parameters", [])):
        if isinstance(raw, dict):
            found[(raw.get("name"), raw.get("in"))] = (raw, f"paths.{path}.parameters[{i}]")
    for i, raw in enumerate(op.get("parameters", [])):
        if isinstance(raw, dict):
            found[(raw.get("name"), raw.get("in"))] = (raw, f"{where}.parameters[{i}]")
    for raw, here in found.values():
        if not isinstance(raw.get("name"), str):
            raise SpecError(f"{here}: a parameter needs a name")
    return list(found.values())


def _check_cli_after(operations: tuple[Operation, ...]) -> None:
    """A download's ``x-cli.after`` names waiting commands and fits its one parameter."""
    waiting = {op.cli.command for op in operations if op.cli and op.cli.wait_method}
    for op in operations:
        if op.cli is None or not op.cli.after:
            continue
        where = f"paths.{op.path}.{op.method.lower()}.x-cli.after"
        if not op.download:
            raise SpecError(f"{where}: only an operation with a binary response can follow others")
        required = [p for p in op.parameters if p.required]
        if len(required) != 1 or (op.body is not None and op.body.required):
            raise SpecError(f"{where}: the operation must take exactly one required parameter")
        unknown = sorted(set(op.cli.after) - waiting)
        if unknown:
            raise SpecError(f"{where}: {unknown} are not commands that wait (x-cli.wait)")


def _distinct(lifecycles: list[Lifecycle]) -> list[Lifecycle]:
    return list(dict.fromkeys(lifecycles))


def _check_path(path: str, where: str, parameters: tuple[Parameter, ...]) -> None:
    for parameter in parameters:
        if parameter.location == "path" and f"{{{parameter.name}}}" not in path:
            raise SpecError(f"{where}: path parameter {parameter.name!r} is not in the path")
    missing = set(re.findall(r"{([^}]+)}", path)) - {p.name for p in parameters}
    if missing:
        raise SpecError(f"{where}: path parameters {sorted(missing)} are not declared")


def _parameter(
    raw: dict[str, Any], where: str, argument_names: dict[tuple[Any, Any], str]
) -> Parameter:
    location = raw.get("in")
    if location not in ("path", "query", "header"):
        raise SpecError(f"{where}: parameters in {location!r} are not supported")
    name = raw["name"]
    # The runtime writes query parameters in style form (exploded or not) and the rest simple.
    supported = {"query": "form", "path": "simple", "header": "simple"}[location]
    explode = raw.get("explode", location == "query")
    if raw.get("style", supported) != supported or (location != "query" and explode is not False):
        raise SpecError(f"{where}: only style {supported!r} with the default explode is supported")
    if not isinstance(explode, bool):
        raise SpecError(f"{where}.explode: must be true or false")
    return Parameter(
        name=name,
        python_name=argument_names[(name, location)],
        location=location,
        required=bool(raw.get("required", location == "path")),
        schema=runtime_schema(raw.get("schema", {}), f"{where}.schema"),
        description=raw.get("description", "").strip(),
        explode=explode if location == "query" else True,
    )


def _json_schema_or_none(content: Any) -> Any:
    """The schema of the JSON media type of ``content``, or None when there is none."""
    for media_type, media in (content or {}).items():
        if media_type == "application/json" or media_type.endswith("+json"):
            return media.get("schema", {})
    return None


def _json_schema(content: dict[str, Any] | None, where: str) -> Any:
    if not content:
        return None
    schema = _json_schema_or_none(content)
    if schema is None:
        raise SpecError(f"{where}: only JSON content is supported (got {sorted(content)})")
    return schema


def _reference(raw: Any, fallback: str) -> tuple[Schema, str]:
    """A runtime reference to ``raw`` and its schema name (``fallback`` when it is inline)."""
    name = _component_name(raw) or fallback
    return {"$ref": name}, name


def _bodies(
    raw: dict[str, Any] | None, where: str, operation_id: str, context: _Names
) -> list[Body]:
    """The body in each media type it may be sent as, the default first."""
    if raw is None or not raw.get("content"):
        return []
    contents = _body_contents(raw["content"])
    unsupported = sorted(set(raw["content"]) - {media_type for media_type, _ in contents})
    if unsupported:
        raise SpecError(
            f"{where}.requestBody: only JSON, {MULTIPART} and {URLENCODED} bodies are "
            f"supported (got {unsupported})"
        )
    bodies = []
    for media_type, media in contents:
        fallback = _type_name(operation_id, _body_suffix(media_type, raw))
        schema, schema_name = _reference(media.get("schema", {}), fallback)
        bodies.append(
            Body(
                schema=schema,
                type_name=context.classes[schema_name],
                schema_name=schema_name,
                required=bool(raw.get("required")),
                fields=(),
                media_type=media_type,
            )
        )
    return bodies


def is_file_schema(raw: Any, sources: dict[str, Any]) -> bool:
    """Whether a multipart property is a file.

    A file is a string of bytes (``format: binary`` or ``contentMediaType``),
    a union with such a branch, or an array of them.
    """
    schema = resolve_schema(raw, sources) if isinstance(raw, dict) else {}
    if schema.get("type") == "string" and (
        schema.get("format") == "binary" or "contentMediaType" in schema
    ):
        return True
    branches = [*schema.get("oneOf", []), *schema.get("anyOf", [])]
    if any(is_file_schema(branch, sources) for branch in branches):
        return True
    return schema.get("type") == "array" and is_file_schema(schema.get("items"), sources)


def _merged(schema: dict[str, Any], sources: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the properties and required names of its ``allOf`` branches added."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for branch in schema.get("allOf", []):
        part = _merged(resolve_schema(branch, sources), sources)
        properties.update(part.get("properties", {}))
        required.extend(part.get("required", []))
    if not properties:
        return schema
    properties.update(schema.get("properties", {}))
    required.extend(schema.get("required", []))
    return {**schema, "properties": properties, "required": required}


def _with_fields(body: Body, sources: dict[str, Any], where: str) -> Body:
    """``body`` with its top-level fields, read from the documented (source) schema.

    The properties of an object's ``allOf`` branches are its own.
    """
    target = _merged(resolve_schema(sources[body.schema_name], sources), sources)
    if target.get("type") != "object" and not _is_json(body.media_type):
        raise SpecError(f"{where}.requestBody: the {body.media_type} body must be an object schema")
    # Not an object with named properties (an array; a map, typed dict[str, ...]): no fields.
    if target.get("type") != "object" or (
        not target.get("properties") and isinstance(target.get("additionalProperties"), dict)
    ):
        return dataclasses.replace(body, whole=True)
    required = set(target.get("required", []))
    files = tuple(
        prop
        for prop, raw in target.get("properties", {}).items()
        if body.media_type == MULTIPART and is_file_schema(raw, sources)
    )
    fields = []
    for prop, raw in target.get("properties", {}).items():
        if prop in RESERVED_FIELDS:
            raise SpecError(f"{where}.requestBody: property {prop!r} is an argument of every call")
        documented = resolve_schema(raw, sources)
        if documented.get("readOnly") is True:
            continue  # the server owns it: never sent
        fields.append(
            BodyField(
                name=prop,
                required=prop in required,
                description=str(documented.get("description", "")).strip(),
                has_default="default" in documented,
                default=documented.get("default"),
                deprecated=documented.get("deprecated") is True,
            )
        )
    return dataclasses.replace(body, fields=tuple(fields), files=files)


def _binary_media_types(
    content: dict[str, Any], where: str, sources: dict[str, Any]
) -> tuple[str, ...]:
    """The media types of a response that is not JSON; each schema must be a string of bytes.

    A schema may be a reference to a component that is one.
    """
    for media_type, media in content.items():
        schema = (media or {}).get("schema")
        if schema is None:
            continue
        schema = resolve_schema(schema, sources)
        unknown = set(schema) - BINARY_SCHEMA_KEYWORDS
        if schema.get("type") != "string" or unknown:
            raise SpecError(
                f"{where}.content.{media_type}.schema: a binary response must be "
                f"{{type: string}} (format binary or contentMediaType allowed)"
                + (f"; not {sorted(unknown)}" if unknown else "")
            )
    return tuple(content)


def _response(
    status: str,
    raw: dict[str, Any],
    where: str,
    operation_id: str,
    sources: dict[str, Any],
    context: _Names,
) -> Response:
    if not re.fullmatch(r"[1-5](?:\d\d|XX)|default", status):
        raise SpecError(f"{where}: {status!r} is not a status code, range or 'default'")
    content = raw.get("content")
    if content and _json_schema_or_none(content) is None and status.startswith("2"):
        media_types = _binary_media_types(content, where, sources)
        description = raw.get("description", "").strip()
        text = all(media_type.startswith("text/") for media_type in media_types)
        return Response(status, description, None, None, media_types=media_types, text=text)
    source = _json_schema(raw.get("content"), where)
    if source is None:
        return Response(status, raw.get("description", "").strip(), None, None)
    schema, schema_name = _reference(source, _response_name(operation_id, status))
    documented = resolve_schema(sources[schema_name], sources)
    is_success = status.startswith("2")
    return Response(
        status=status,
        description=raw.get("description", "").strip(),
        schema=schema,
        model_name=context.classes[schema_name] if is_success else None,
        schema_name=schema_name,
        error_fields=None if is_success else extensions.error_fields(documented, where),
        lifecycle=extensions.lifecycle(documented, f"components.schemas.{schema_name}"),
    )
