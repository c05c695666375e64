# Runtime of the generated package: codegen copies this file in unchanged.
"""Building requests: every argument checked, then the URL, headers, key and body.

Each body has a predicate compiled from its schema at generation time
(``_checks.py``). The builder asks the predicate first: when it accepts,
the body is valid and nothing else looks at the schema. Only when it refuses
does the interpreted :class:`Validator` walk the schema data to say which
field breaks which rule. :func:`quick_request` is the common case (no
parameters, a JSON body of named fields) built with no more work than that.
"""

from __future__ import annotations

import base64
import functools
import urllib.parse
from collections.abc import Mapping
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
from ._http import HttpRequest
from ._json import MISSING, json_bytes
from ._operation import BodyContent, OperationSpec, Param, QuickPlan
from ._validation import FieldError, Validator, json_errors, show
from .errors import RequestValidationError


def build_request(
    operation: OperationSpec,
    *,
    api_key: str | None,
    base_url: str,
    params: Mapping[str, object],
    fields: Mapping[str, object] | None,
    content_type: str | None = None,
    value: object = MISSING,
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
        values = {p.name: params.get(p.python_name, MISSING) for p in operation.all_params}
        for param in operation.all_params:
            errors.extend(_param_errors(operation.api.validator, param, values[param.name]))
        for param in operation.path_params:
            errors.extend(_path_segment_errors(param, values[param.name]))
    chosen = _chosen_body(operation, content_type, errors)
    body: Any = MISSING
    if chosen is not None and operation.body_whole:
        if not (value is None and operation.body_optional):
            body = _whole_body(operation, chosen, None if value is MISSING else value, errors)
    elif chosen is not None and fields is not None:
        body = _body(operation, chosen, fields, errors)
    if errors:
        raise RequestValidationError(errors)
    headers = {"Accept": operation.accept, "User-Agent": operation.api.user_agent}
    for param in operation.header_params:
        if values[param.name] is not MISSING:
            headers[param.name] = _text(values[param.name])
    encoded = None if body is MISSING or chosen is None else _encoded(chosen, body)
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


def _remembered_url(plan: QuickPlan, base_url: str, path: str) -> str | None:
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
    if value is MISSING or value is None:
        return [FieldError(param.python_name, "required", "is required")] if param.required else []
    return validator.errors(param.schema, value, param.python_name)


def _path_segment_errors(param: Param, value: object) -> list[FieldError]:
    # Percent-encoding leaves "." and ".." as they are, and servers resolve them as
    # dot-segments: the value would leave its segment and name another resource.
    if value is not MISSING and value is not None and _text(value) in (".", ".."):
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
    if value is MISSING or value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
