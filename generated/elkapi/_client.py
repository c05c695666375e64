# Runtime of the generated package: codegen copies this file in unchanged.
"""The client every generated ``Client`` extends: configuration, sending, downloads, secrecy.

Each call is a generator of steps (``_steps.py``) that makes the decisions
once: what to retry (``_retry.py``), which redirect to follow
(``_redirects.py``), when a wait ends (``_waiting.py``), which page comes next
(``_paging.py``). :class:`BaseClient` carries the steps out with blocking
calls, ``AsyncBaseClient`` (``_async.py``) with ``await``.
"""

from __future__ import annotations

import copy
import os
import random
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from ._download import (
    Destination,
    DownloadResult,
    FileSink,
    ProgressCallback,
    empty_body_error,
    may_be_empty,
    parse_binary_response,
)
from ._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    BodySink,
    HttpRequest,
    HttpResponse,
    HttpTransport,
    Timeout,
    Transport,
    send_with,
    stream_with,
)
from ._log import logger
from ._operation import ApiSpec, OperationSpec
from ._paging import Paging, pages
from ._printable import printable
from ._redirects import follow
from ._retry import RetryPolicy, retry_reason, starts_work, with_max_retries
from ._secrets import redact_headers, scrub, scrub_error
from ._steps import Call, Items, Pages, Pause, Steps, Stream
from ._validation import FieldError, Validator
from ._waiting import cut, pause, polls, time_left, waiting
from .errors import (
    ApiError,
    ConfigurationError,
    Error,
    RedirectError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    TransportError,
    request_id_of,
)

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound="ClientCore")
ExchangeResult = tuple[HttpResponse, int]

DEFAULT_TIMEOUT = Timeout(connect=10.0, read=60.0)


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A response as it came back (after retries and redirects), before parsing.

    ``parse()`` returns the model, or raises what the operation raises for it.
    """

    status_code: int
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    attempts: int
    _parse: Callable[[], T] = field(repr=False, compare=False)
    _secret: str = field(default="", repr=False, compare=False)

    @property
    def request_id(self) -> str | None:
        """The server's id for the request, when it sent one (the key hidden, if it echoes it)."""
        found: str | None = scrub(request_id_of(self.headers), self._secret)
        return found

    def parse(self) -> T:
        """The decoded model; raises ApiError or ResponseValidationError like the operation."""
        return self._parse()

    def __repr__(self) -> str:
        return (
            f"RawResponse(status_code={self.status_code}, "
            f"headers={redact_headers(self.headers, self._secret)!r}, "
            f"attempts={self.attempts})"
        )


