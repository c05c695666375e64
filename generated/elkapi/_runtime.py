# Runtime of the generated package: codegen copies this file in unchanged.
"""What every operation shares: building requests, reading responses, decoding models.

Each body and each JSON success response has a predicate compiled from its
schema at generation time (``_checks.py``). A builder or parser asks the
predicate first: when it accepts, the value is valid and nothing else looks
at the schema. Only when it refuses does the interpreted :class:`Validator`
walk the schema data to say which field breaks which rule, so the errors (and
the lenient reading's warnings) are exactly the Validator's.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import json.encoder
import json.scanner
import types
import typing
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._bodies import (
    MULTIPART,
    URLENCODED,
    StreamBody,
    file_problem,
    is_file_value,
    multipart_body,
)
from ._bodies import urlencoded_body as _urlencoded
from ._http import HttpRequest, hide_secret, secret_forms
from ._log import logger
from ._validation import (
    FieldError,
    Schema,
    Validator,
    json_equal,
    json_errors,
    json_type_of,
    pointer_keys,
    show,
)
from .errors import ApiError, RequestValidationError, ResponseValidationError, api_error_class

_ERROR_SNIPPET = 200
_MAX_DEPTH = 128
"""JSON nested deeper than this is refused: it would exhaust the stack of whoever walks it."""
_MISSING = object()
_ELLIPSIS = "…"
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` uses, made once, not per call."""


def _json_encoder() -> Callable[[Any], bytes]:
    """``_ENCODER.encode(value).encode()``, a third faster where the C accelerator is there.

    ``JSONEncoder.encode`` makes a new C encoder (``json.encoder.c_make_encoder``,
    None without the accelerator) on every call; this one is made once and
    reused. The bodies it is given were checked to be JSON already.
    """
    fallback: Callable[[Any], bytes] = lambda value: _ENCODER.encode(value).encode()  # noqa: E731
    make = getattr(json.encoder, "c_make_encoder", None)
    try:
        encode = make(  # type: ignore[misc]
            None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, 1
        )
        if "".join(encode({"a": [1, "é"]}, 0)) != _ENCODER.encode({"a": [1, "é"]}):
            return fallback
    except Exception:  # no accelerator, or one that takes other arguments
        return fallback
    return lambda value: "".join(encode(value, 0)).encode()


json_bytes = _json_encoder()
"""A JSON value as the compact UTF-8 bytes a request body carries."""
EXTRA = "extra"
"""The ``metadata`` key that marks the dataclass field holding a model's unknown properties."""


@dataclass(frozen=True)
class ApiSpec:
    """What the runtime needs to know about the API as a whole."""

    user_agent: str
    validator: Validator


@dataclass(frozen=True)
class Echo:
    """A response property that must repeat the request's value at ``pointer``.

    A required (not ``optional``) echo must be present whenever the request
    sent a value there.
    """

    property: str
    pointer: str
    optional: bool = False


@dataclass(frozen=True)
class Param:
    """A path, query or header parameter of an operation.

    A query array is ``name=a&name=b`` (form, exploded) or, with ``explode``
    false, ``name=a,b``.
    """

    name: str
    python_name: str
    required: bool
    schema: Schema
    explode: bool = True


@dataclass(frozen=True)
class BodyContent:
    """One media type an operation's request body may be sent as, with its own schema.

    ``files`` names the properties that are files (multipart only).
    """

    media_type: str
    schema: Schema
    body_type: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    check: Callable[[Any], bool] | None = None
    """The compiled predicate of ``schema`` for requests: True means the body is valid JSON."""


_QuickRead = tuple[Callable[[Any], bool], type | None, Callable[[Any], Any] | None]
"""A status's predicate, and the model its decoder was written for and that decoder."""


