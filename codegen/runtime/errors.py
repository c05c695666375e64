# Runtime of the generated package: codegen copies this file in unchanged.
"""The errors this package raises; every one is a subclass of :class:`Error`.

The package also exports :class:`Error` under a name of its own (for example
``ElkapiError``), so callers can catch everything from it in one clause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._printable import printable
from ._secrets import HIDDEN, RESPONSE_CREDENTIAL_HEADERS

# Not typing.TYPE_CHECKING: catching an error should cost no more than the
# errors themselves, not typing, nor the validator (re, json, dataclasses).
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ._validation import FieldError


class Error(Exception):
    """Base class of every error raised by this package."""


class ConfigurationError(Error, ValueError):
    """The client cannot be made as asked, for example with no API key anywhere."""


class RequestValidationError(Error, ValueError):
    """The request breaks the spec; nothing was sent.

    ``errors`` lists every broken rule, each with its field path and rule name.
    """

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class ResponseValidationError(Error, ValueError):
    """A successful response whose body breaks the spec."""

    def __init__(self, status_code: int, errors: Sequence[FieldError]) -> None:
        self.status_code = status_code
        self.errors = list(errors)
        details = "; ".join(str(error) for error in self.errors)
        super().__init__(f"HTTP {status_code} response breaks the spec: {details}")


REQUEST_ID_HEADERS = ("x-request-id", "x-oneapi-request-id", "request-id")


def request_id_of(headers: Mapping[str, str] | None) -> str | None:
    """The server's id for the request, from the first request-id header present."""
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    return next((lowered[name] for name in REQUEST_ID_HEADERS if lowered.get(name)), None)


class TransportError(Error, OSError):
    """The request could not be sent or no response came back.

    ``request_sent`` says whether any byte of the request may have reached the
    server: when it is true, an operation that starts work may have started it.
    It defaults to true, the safe assumption for a transport that cannot tell.
    ``attempts`` counts the attempts made; ``request_id`` is the server's id for
    the request when a response carried one.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool = True,
        attempts: int = 1,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.attempts = attempts
        self.request_id = request_id


class ResponseTooLargeError(TransportError):
    """The response body is longer than the client accepts (``limit`` bytes)."""

    def __init__(self, message: str, *, limit: int, attempts: int = 1) -> None:
        super().__init__(message, request_sent=True, attempts=attempts)
        self.limit = limit


class IncompleteResponseError(TransportError):
    """The body ended before the ``Content-Length`` the response declared (a cut connection).

    ``expected`` and ``received`` are byte counts. Like any transport failure
    after the request went out, a call that is safe to repeat is retried.
    """

    def __init__(self, message: str, *, expected: int, received: int, attempts: int = 1) -> None:
        super().__init__(message, request_sent=True, attempts=attempts)
        self.expected = expected
        self.received = received


class DownloadError(Error):
    """A downloaded body could not be written where it was asked to go.

    For example the folder does not exist, the disk is full, or a file object
    that cannot seek would have to start over. Never retried; nothing is left
    at a destination path.
    """


class RedirectError(Error):
    """The server redirected a request the client will not follow; ``location`` says where."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        location: str,
        attempts: int = 1,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.location = location
        self.attempts = attempts
        self.request_id = request_id


class WaitTimeoutError(Error, TimeoutError):
    """Polling ran out of time; ``last`` is the last state seen."""

    def __init__(self, message: str, last: Any) -> None:
        super().__init__(message)
        self.last = last


class ApiError(Error):
    """The server answered with an error status.

    ``message``, ``type`` and ``code`` are read from whichever documented
    error shape the body has; ``body`` is the decoded JSON (or None);
    ``headers`` the response headers (lower-case names, credentials hidden).
    ``request_id`` is the server's id for the request when it sent one, and
    ``attempts`` how many attempts the client made.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        type: str | None = None,
        code: str | int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        attempts: int = 1,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.type = type
        self.code = code
        self.body = body
        self.headers = {
            name.lower(): HIDDEN if name.lower() in RESPONSE_CREDENTIAL_HEADERS else value
            for name, value in (headers or {}).items()
        }
        self.request_id = request_id_of(self.headers)
        self.attempts = attempts
        # The message and code are the server's text: shown escaped, not as they came.
        label = f" ({printable(str(code))})" if code not in (None, "") else ""
        super().__init__(f"HTTP {status_code}{label}: {printable(message)}")


class BadRequestError(ApiError):
    """HTTP 400: the server refused the request as invalid."""


class AuthenticationError(ApiError):
    """HTTP 401: the API key is missing or wrong."""


class PermissionDeniedError(ApiError):
    """HTTP 403: the API key may not do this."""


class NotFoundError(ApiError):
    """HTTP 404: no such resource."""


class RateLimitError(ApiError):
    """HTTP 429: too many requests, or out of quota."""


class ServerError(ApiError):
    """HTTP 5xx: the server failed."""


def api_error_class(status_code: int) -> type[ApiError]:
    """The most specific :class:`ApiError` subclass for ``status_code``."""
    specific = {
        400: BadRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        429: RateLimitError,
    }
    if status_code in specific:
        return specific[status_code]
    return ServerError if status_code >= 500 else ApiError