class ClientCore:
    """Configuration and decisions shared by the blocking and the async client.

    The key comes from ``api_key`` or the environment variable named by
    ``api_key_env``; the server from ``base_url``, the variable named by
    ``base_url_env``, or ``default_base_url``.
    """

    default_base_url: ClassVar[str] = ""
    api_key_env: ClassVar[str] = ""
    base_url_env: ClassVar[str] = ""
    requires_key: ClassVar[bool] = True
    user_agent: ClassVar[str] = ""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        strict: bool = False,
    ) -> None:
        self._api_key = self._configured(api_key, self.api_key_env) or ""
        if self.requires_key and not self._api_key:
            where = f" or set {self.api_key_env}" if self.api_key_env else ""
            raise ConfigurationError(f"no API key: pass api_key={where}")
        self.base_url = self._configured(base_url, self.base_url_env) or self.default_base_url
        self.timeout = Timeout.of(timeout)
        self.retry = with_max_retries(retry or RetryPolicy(), max_retries)
        self.max_response_bytes = max_response_bytes
        self.strict = strict
        self._random = random.Random()

    @staticmethod
    def _configured(value: str | None, variable: str) -> str | None:
        if value is not None or not variable:
            return value
        return os.environ.get(variable) or None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def with_options(
        self: C,
        *,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
        strict: bool | None = None,
    ) -> C:
        """A copy of this client with another retry policy, timeout or strictness."""
        other = copy.copy(self)
        other.retry = with_max_retries(retry or self.retry, max_retries)
        if timeout is not None:
            other.timeout = Timeout.of(timeout)
        if strict is not None:
            other.strict = strict
        return other

    def _timeout_for(self, request: HttpRequest) -> Timeout:
        """The client's timeout, cut to the time a wait under way has left.

        Raises:
            TransportError: the wait has no time left, so ``request`` is not sent.
        """
        limits = cut(self.timeout)
        if limits is None:
            raise TransportError(
                f"{request.method} {printable(self._hide(request.url))}: not sent, "
                "the wait's time is up",
                request_sent=False,
            )
        return limits

    def _capped(self, response: HttpResponse) -> HttpResponse:
        """``response``, unless its body is over ``max_response_bytes`` (whatever the transport)."""
        if len(response.body) > self.max_response_bytes:
            raise ResponseTooLargeError(
                f"the response body is over {self.max_response_bytes} bytes",
                limit=self.max_response_bytes,
            )
        return response

    @staticmethod
    def _choose(argument: str, value: str, options: Mapping[str, T]) -> T:
        """The option named ``value``; refuses any other name like a bad argument."""
        if value not in options:
            choices = ", ".join(map(repr, options))
            rule = FieldError(argument, "enum", f"must be one of {choices} (got {value!r})")
            raise RequestValidationError([rule])
        return options[value]

    def _exchange(
        self, operation: OperationSpec, request: HttpRequest, sink: BodySink | None = None
    ) -> Steps[ExchangeResult]:
        """The final response and how many attempts it took; raises when no attempt may follow.

        With a ``sink``, each attempt streams a body the sink takes into it
        (the sink starts over on each attempt that reaches it).
        """
        policy = self.retry
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = yield from follow(operation, request, sink, self._hide)
            except TransportError as error:
                reason = retry_reason(operation, error=error)
                again = reason is not None and attempt <= policy.max_retries and not _time_up()
                self._log(request, attempt, started, str(error), reason if again else None)
                if not again:
                    raise self._surface(error, operation, attempt, None) from None
                yield Pause(policy.backoff(attempt, self._random.random()))
                if _time_up():  # the pause took what a wait had left: this failure is its end
                    raise self._surface(error, operation, attempt, None) from None
                continue
            except RedirectError as error:
                raise self._surface(error, operation, attempt, None) from None
            reason = retry_reason(operation, status_code=response.status_code)
            again = reason is not None and attempt <= policy.max_retries and not _time_up()
            status = f"HTTP {response.status_code}"
            self._log(request, attempt, started, status, reason if again else None)
            if not again:
                return response, attempt
            yield Pause(policy.delay(attempt, response.headers, self._random.random()))
            if _time_up():
                return response, attempt

    def _raw_response(
        self,
        operation: OperationSpec,
        request: HttpRequest,
        parse: Callable[..., T],
        exchanged: ExchangeResult,
    ) -> RawResponse[T]:
        response, attempts = exchanged

        def parsed() -> T:
            try:
                result: T = parse(
                    response.status_code,
                    response.headers,
                    response.body,
                    request=request,
                    strict=self.strict,
                )
            except Error as error:
                raise self._surface(error, operation, attempts, response.headers) from None
            return result

        return RawResponse(
            response.status_code, response.headers, response.body, attempts, parsed, request.secret
        )

    def _sink(
        self,
        operation: OperationSpec,
        destination: Destination,
        on_progress: ProgressCallback | None,
    ) -> FileSink:
        try:
            return FileSink(destination, operation, on_progress)
        except Error as error:
            scrub_error(error, self._api_key)
            raise

    def _downloaded(
        self,
        operation: OperationSpec,
        request: HttpRequest,
        parse: Callable[..., Any],
        sink: FileSink,
        exchanged: ExchangeResult,
    ) -> DownloadResult:
        """The result of a download whose exchange ended; raises the error of a refused one."""
        response, attempts = exchanged
        if not sink.accepted:
            try:
                # Hidden before the parser cuts the body or a header short for the message:
                # cut first, a key across the cut would leave its start behind.
                parse(
                    response.status_code,
                    scrub(response.headers, self._api_key),
                    scrub(response.body, self._api_key),
                )
                raise ResponseValidationError(
                    response.status_code,
                    [FieldError("", "status", "the body of this response was not downloaded")],
                )
            except Error as error:
                raise self._surface(error, operation, attempts, response.headers) from None
        if sink.received == 0 and not may_be_empty(operation, response.status_code):
            # Refused like any body that breaks the spec: the caller's sink.abort() removes
            # the empty file, so a failed download never looks like a video of 0 bytes.
            empty = empty_body_error(operation, response.status_code)
            raise self._surface(empty, operation, attempts, response.headers)
        path = sink.commit()
        return DownloadResult(
            path=path,
            size=sink.received,
            content_type=sink.content_type,
            status_code=response.status_code,
            headers=dict(response.headers),
            attempts=attempts,
        )

    def _url_request(self, url: str) -> HttpRequest:
        """A GET of ``url`` with no credentials at all, for :meth:`download_url`."""
        parsed = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
            shown = scrub(repr(url), self._api_key)
            raise RequestValidationError(
                [FieldError("url", "url", f"must be an http(s) URL (got {shown})")]
            )
        headers = {"Accept": "*/*"}
        if self.user_agent:
            headers["User-Agent"] = self.user_agent
        return HttpRequest("GET", url, headers)

    def _surface(
        self,
        error: Error,
        operation: OperationSpec,
        attempts: int,
        headers: Mapping[str, str] | None,
    ) -> Error:
        """``error`` as the caller sees it: attempts, request id, a warning, and no key."""
        if isinstance(error, (ApiError, TransportError, RedirectError)):
            error.attempts = attempts
            error.request_id = error.request_id or request_id_of(headers)
        if isinstance(error, TransportError) and error.request_sent and starts_work(operation):
            message = (
                f"{error.args[0] if error.args else error}; the request had been sent, so the "
                f"server may have started the work: check before sending it again"
            )
            error.args = (message,)
        scrub_error(error, self._api_key)
        return error

    def _pages(self, fetch: Callable[[Any], Any], cursor: Any, paging: Paging) -> Pages:
        """Every page of a listing, from ``cursor`` (see :func:`pages`)."""
        return pages(fetch, cursor, paging, self._hide)

    def _log(
        self, request: HttpRequest, attempt: int, started: float, outcome: str, retry: str | None
    ) -> None:
        import logging  # loaded by the isEnabledFor below anyway

        if not logger.isEnabledFor(logging.DEBUG):
            return
        logger.debug(
            "%s %s attempt %d: %s in %.3fs%s",
            request.method,
            printable(self._hide(request.url)),
            attempt,
            self._hide(outcome),
            time.monotonic() - started,
            f"; retrying: {retry}" if retry else "",
        )

    def _hide(self, text: str) -> str:
        result: str = scrub(text, self._api_key)
        return result