@dataclass(frozen=True)
class OperationSpec:
    """Everything about one operation the builder and parser read at run time."""

    api: ApiSpec
    operation_id: str
    method: str
    path: str
    auth: bool = True
    key_scheme: str = "bearer"
    """How the key is written: ``bearer`` (``Bearer <key>``), ``basic`` (``Basic`` and the
    base64 of ``user:password``) or ``apiKey`` (as it is)."""
    key_in: str = "header"
    """Where the key goes: the ``header``, ``query`` parameter or ``cookie`` ``key_name``."""
    key_name: str = "Authorization"
    path_params: tuple[Param, ...] = ()
    query_params: tuple[Param, ...] = ()
    header_params: tuple[Param, ...] = ()
    body: Schema | None = None
    body_type: str = ""
    body_defaults: Mapping[str, Any] = field(default_factory=dict)
    body_whole: bool = False
    """The body is one JSON value (an array, say), given whole, not as fields."""
    body_optional: bool = False
    """A whole body may be left out: None sends none."""
    responses: Mapping[str, Schema | None] = field(default_factory=dict)
    echo: tuple[Echo, ...] = ()
    error_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    idempotent: bool = False
    """Declared safe to repeat (``x-idempotent``) although its method may start work."""
    media_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The media types of each binary (not JSON) response, by status: a download."""
    body_media_type: str = "application/json"
    """How ``body`` is sent: JSON, ``multipart/form-data`` or a urlencoded form."""
    body_files: tuple[str, ...] = ()
    """The properties of a multipart ``body`` that are files."""
    other_bodies: tuple[BodyContent, ...] = ()
    """The other media types the body may be sent as (``content_type=`` picks one)."""
    text_responses: tuple[str, ...] = ()
    """The statuses whose body is text (``text/*``): parsed into a ``str``."""
    body_check: Callable[[Any], bool] | None = None
    """The compiled predicate of ``body`` (see :attr:`BodyContent.check`)."""
    response_checks: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    """The compiled predicate of each JSON success response's schema, by status."""
    response_decoders: Mapping[str, tuple[type, Callable[[Any], Any]]] = field(default_factory=dict)
    """The model of each JSON success response that is a dataclass, and the decoder written
    for it at generation time (``_decoders.py``: what :func:`decode` gives), by status."""

    def bodies(self) -> tuple[BodyContent, ...]:
        """Every media type the body may be sent as, the default first."""
        return self._bodies

    @functools.cached_property
    def _bodies(self) -> tuple[BodyContent, ...]:
        # Built once per operation, not once per request.
        if self.body is None:
            return ()
        default = BodyContent(
            self.body_media_type,
            self.body,
            self.body_type,
            self.body_defaults,
            self.body_files,
            self.body_check,
        )
        return (default, *self.other_bodies)

    @functools.cached_property
    def all_params(self) -> tuple[Param, ...]:
        """The path, query and header parameters, in that order."""
        return self.path_params + self.query_params + self.header_params

    @functools.cached_property
    def declared(self) -> dict[str, Mapping[str, Any]]:
        """The properties each body media type declares (its schema's, ``$ref`` followed).

        The properties of the schema's ``allOf`` branches are its own.
        """
        validator = self.api.validator

        def properties(schema: Any) -> dict[str, Any]:
            resolved = validator.resolve(schema)
            found: dict[str, Any] = {}
            for branch in resolved.get("allOf", ()):
                found.update(properties(branch))
            return {**found, **resolved.get("properties", {})}

        return {b.media_type: properties(b.schema) for b in self._bodies}

    @functools.cached_property
    def quick_reads(self) -> dict[int, _QuickRead]:
        """For each status documented exactly whose body is JSON, what its quick read uses.

        That is its predicate, and the model and its decoder if it has one.
        """
        reads: dict[int, _QuickRead] = {}
        for key, check in self.response_checks.items():
            if key.isdigit() and key not in self.text_responses and self.responses.get(key):
                model, decoder = self.response_decoders.get(key, (None, None))
                reads[int(key)] = (check, model, decoder)
        return reads

    @functools.cached_property
    def quick_plan(self) -> _QuickPlan | None:
        """What :func:`quick_request` reads of this operation, read once.

        None unless the operation has no parameters and its default body is
        JSON of named fields with a predicate.
        """
        bodies = self._bodies
        if self.all_params or self.body_whole or not bodies:
            return None
        body = bodies[0]
        if body.check is None or body.media_type != "application/json" or body.files:
            return None
        headers = {
            "Accept": self.accept,
            "User-Agent": self.api.user_agent,
            "Content-Type": body.media_type,
        }
        bearer = self.key_name if self.key_scheme == "bearer" and self.key_in == "header" else ""
        return _QuickPlan(
            body.check,
            frozenset(self.declared[body.media_type]),
            body.defaults,
            headers,
            bearer,
        )

    @functools.cached_property
    def accept(self) -> str:
        """The ``Accept`` header: the binary responses' media types, then JSON."""
        return ", ".join(dict.fromkeys([*_binary_types(self), "application/json"]))


def build_request(
    operation: OperationSpec,
    *,
    api_key: str | None,
    base_url: str,
    params: Mapping[str, object],
    fields: Mapping[str, object] | None,
    content_type: str | None = None,
    value: object = _MISSING,
) -> HttpRequest:
    """Validate every argument and build the request; raise RequestValidationError if any is bad.

    ``content_type`` picks one of the media types the body may be sent as
    (the spec's first JSON one, or its first, by default). ``value`` is the
    body of an operation whose body is not an object (``body_whole``).
    """
    if fields is not None and content_type is None:
        request = quick_request(operation, api_key, base_url, fields)
        if request is not None:
            return request
    errors: list[FieldError] = []
    if operation.auth:
        errors.extend(_api_key_errors(api_key, operation))
    errors.extend(_base_url_errors(base_url))
    values: dict[str, object] = {}
    if operation.all_params:
        values = {p.name: params.get(p.python_name, _MISSING) for p in operation.all_params}
        for param in operation.all_params:
            errors.extend(_param_errors(operation.api.validator, param, values[param.name]))
        for param in operation.path_params:
            errors.extend(_path_segment_errors(param, values[param.name]))
    chosen = _chosen_body(operation, content_type, errors)
    body: Any = _MISSING
    if chosen is not None and operation.body_whole:
        if not (value is None and operation.body_optional):
            body = _whole_body(operation, chosen, None if value is _MISSING else value, errors)
    elif chosen is not None and fields is not None:
        body = _body(operation, chosen, fields, errors)
    if errors:
        raise RequestValidationError(errors)
    headers = {"Accept": operation.accept, "User-Agent": operation.api.user_agent}
    for param in operation.header_params:
        if values[param.name] is not _MISSING:
            headers[param.name] = _text(values[param.name])
    encoded = None if body is _MISSING or chosen is None else _encoded(chosen, body)
    if isinstance(encoded, StreamBody):
        headers["Content-Type"] = encoded.content_type
        headers["Content-Length"] = str(encoded.length)
    elif encoded is not None and chosen is not None:
        headers["Content-Type"] = chosen.media_type
    url = _url(operation, base_url, values)
    if operation.auth and api_key is not None:
        url = _with_key(operation, api_key, url, headers)
    return HttpRequest(
        method=operation.method,
        url=url,
        headers=headers,
        body=encoded,
        secret=api_key if operation.auth and api_key else "",
    )


def quick_request(
    operation: OperationSpec, api_key: str | None, base_url: str, fields: Mapping[str, object]
) -> HttpRequest | None:
    """The request :func:`build_request` builds when every argument is valid, else None.

    For an operation with no parameters and a JSON body its predicate judges
    (None for any other): the checks that pass come first, and nothing is
    built to explain a failure (None sends the caller to :func:`build_request`,
    which names each broken rule).
    """
    plan = operation.quick_plan
    if plan is None or type(base_url) is not str or not plan.names.issuperset(fields):
        return None
    url = plan.urls.get(base_url) or _remembered_url(plan, base_url, operation.path)
    if url is None:
        return None
    secret = ""
    if operation.auth:
        if api_key is None:
            return None
        # A bearer header takes any printable ASCII: _api_key_errors says the same, slower.
        printable = type(api_key) is str and api_key.isascii() and api_key.isprintable()
        if not (plan.bearer and printable and api_key.strip()) and _api_key_errors(
            api_key, operation
        ):
            return None
        secret = api_key
    body = {**plan.defaults, **fields} if plan.defaults else fields
    try:
        if not plan.check(body):
            return None
    except RecursionError:  # nested too deeply (or in a cycle): the other path says so
        return None
    headers = plan.headers.copy()
    if secret and plan.bearer:
        headers[plan.bearer] = f"Bearer {secret}"  # what _with_key does, at less cost
    elif secret:
        url = _with_key(operation, secret, url, headers)
    # What HttpRequest(...) makes, stored straight into the instance: a frozen dataclass
    # sets each field through object.__setattr__, a tenth of the cost of building.
    request: HttpRequest = object.__new__(HttpRequest)
    fields_of = request.__dict__
    fields_of["method"] = operation.method
    fields_of["url"] = url
    fields_of["headers"] = headers
    fields_of["body"] = json_bytes(body)
    fields_of["secret"] = secret
    return request


@dataclass(frozen=True)
class _QuickPlan:
    """What :func:`quick_request` reads of an operation, read once."""

    check: Callable[[Any], bool]
    names: frozenset[str]
    """The body's property names."""
    defaults: Mapping[str, Any]
    """The defaults of required fields the caller may leave out."""
    headers: dict[str, str]
    """Accept, User-Agent and Content-Type (each request gets a copy)."""
    bearer: str
    """The header a bearer key goes in ("" when the key is not a bearer token in a header)."""
    urls: dict[str, str] = field(default_factory=dict)
    """The operation's URL on each valid base URL used so far (a few of them)."""


def _remembered_url(plan: _QuickPlan, base_url: str, path: str) -> str | None:
    """The URL of ``path`` on ``base_url``, or None for a bad base URL; remembered in ``plan``.

    A client sends every request to the same base URL: it is checked once, and
    its URL then costs one dictionary lookup.
    """
    url = None if _str_base_url_errors(base_url) else base_url.rstrip("/") + path
    if url is not None and len(plan.urls) < _REMEMBERED_URLS:
        plan.urls[base_url] = url
    return url


_REMEMBERED_URLS = 16


def _with_key(operation: OperationSpec, api_key: str, url: str, headers: dict[str, str]) -> str:
    """Place the key where the operation's security scheme says; return the URL it goes to."""
    if operation.key_in == "query":
        joined = urllib.parse.urlencode([(operation.key_name, api_key)])
        return f"{url}{'&' if '?' in url else '?'}{joined}"
    if operation.key_in == "cookie":
        headers["Cookie"] = f"{operation.key_name}={api_key}"
    elif operation.key_scheme == "basic":
        headers[operation.key_name] = "Basic " + base64.b64encode(api_key.encode()).decode()
    elif operation.key_scheme == "bearer":
        headers[operation.key_name] = f"Bearer {api_key}"
    else:
        headers[operation.key_name] = api_key
    return url


def _chosen_body(
    operation: OperationSpec, content_type: str | None, errors: list[FieldError]
) -> BodyContent | None:
    """The body media type ``content_type`` names (the default for None)."""
    bodies = operation.bodies()
    if content_type is None or not bodies:
        return bodies[0] if bodies else None
    for body in bodies:
        if body.media_type == content_type:
            return body
    offered = ", ".join(body.media_type for body in bodies) or "no body"
    errors.append(
        FieldError("content_type", "enum", f"must be one of {offered} (got {show(content_type)})")
    )
    return None


def _encoded(chosen: BodyContent, body: Any) -> bytes | StreamBody:
    """``body`` as ``chosen`` sends it: bytes (JSON, a form) or a StreamBody (multipart)."""
    if chosen.media_type == MULTIPART:
        return multipart_body(body, frozenset(chosen.files))
    if chosen.media_type == URLENCODED:
        return _urlencoded(body)
    return json_bytes(body)


def parse_response(
    operation: OperationSpec,
    model: Any,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    request: HttpRequest | None = None,
    *,
    strict: bool = False,
) -> Any:
    """Return the decoded model of a 2xx response; raise the documented error otherwise.

    By default the body is read leniently: a value outside an ``enum`` or
    ``const`` that has the right JSON type (a status the spec does not list
    yet) and a property ``additionalProperties: false`` forbids are kept as
    they came and logged as a warning on the package's logger. ``strict``
    makes them :class:`ResponseValidationError` too. Either way a missing
    required property, a wrong type, a broken range or pattern, a broken
    ``x-equal-properties`` and an ``x-echo`` the response does not repeat are
    errors. Properties the spec does not list are kept in each model's extra
    field.
    """
    if not 200 <= status_code < 300:
        raise read_api_error(operation, status_code, body, headers, secret=_secret_of(request))
    quick = operation.quick_reads.get(status_code)
    if quick is not None and isinstance(model, type):
        predicate, decoded, decoder = quick
        if model is not decoded or decoder is None:  # no decoder written for this model
            decoder = functools.partial(decode, model)
        result = quick_read(operation, headers, body, request, predicate, decoder)
        if result is not None:
            return result
    if not isinstance(model, type) and isinstance(model, Mapping):  # one model per status
        model = model.get(str(status_code), model.get("2XX"))
    key = _documented_key(operation, status_code)
    if key is not None and key in operation.text_responses:
        return _text_of(status_code, headers, body)
    schema = None if key is None else operation.responses[key]
    if schema is None:
        if key is None and _has_success_schema(operation):
            raise ResponseValidationError(
                status_code,
                [
                    FieldError(
                        "", "status", f"HTTP {status_code} is not a documented success status"
                    )
                ],
            )
        return None
    content_type = _content_type(headers)
    if content_type and "json" not in content_type.lower():
        raise ResponseValidationError(
            status_code,
            [FieldError("", "content-type", f"must be JSON (got {show(content_type)})")],
        )
    data = _decode_json(body)
    if data is _MISSING:
        raise ResponseValidationError(
            status_code, [FieldError("", "json", "the body is not valid JSON")]
        )
    validator = operation.api.validator.for_responses
    check = None if key is None else operation.response_checks.get(key)
    tolerated: list[FieldError] = []
    if _may_be_too_deep(body) and _too_deep(data):
        errors = [FieldError("", "json", f"is nested more than {_MAX_DEPTH} levels deep")]
    else:
        try:
            # A value the strict predicate accepts has no error and nothing to tolerate.
            if check is not None and check(data):
                errors = []
            elif strict:
                errors = validator.errors(schema, data)
            else:
                errors, tolerated = validator.lenient_errors(schema, data)
        except RecursionError:
            errors = [FieldError("", "json", "is nested too deeply to check")]
    if not errors and request is not None:
        errors = echo_errors(operation, request, data)
    if errors:
        secret = _secret_of(request)
        raise ResponseValidationError(status_code, [_redact_error(e, secret) for e in errors])
    if tolerated:
        _warn_tolerated(operation, status_code, tolerated, request)
    return decode(model, data)


def quick_read(
    operation: OperationSpec,
    headers: Mapping[str, str],
    body: bytes,
    request: HttpRequest | None,
    check: Callable[[Any], bool],
    decoder: Callable[[Any], Any],
) -> Any:
    """The model ``decoder`` makes of a 2xx body ``check`` accepts, else None.

    The way a parser reads a response in the common case: JSON (by its
    Content-Type, if any), not nested too deeply, valid by the compiled
    predicate ``check`` of its status's schema, repeating what ``request``
    sent. None (anything odd) sends the parser to :func:`parse_response`,
    which explains what is wrong. The caller has checked the status.
    """
    content_type = _content_type(headers)
    if (content_type and "json" not in content_type.lower()) or _may_be_too_deep(body):
        return None
    data = _decode_json(body)
    try:
        if (
            data is not _MISSING
            and check(data)
            and (request is None or not echo_errors(operation, request, data))
        ):
            return decoder(data)
    except RecursionError:  # nested too deeply: parse_response says so
        pass
    return None


def _may_be_too_deep(body: object) -> bool:
    """Whether the JSON in ``body`` may nest more than ``_MAX_DEPTH`` levels deep.

    Nesting that deep takes more than ``_MAX_DEPTH`` brackets, and valid JSON
    closes each one it opens: a shorter body cannot be too deep, and nor can
    one of objects alone under five bytes a level; any other has its brackets
    counted (in C). A body that is not bytes may be anything.
    """
    if not isinstance(body, bytes):
        return True
    if len(body) <= 2 * _MAX_DEPTH:
        return False
    # Most bodies hold no array (find: "in" first tries the operand as an int). Then each
    # level but the last takes five bytes or more ({"":...}), the last two ({}).
    arrays = body.find(b"[") >= 0
    if not arrays and len(body) < 5 * _MAX_DEPTH + 2:
        return False
    return body.count(b"{") + (body.count(b"[") if arrays else 0) > _MAX_DEPTH


def _warn_tolerated(
    operation: OperationSpec,
    status_code: int,
    tolerated: list[FieldError],
    request: HttpRequest | None,
) -> None:
    """Log what a lenient read let through; a token the request carried is never shown."""
    secret = _secret_of(request)
    for error in tolerated:
        logger.warning(
            "%s: HTTP %d response kept as it came, although %s (strict=True refuses it)",
            operation.operation_id,
            status_code,
            _redact(f"{error} ({error.rule})", secret),
        )


def echo_errors(operation: OperationSpec, request: HttpRequest, data: Any) -> list[FieldError]:
    """Response properties that must repeat what the request sent, and do not."""
    sent = request.json()
    errors = []
    for echo in operation.echo:
        expected = _pointer(sent, echo.pointer)
        if expected is _MISSING or not isinstance(data, dict):
            continue
        wanted = f"must repeat the request's {echo.pointer} {show(expected)}"
        if echo.property not in data:
            if not echo.optional:
                errors.append(FieldError(echo.property, "x-echo", f"{wanted} (got nothing)"))
        elif not json_equal(data[echo.property], expected):
            message = f"{wanted} (got {show(data[echo.property])})"
            errors.append(FieldError(echo.property, "x-echo", message))
    return errors


def read_api_error(
    operation: OperationSpec,
    status_code: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    secret: str = "",
) -> ApiError:
    """An ApiError for an error response, read from whichever documented shape it has.

    A body nested more than ``_MAX_DEPTH`` levels deep is kept as None. ``secret``
    (the request's credential) is removed from the body before any of it is cut
    short for the message, so no part of it is left at the cut.
    """
    for form in secret_forms(secret):
        body = body.replace(form.encode(), b"***")
    data = _decode_json(body)
    if data is not _MISSING and _too_deep(data):
        data = _MISSING
    fields = {
        name: first_value(data, pointers) for name, pointers in operation.error_fields.items()
    }
    message = fields.get("message")
    if not isinstance(message, str) or not message:
        text = body[:_ERROR_SNIPPET].decode("utf-8", "replace").strip()
        message = text or "(empty body)"
    error_type = fields.get("type")
    code = fields.get("code")
    return api_error_class(status_code)(
        status_code,
        message,
        type=error_type if isinstance(error_type, str) else None,
        code=code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
        body=None if data is _MISSING else data,
        headers=headers,
    )


def decode(model: Any, value: Any) -> Any:
    """Build ``model`` (a dataclass, list, dict, union or scalar type) from validated JSON.

    A dataclass with an extra field (marked ``metadata={"extra": True}``) gets
    there every property it does not declare, unchanged.
    """
    try:
        decoder = _decoder(model)
    except TypeError:  # an unhashable model (a dict of models): read it each time
        return _decode_slowly(model, value)
    return value if decoder is None else decoder(value)


Decoder = Callable[[Any], Any]


def _decoder(model: Any) -> Decoder | None:
    """What :func:`decode` does for ``model``, worked out once: None when it returns the value.

    The type hints, fields, union arms and JSON names are read here, once per
    model, so decoding a response is a few dict lookups and calls per field.
    """
    # Unions that differ only in the order of their arms are equal (and hash the
    # same), but the first arm that fits wins: the cache tells them apart by repr.
    return _decoder_of(model, "" if isinstance(model, type) else repr(model))


@functools.cache
def _decoder_of(model: Any, spelled: str) -> Decoder | None:
    if dataclasses.is_dataclass(model) and isinstance(model, type):
        return _dataclass_decoder(model)
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin in (typing.Union, types.UnionType):
        others = [arm for arm in args if arm is not type(None)]
        if len(others) == 1:  # ``X | None``: None is itself; what fits X is an X
            only, fits = _decoder(others[0]), _fitter(others[0])
            if only is None:
                return None
            return lambda value: only(value) if value is not None and fits(value) else value
        arms = [(_fitter(arm), _decoder(arm)) for arm in args]
        if all(decoder is None for _, decoder in arms):
            return None  # whichever arm fits, the value comes back as it is

        def union(value: Any) -> Any:
            for fits, decoder in arms:
                if fits(value):
                    return value if decoder is None else decoder(value)
            return value

        return union
    if origin is list:
        item = _decoder(args[0])
        if item is None:
            return list
        return lambda value: [item(entry) for entry in value]
    if origin is dict:
        entry = _decoder(args[1])
        if entry is None:
            return dict
        return lambda value: {key: entry(item) for key, item in value.items()}
    if model is int:
        return lambda value: int(value) if type(value) is float else value
    if model is float:
        return lambda value: float(value) if isinstance(value, int) else value
    return None


def _dataclass_decoder(model: type) -> Decoder:
    fields = dataclasses.fields(model)
    extras = [f.name for f in fields if f.metadata.get(EXTRA)]
    plain, required = _plain_defaults(model)
    # The fields' decoders are worked out on first use: a recursive model refers to itself.
    plans: list[_Plan] = []

    def build(value: Any) -> Any:
        if not plans:
            plans.append(_Plan.of(model, fields))
        plan = plans[0]
        if plain is None or plan.renamed or not required <= value.keys():
            return _constructed(model, plan, extras, value)
        # What __init__ would store, stored at once: calling it with keyword
        # arguments costs more than the rest of decoding a response.
        instance: Any = object.__new__(model)
        attributes = instance.__dict__
        attributes.update(plain)
        if value.keys() <= plan.names:
            attributes.update(value)
            unknown = {}
        else:
            unknown = {k: v for k, v in value.items() if k not in plan.names}
            attributes.update({k: v for k, v in value.items() if k in plan.names})
        # JSON numbers come as int or float: a field typed int (float) gets one.
        for name in plan.integers:
            if type(attributes[name]) is float:
                attributes[name] = int(attributes[name])
        for name in plan.floats:
            if type(attributes[name]) is int:
                attributes[name] = float(attributes[name])
        for name, decoder in plan.converted:
            if attributes[name] is not None:
                attributes[name] = decoder(attributes[name])
        for name in extras:
            attributes[name] = dict(unknown)
        return instance

    return build


@dataclass(frozen=True)
class _Plan:
    """What decoding a dataclass needs to know of its fields, read once."""

    declared: dict[str, tuple[str, Decoder | None]]
    """Each field by JSON name: its name and how its value is decoded (None: as it is)."""
    names: frozenset[str]
    """The JSON names of the fields."""
    renamed: bool
    """Whether a field's JSON name is not its name."""
    integers: tuple[str, ...]
    """The fields typed ``int`` (or ``int | None``), by name."""
    floats: tuple[str, ...]
    """The fields typed ``float`` (or ``float | None``), by name."""
    converted: tuple[tuple[str, Decoder], ...]
    """The other fields whose values are decoded (a model, say), by name: None stays None."""

    @classmethod
    def of(cls, model: type, fields: tuple[dataclasses.Field[Any], ...]) -> _Plan:
        """The plan of ``model``, whose fields are ``fields``."""
        hints = _type_hints(model)
        declared = {
            _json_name(f): (f.name, _decoder(hints[f.name]))
            for f in fields
            if not f.metadata.get(EXTRA)
        }
        bases = {f.name: _without_none(hints[f.name]) for f in fields if not f.metadata.get(EXTRA)}
        return cls(
            declared,
            frozenset(declared),
            any(name != field_name for name, (field_name, _) in declared.items()),
            tuple(name for name, base in bases.items() if base is int),
            tuple(name for name, base in bases.items() if base is float),
            tuple(
                (name, decoder)
                for name, base in bases.items()
                if base not in (int, float) and (decoder := _decoder(base)) is not None
            ),
        )


def _without_none(hint: Any) -> Any:
    """``X`` for ``X | None``; any other hint as it is."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        others = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        if len(others) == 1:
            return others[0]
    return hint


def _constructed(model: type, plan: _Plan, extras: list[str], value: Any) -> Any:
    """``model`` built by its ``__init__``: each property is a field, or goes to the extra field."""
    kwargs: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, item in value.items():
        found = plan.declared.get(key)
        if found is None:
            unknown[key] = item
        else:
            kwargs[found[0]] = item if found[1] is None else found[1](item)
    for name in extras:
        kwargs[name] = dict(unknown)
    return model(**kwargs)


def _plain_defaults(model: type) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """The defaults ``model.__init__`` stores, if storing is all it does; its required fields.

    None when ``__init__`` does more than store its arguments: a ``__post_init__``,
    slots, a default factory other than the extra field's, or a field it does not take.
    """
    fields = dataclasses.fields(model)
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    simple = (
        not hasattr(model, "__post_init__")
        and "__slots__" not in vars(model)
        and all(f.init for f in fields)
        and all(f.default_factory is dataclasses.MISSING or f.metadata.get(EXTRA) for f in fields)
    )
    if not simple:
        return None, required
    plain = {
        f.name: f.default
        for f in fields
        if f.default is not dataclasses.MISSING and not f.metadata.get(EXTRA)
    }
    return plain, required


def _decode_slowly(model: Any, value: Any) -> Any:
    """:func:`decode` for a model that cannot be cached, read from its type hints each time."""
    if dataclasses.is_dataclass(model) and isinstance(model, type):
        hints = _type_hints(model)
        fields = dataclasses.fields(model)
        declared = [f for f in fields if not f.metadata.get(EXTRA)]
        kwargs = {
            f.name: decode(hints[f.name], value[_json_name(f)])
            for f in declared
            if _json_name(f) in value
        }
        names = {_json_name(f) for f in declared}
        for f in fields:
            if f.metadata.get(EXTRA):
                kwargs[f.name] = {k: item for k, item in value.items() if k not in names}
        return model(**kwargs)
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin in (typing.Union, types.UnionType):
        return next((decode(arm, value) for arm in args if _fits(arm, value)), value)
    if origin is list:
        return [decode(args[0], item) for item in value]
    if origin is dict:
        return {key: decode(args[1], item) for key, item in value.items()}
    if model is int and isinstance(value, float):
        return int(value)
    if model is float and isinstance(value, int):
        return float(value)
    return value


def to_json(value: Any) -> Any:
    """A decoded model back as JSON data; dataclass fields left unset (None) are omitted.

    The properties in a model's extra field come back beside the declared ones.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.metadata.get(EXTRA):
                extras.update(item)
            elif item is not None:
                data[_json_name(f)] = to_json(item)
        data.update({key: to_json(item) for key, item in extras.items() if key not in data})
        return data
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


@functools.cache
def _fitter(model: Any) -> Callable[[Any], bool]:
    """:func:`_fits` for ``model``, with what it reads of ``model`` read once."""
    if dataclasses.is_dataclass(model):
        required = [
            _json_name(f)
            for f in dataclasses.fields(model)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        return lambda value: isinstance(value, dict) and all(name in value for name in required)
    simple = {type(None): "null", bool: "boolean", str: "string", int: "integer"}
    if model in simple:
        kind = simple[model]
        return lambda value: json_type_of(value) == kind
    if typing.get_origin(model) in (list, dict) or model is float:
        return functools.partial(_fits, model)
    if typing.get_origin(model) is typing.Literal:
        return functools.partial(_fits, model)
    return lambda value: True


def _fits(model: Any, value: Any) -> bool:
    """Whether ``value`` has the JSON shape of ``model``, to pick a union arm."""
    if dataclasses.is_dataclass(model):
        required = [
            f
            for f in dataclasses.fields(model)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        return isinstance(value, dict) and all(_json_name(f) in value for f in required)
    origin = typing.get_origin(model)
    if origin is typing.Literal:
        return any(json_equal(value, option) for option in typing.get_args(model))
    if origin in (list, dict):
        return isinstance(value, origin)
    simple = {type(None): "null", bool: "boolean", str: "string", int: "integer"}
    if model in simple:
        return json_type_of(value) == simple[model]
    if model is float:
        return json_type_of(value) in ("integer", "number")
    return True


def _json_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("alias", f.name))


def _api_key_errors(api_key: object, operation: OperationSpec) -> list[FieldError]:
    # The key is a secret: no message here shows its value.
    if not isinstance(api_key, str) or not api_key.strip():
        return [FieldError("api_key", "required", "must be a non-empty string")]
    # In ASCII, exactly the controls (below 32, and 127) are not printable.
    if not (api_key.isascii() and api_key.isprintable()):
        return [FieldError("api_key", "header", "must be printable ASCII (value hidden)")]
    if operation.key_in == "cookie" and any(c in _NOT_IN_COOKIES for c in api_key):
        message = "must not hold spaces, quotes, commas, semicolons or backslashes (value hidden)"
        return [FieldError("api_key", "cookie", message)]
    if operation.key_scheme == "basic" and ":" not in api_key:
        return [FieldError("api_key", "basic", "must be user:password (value hidden)")]
    return []


# What a cookie value cannot hold (RFC 6265 cookie-octet).
_NOT_IN_COOKIES = frozenset(' ",;\\')


def _base_url_errors(base_url: object) -> tuple[FieldError, ...]:
    if type(base_url) is str:
        return _str_base_url_errors(base_url)
    return tuple(_url_errors(base_url))


@functools.lru_cache(maxsize=16)
def _str_base_url_errors(base_url: str) -> tuple[FieldError, ...]:
    # A client sends every request to the same base URL: parse it once, not per request.
    return tuple(_url_errors(base_url))


def _url_errors(base_url: object) -> list[FieldError]:
    try:
        parsed = urllib.parse.urlsplit(base_url) if isinstance(base_url, str) else None
        port = parsed.port if parsed is not None else None  # raises for a bad port
    except ValueError:
        parsed = port = None
    del port
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or not parsed.hostname
    ):
        return [FieldError("base_url", "url", f"must be an http(s) URL (got {show(base_url)})")]
    if parsed.query or parsed.fragment:
        return [
            FieldError(
                "base_url", "url", f"must not have a query or fragment (got {show(base_url)})"
            )
        ]
    return []


def _param_errors(validator: Validator, param: Param, value: object) -> list[FieldError]:
    if value is _MISSING or value is None:
        return [FieldError(param.python_name, "required", "is required")] if param.required else []
    return validator.errors(param.schema, value, param.python_name)


def _path_segment_errors(param: Param, value: object) -> list[FieldError]:
    # Percent-encoding leaves "." and ".." as they are, and servers resolve them as
    # dot-segments: the value would leave its segment and name another resource.
    if value is not _MISSING and value is not None and _text(value) in (".", ".."):
        message = f"must not be {show(_text(value))}: it would leave its path segment"
        return [FieldError(param.python_name, "path-segment", message)]
    return []


def _body(
    operation: OperationSpec,
    chosen: BodyContent,
    fields: Mapping[str, object],
    errors: list[FieldError],
) -> dict[str, Any]:
    """The body: the caller's fields plus defaults of required fields they left out.

    A file field's value (a path, bytes, a file object, an Upload) is checked
    as a file and stands in the schema's check as the string it is on the wire.
    """
    validator = operation.api.validator.for_requests
    declared = operation.declared[chosen.media_type]
    if not fields.keys() <= declared.keys():
        for name in fields:
            if name not in declared:
                message = f"is not a field of {chosen.body_type}"
                errors.append(FieldError(name, "unknown-field", message))
    body = {**chosen.defaults, **fields}
    checked = dict(body) if chosen.files else body
    for name in chosen.files:
        value = body.get(name)
        items = value if isinstance(value, list) else [value]
        if value is None or not all(is_file_value(item) for item in items):
            continue  # not a file (an object, say): the schema judges it
        for index, item in enumerate(items):
            problem = file_problem(item)
            if problem:
                where = f"{name}[{index}]" if isinstance(value, list) else name
                errors.append(FieldError(where, "file", problem))
        checked[name] = [""] * len(items) if isinstance(value, list) else ""
    try:
        # The predicate accepts only JSON that the schema accepts: nothing to explain.
        if chosen.check is not None and chosen.check(checked):
            return body
        shape_errors = list(json_errors(checked))
        errors.extend(shape_errors or validator.errors(chosen.schema, checked))
    except RecursionError:
        errors.append(FieldError("", "json", "is nested too deeply to send"))
    return body


def _whole_body(
    operation: OperationSpec, chosen: BodyContent, value: object, errors: list[FieldError]
) -> Any:
    """A body given whole (not an object): checked against its schema as it is."""
    try:
        # The predicate accepts only JSON that the schema accepts: nothing to explain.
        if chosen.check is not None and chosen.check(value):
            return value
        shape_errors = list(json_errors(value, "body"))
        validator = operation.api.validator.for_requests
        errors.extend(shape_errors or validator.errors(chosen.schema, value, "body"))
    except RecursionError:
        errors.append(FieldError("", "json", "is nested too deeply to send"))
    return value


def _url(operation: OperationSpec, base_url: str, values: Mapping[str, object]) -> str:
    if not operation.path_params and not operation.query_params:
        return base_url.rstrip("/") + operation.path
    path = operation.path
    for param in operation.path_params:
        path = path.replace(
            "{" + param.name + "}", urllib.parse.quote(_text(values[param.name]), safe="")
        )
    query = [
        (p.name, item) for p in operation.query_params for item in _query_values(p, values[p.name])
    ]
    url = base_url.rstrip("/") + path
    return f"{url}?{urllib.parse.urlencode(query)}" if query else url


def _query_values(param: Param, value: object) -> list[str]:
    """The texts a query parameter is sent as: one per item, or the items joined by commas."""
    items = [_text(item) for item in _items(value)]
    if not param.explode and isinstance(value, list):
        return [",".join(items)] if items else []
    return items


def _items(value: object) -> list[object]:
    """A query parameter's values: a list repeats the name (form style, exploded)."""
    if value is _MISSING or value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _binary_types(operation: OperationSpec) -> list[str]:
    return [m for types in operation.media_types.values() for m in types]


def _documented_key(operation: OperationSpec, status_code: int) -> str | None:
    """The response entry that documents this 2xx status ("204", "2XX"), or None."""
    # Only success entries: "default" documents errors in this spec style.
    for key in (str(status_code), "2XX"):
        if key in operation.responses or key in operation.text_responses:
            return key
    return None


def _text_of(status_code: int, headers: Mapping[str, str], body: bytes) -> str:
    """A text response decoded by the charset of its Content-Type (UTF-8 without one)."""
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    charset = "utf-8"
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        message = f"is not text in {show(charset)}"
        raise ResponseValidationError(status_code, [FieldError("", "charset", message)]) from None


def _has_success_schema(operation: OperationSpec) -> bool:
    return any(key.startswith("2") and schema for key, schema in operation.responses.items())


def _too_deep(data: Any, limit: int = _MAX_DEPTH) -> bool:
    """Whether ``data`` nests containers more than ``limit`` levels deep (without recursing)."""
    level: list[Any] = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            item
            for node in level
            for item in (node.values() if isinstance(node, dict) else node)
            if isinstance(item, (dict, list))
        ]
    return False


def _secret_of(request: HttpRequest | None) -> str:
    """The key ``request`` carries, or "" when it has none.

    A request built by hand, without its ``secret``, gives its bearer token.
    """
    if request is None:
        return ""
    if request.secret:
        return request.secret
    for name, value in request.headers.items():
        if name.lower() == "authorization":
            return value.partition(" ")[2] or value
    return ""


def _redact(text: str, secret: str) -> str:
    """``text`` without any form of ``secret``, nor the start of one left at a cut (``…``)."""
    forms = secret_forms(secret)
    text = hide_secret(text, secret)
    parts = text.split(_ELLIPSIS)
    for index, part in enumerate(parts[:-1]):
        for form in forms:
            sizes = range(len(form) - 1, min(len(form) - 1, 4) - 1, -1)
            cut = next((n for n in sizes if n and part.endswith(form[:n])), 0)
            if cut:
                part = parts[index] = part[:-cut] + "***"
    return _ELLIPSIS.join(parts)


def _redact_error(error: FieldError, secret: str) -> FieldError:
    if not secret:
        return error
    return FieldError(_redact(error.path, secret), error.rule, _redact(error.message, secret))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
"""``json.loads(..., parse_constant=_reject_constant)``, without a new decoder per call."""
# typeshed types make_scanner's argument as the scanner itself; it takes the decoder.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(typing.cast(Any, _DECODER))
"""The decoder's scanner (in C where the accelerator is): one JSON value from an index on."""


def _decode_json(body: bytes) -> Any:
    """``body``'s JSON value as ``json.loads`` reads it (NaN and infinity refused), or _MISSING."""
    try:
        if type(body) is bytes and len(body) > 1 and body[0] in _OPENERS and body[1]:
            # UTF-8 by json.detect_encoding's rule (no BOM, no zero byte among the first
            # two), so the scanner runs directly: json.loads would first spend as long as
            # the scan itself detecting that in Python.
            text = body.decode("utf-8", "surrogatepass")
            value, end = _SCAN(text, 0)
            return value if end == len(text) or not text[end:].strip(_JSON_SPACE) else _MISSING
        if isinstance(body, (bytes, bytearray)):  # as json.loads reads bytes
            return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError, StopIteration):  # StopIteration: no value at all
        return _MISSING


_OPENERS = (ord("{"), ord("["))
_JSON_SPACE = " \t\n\r"
"""What JSON counts as white space (``str.strip`` would take more)."""


def _content_type(headers: Mapping[str, str]) -> str:
    """The Content-Type of a response, read the same way on every path.

    One lookup finds it in the lower-case names the transport gives; a
    caller's own mapping may spell it otherwise (``_header``).
    """
    return (
        headers.get("content-type")
        or headers.get("Content-Type")
        or (_header(headers, "content-type") if headers else "")
    )


def _header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` (lower case), whatever case ``headers`` spell it in."""
    found = ""
    for key, value in headers.items():
        if key.lower() == name:
            found = value
    return found


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for key in pointer_keys(pointer):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def first_value(document: Any, pointers: tuple[str, ...]) -> Any:
    """The first non-null value found at one of the JSON ``pointers``, or None."""
    for pointer in pointers:
        value = _pointer(document, pointer)
        if value is not _MISSING and value is not None:
            return value
    return None


@functools.cache
def _type_hints(model: type) -> dict[str, Any]:
    # Resolving the annotations evaluates strings: once per model, not once per parse.
    return typing.get_type_hints(model)
