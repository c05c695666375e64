# Runtime of the generated package: codegen copies this file in unchanged.
"""HTTP request and response values, and the default ``urllib`` transport."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import TransportError

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credentials replaced by ``***``."""
    return {
        name: ("***" if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


@dataclass(frozen=True)
class HttpRequest:
    """A fully built request; its repr never shows credentials."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes | None = None

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, url={self.url!r}, "
            f"headers={redact_headers(self.headers)!r}, body={self.body!r})"
        )

    def json(self) -> Any:
        """The decoded JSON body, or None when there is none."""
        return None if self.body is None else json.loads(self.body)


@dataclass(frozen=True)
class HttpResponse:
    """What came back: status code, headers (lower-cased names) and raw body."""

    status_code: int
    headers: dict[str, str]
    body: bytes


Transport = Callable[[HttpRequest, float], HttpResponse]
"""Sends one request with a timeout in seconds; raises TransportError when it cannot."""


class MockTransport:
    """A transport that answers from ``handler`` without any network: for tests and examples.

    Every request it is given is kept in ``requests``, in order, so a test can
    assert what was (or was not) sent.
    """

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest, timeout: float) -> HttpResponse:
        self.requests.append(request)
        return self.handler(request)


def urllib_transport(request: HttpRequest, timeout: float) -> HttpResponse:
    """Send ``request`` with the standard library; HTTP error statuses are returned, not raised."""
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as reply:
            return HttpResponse(reply.status, _lower(reply.headers.items()), reply.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResponse(error.code, _lower(error.headers.items()), error.read())
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TransportError(f"{request.method} {request.url} failed: {reason}") from None


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}
