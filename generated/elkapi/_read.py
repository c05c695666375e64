# Runtime of the generated package: codegen copies this file in unchanged.
"""Reading responses: the documented error for an error status, the model for a success.

Each JSON success response has a predicate compiled from its schema at
generation time (``_checks.py``). The parser asks the predicate first:
when it accepts, the value is valid and :func:`quick_read` decodes it at
once. Only when it refuses does the interpreted :class:`Validator` walk the
schema data to say which field breaks which rule, so the errors (and the
lenient reading's warnings) are exactly the Validator's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from ._decode import decode
from ._http import HttpRequest, content_type_of
from ._json import (
    MAX_DEPTH,
    MISSING,
    decode_json,
    first_value,
    may_be_too_deep,
    too_deep,
    value_at,
)
from ._log import logger
from ._operation import OperationSpec
from ._secrets import redact, redact_error, scrub, secret_of
from ._validation import FieldError, json_equal, show
from .errors import ApiError, ResponseValidationError, api_error_class

_ERROR_SNIPPET = 200


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
        raise read_api_error(operation, status_code, body, headers, secret=secret_of(request))
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
    content_type = content_type_of(headers)
    if content_type and "json" not in content_type.lower():
        raise ResponseValidationError(
            status_code,
            [FieldError("", "content-type", f"must be JSON (got {show(content_type)})")],
        )
    data = decode_json(body)
    if data is MISSING:
        raise ResponseValidationError(
            status_code, [FieldError("", "json", "the body is not valid JSON")]
        )
    validator = operation.api.validator.for_responses
    check = None if key is None else operation.response_checks.get(key)
    tolerated: list[FieldError] = []
    if may_be_too_deep(body) and too_deep(data):
        errors = [FieldError("", "json", f"is nested more than {MAX_DEPTH} levels deep")]
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
        secret = secret_of(request)
        raise ResponseValidationError(status_code, [redact_error(e, secret) for e in errors])
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
    content_type = content_type_of(headers)
    if (content_type and "json" not in content_type.lower()) or may_be_too_deep(body):
        return None
    data = decode_json(body)
    try:
        if (
            data is not MISSING
            and check(data)
            and (request is None or not echo_errors(operation, request, data))
        ):
            return decoder(data)
    except RecursionError:  # nested too deeply: parse_response says so
        pass
    return None


def _warn_tolerated(
    operation: OperationSpec,
    status_code: int,
    tolerated: list[FieldError],
    request: HttpRequest | None,
) -> None:
    """Log what a lenient read let through; a token the request carried is never shown."""
    secret = secret_of(request)
    for error in tolerated:
        logger.warning(
            "%s: HTTP %d response kept as it came, although %s (strict=True refuses it)",
            operation.operation_id,
            status_code,
            redact(f"{error} ({error.rule})", secret),
        )


def echo_errors(operation: OperationSpec, request: HttpRequest, data: Any) -> list[FieldError]:
    """Response properties that must repeat what the request sent, and do not."""
    sent = request.json()
    errors = []
    for echo in operation.echo:
        expected = value_at(sent, echo.pointer)
        if expected is MISSING or not isinstance(data, dict):
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

    A body nested more than ``MAX_DEPTH`` levels deep is kept as None. ``secret``
    (the request's credential) is removed from the body before any of it is cut
    short for the message, so no part of it is left at the cut.
    """
    body = scrub(body, secret)
    data = decode_json(body)
    if data is not MISSING and too_deep(data):
        data = MISSING
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
        body=None if data is MISSING else data,
        headers=headers,
    )


def _documented_key(operation: OperationSpec, status_code: int) -> str | None:
    """The response entry that documents this 2xx status ("204", "2XX"), or None."""
    # Only success entries: "default" documents errors in this spec style.
    for key in (str(status_code), "2XX"):
        if key in operation.responses or key in operation.text_responses:
            return key
    return None


def _text_of(status_code: int, headers: Mapping[str, str], body: bytes) -> str:
    """A text response decoded by the charset of its Content-Type (UTF-8 without one)."""
    content_type = content_type_of(headers)
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