class BaseClient(ClientCore):
    """Sends operations with retries by what is safe, follows safe redirects, hides the key.

    ``timeout`` is a :class:`Timeout` or seconds for both limits. ``retry``
    (or the ``max_retries`` shortcut) sets the :class:`RetryPolicy`.
    ``transport`` sends one request (default: :class:`HttpTransport`); a body
    over ``max_response_bytes`` is a :class:`ResponseTooLargeError` whatever
    the transport. ``strict`` makes parsing refuse enum values and properties
    the spec does not allow (by default they are kept, with a warning).
    ``sleep`` is how the client waits, so tests need not. Every attempt is
    logged at DEBUG on the package's logger.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        strict: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            strict=strict,
        )
        self._transport: Transport = transport or HttpTransport(
            max_response_bytes=max_response_bytes
        )
        self._sleep = sleep

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send a built request once with this client's transport and timeout (no retries)."""
        return self._capped(send_with(self._transport, request, self._timeout_for(request)))

    def _call(self, operation: OperationSpec, request: HttpRequest, parse: Callable[..., T]) -> T:
        """Send with retries and redirects, then parse; errors carry attempts, never the key."""
        return self._raw(operation, request, parse).parse()

    def _raw(
        self, operation: OperationSpec, request: HttpRequest, parse: Callable[..., T]
    ) -> RawResponse[T]:
        exchanged = self._drive(self._exchange(operation, request))
        return self._raw_response(operation, request, parse, exchanged)

    def _download(
        self,
        operation: OperationSpec,
        request: HttpRequest,
        parse: Callable[..., Any],
        destination: Destination,
        on_progress: ProgressCallback | None,
    ) -> DownloadResult:
        """Stream the 2xx body to ``destination`` with retries and redirects; all or nothing."""
        sink = self._sink(operation, destination, on_progress)
        try:
            exchanged = self._drive(self._exchange(operation, request, sink))
            return self._downloaded(operation, request, parse, sink, exchanged)
        except BaseException:
            sink.abort()
            raise

    def download_url(
        self,
        url: str,
        destination: Destination,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> DownloadResult:
        """Download any http(s) ``url`` (say, a finished video's URL) with no credentials at all.

        The API key is never sent, whatever the host. Otherwise it is a download
        like the generated ``download_*`` methods: streamed to ``destination``
        (a path, written atomically, or a binary file object), retried and
        redirected by the same rules, ``on_progress(received, total)`` per chunk.
        """
        request = self._url_request(url)
        return self._download(URL_DOWNLOAD, request, _parse_any, destination, on_progress)

    def _wait(
        self,
        poll: Callable[[], T],
        *,
        state: Callable[[T], tuple[object, ...]],
        done: Callable[[T], bool],
        poll_interval: float,
        max_interval: float,
        timeout: float,
        on_progress: Callable[[T], None] | None,
    ) -> T:
        """Poll until ``done``; transient failures are waited out until the deadline."""
        steps = polls(
            poll,
            state=state,
            done=done,
            poll_interval=poll_interval,
            max_interval=max_interval,
            timeout=timeout,
            on_progress=on_progress,
            max_retry_after=self.retry.max_retry_after,
            hide=self._hide,
        )
        with waiting(timeout):
            return self._drive(steps)

    def _iterate(self, pages: Pages) -> Iterator[Any]:
        """Carry out a listing with blocking calls, yielding its items as each page comes."""
        reply: Any = None
        while True:
            try:
                step = pages.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(step, Items):
                yield from step.items
            else:
                reply = step.function()

    def _drive(self, steps: Steps[R]) -> R:
        """Carry out ``steps`` with blocking calls; a failed step is thrown back into them."""
        reply: Any = None
        failure: Error | None = None
        while True:
            try:
                step = steps.send(reply) if failure is None else steps.throw(failure)
            except StopIteration as stop:
                result: R = stop.value
                return result
            reply, failure = None, None
            try:
                if isinstance(step, Pause):
                    self._sleep(pause(step.seconds))
                elif isinstance(step, Call):
                    reply = step.function()
                elif isinstance(step, Stream):
                    limits = self._timeout_for(step.request)
                    reply = stream_with(self._transport, step.request, limits, step.sink)
                else:
                    reply = self.send(step)
            except Error as error:
                failure = error


URL_DOWNLOAD = OperationSpec(
    api=ApiSpec(user_agent="", validator=Validator({}, {})),
    operation_id="download_url",
    method="GET",
    path="",
    auth=False,
    error_fields={"message": ("/error/message", "/message")},
    media_types={"2XX": ("*/*",)},
)
"""What :meth:`BaseClient.download_url` sends: a GET, safe to repeat, of anything."""


def _parse_any(status_code: int, headers: Mapping[str, str], body: bytes) -> bytes:
    return parse_binary_response(URL_DOWNLOAD, status_code, headers, body)


def _time_up() -> bool:
    """Whether a wait is under way and has no time left for another attempt."""
    return time_left() == 0
