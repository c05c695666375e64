# Runtime of the generated package: codegen copies this file in unchanged.
"""Redirects: which are followed, and what a followed one keeps of the request.

A redirect is followed only when sending the request again is safe (the
operation starts no work, the body is sent the same way), over http(s), never
from https down to http, and at most ``MAX_REDIRECTS`` times.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from ._http import BodySink, HttpRequest, HttpResponse
from ._log import logger
from ._operation import OperationSpec
from ._printable import printable
from ._retry import starts_work
from ._secrets import without_credentials
from ._steps import Steps, Stream
from .errors import RedirectError, request_id_of

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), parts.port or default


def _query_key(url: str, name: str, key: str, same_origin: bool) -> str:
    """``url`` with the key as its query parameter ``name`` (same origin) or without the key.

    Same origin: any ``name`` the Location carries gives way to the key.
    Another origin: only a parameter whose value is the key goes (a server
    may echo it into the Location); parameters of the same name with other
    values belong to that origin. The rest of the query stays as written.
    """
    parts = urllib.parse.urlsplit(url)
    kept = []
    for item in parts.query.split("&") if parts.query else []:
        field_name, _, value = item.partition("=")
        if same_origin and urllib.parse.unquote_plus(field_name) == name:
            continue
        if not same_origin and urllib.parse.unquote_plus(value) == key:
            continue
        kept.append(item)
    if same_origin:
        kept.append(urllib.parse.urlencode([(name, key)]))
    return urllib.parse.urlunsplit(parts._replace(query="&".join(kept)))


def _redirect_refusal(
    operation: OperationSpec, request: HttpRequest, status_code: int, target: str, hop: int
) -> str | None:
    """Why this redirect is not followed, or None to follow it."""
    if starts_work(operation) or request.method.upper() in ("POST", "PATCH"):
        return f"not followed, since sending the {request.method} again could start work twice"
    if request.body is not None and status_code not in (303, 307, 308):
        return "not followed, since it would change how the body is sent"
    scheme = urllib.parse.urlsplit(target).scheme
    if scheme not in ("http", "https"):
        return "not followed: only http and https are"
    if urllib.parse.urlsplit(request.url).scheme == "https" and scheme == "http":
        return "not followed from https to http"
    if hop >= MAX_REDIRECTS:
        return f"not followed: more than {MAX_REDIRECTS} redirects"
    return None


def follow(
    operation: OperationSpec,
    request: HttpRequest,
    sink: BodySink | None,
    hide: Callable[[str], str],
) -> Steps[HttpResponse]:
    """Send, following redirects that are safe to follow; ``hide`` keeps the key out of text."""
    current = request
    for hop in range(MAX_REDIRECTS + 1):
        response: HttpResponse = yield current if sink is None else Stream(current, sink)
        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        try:
            target = urllib.parse.urljoin(current.url, location)
            refusal = _redirect_refusal(operation, current, response.status_code, target, hop)
            same_origin = _origin(target) == _origin(current.url)
        except ValueError:
            target, same_origin = location, False
            refusal = "not followed: the Location is not a usable URL"
        if refusal:
            # The Location is the server's text, and so is a URL an earlier hop gave.
            raise RedirectError(
                f"{current.method} {printable(hide(current.url))} was redirected "
                f"(HTTP {response.status_code}) to {printable(hide(location))}: "
                f"{refusal}",
                status_code=response.status_code,
                location=location,
                request_id=request_id_of(response.headers),
            )
        logger.debug(
            "%s %s redirected (HTTP %d) to %s",
            current.method,
            printable(hide(current.url)),
            response.status_code,
            printable(hide(target)),
        )
        headers = current.headers
        if not same_origin:
            # The usual credential headers, and any header of the scheme carrying the key.
            headers = without_credentials(headers, current.secret)
        if operation.key_in == "query" and current.secret:
            # A Location names a resource, not this client's key: on the same origin
            # the key goes again (or the hop is refused with 401), to another never.
            target = _query_key(target, operation.key_name, current.secret, same_origin)
        method, body = current.method, current.body
        if response.status_code == 303 and method != "HEAD":
            method, body = "GET", None
        current = HttpRequest(method, target, headers, body, secret=current.secret)
    raise AssertionError("unreachable: the last hop is refused")  # pragma: no cover
