# Runtime of the generated package: codegen copies this file in unchanged.
"""HTTP request and response values, and the default transport (``http.client``)."""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from ._bodies import StreamBody
from ._printable import printable
from ._secrets import hide_secret, redact_headers
from .errors import ResponseTooLargeError, TransportError

if TYPE_CHECKING:
    # At run time HttpTransport imports it when it sends: building a request needs
    # HttpRequest only, and http.client brings ssl, socket and email with it.
    import http.client


@dataclass(frozen=True)
class HttpRequest:
    """A fully built request; its repr never shows credentials.

    ``body`` is bytes (JSON, a form), a :class:`StreamBody` (multipart: an
    iterable of byte chunks whose length is in ``Content-Length``, files read
    from disk as it is sent) or None. :meth:`content` gives either as bytes.
    """

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes | StreamBody | None = None
    secret: str = field(default="", repr=False, compare=False)
    """The API key the request carries, wherever it is (a header, the query): never shown."""

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, url={hide_secret(self.url, self.secret)!r}, "
            f"headers={redact_headers(self.headers, self.secret)!r}, body={self.body!r})"
        )

    def content(self) -> bytes | None:
        """The whole body as bytes (a :class:`StreamBody` read, files too), or None."""
        if isinstance(self.body, StreamBody):
            return self.body.to_bytes()
        return self.body

    def json(self) -> Any:
        """The decoded JSON body, or None when there is none (or it is not JSON)."""
        if not isinstance(self.body, bytes):
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class HttpResponse:
    """What came back: status code, headers (lower-cased names) and raw body."""

    status_code: int
    headers: dict[str, str]
    body: bytes


class Transport(Protocol):
    """Sends one request with a timeout in seconds; raises TransportError when it cannot.

    A transport returns every status as it is, redirects included: the client
    decides what to follow. Raise :class:`TransportError` with ``request_sent=False``
    only when no byte of the request can have reached the server. Any function
    ``(request, timeout) -> HttpResponse`` is one; a transport that can also
    stream a body is a :class:`StreamingTransport`.
    """

    def __call__(self, request: HttpRequest, timeout: float, /) -> HttpResponse:
        """Send ``request``; read its whole response within ``timeout`` seconds."""
        ...


def content_type_of(headers: Mapping[str, str]) -> str:
    """The Content-Type of a response ("" for none), read the same way on every path.

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


DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


class BodySink(Protocol):
    """Where a streamed response body goes (a download), chunk by chunk.

    ``start`` is called with the status and headers (lower-case names) of
    every response that arrives; it returns True to take the body, which is
    then handed to ``write`` in chunks as it arrives, never held whole.
    Otherwise the body is read as usual, under the size cap. ``finish`` is
    called once the exchange is over and may refuse a body that fell short.
    """

    def start(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Whether to take the body of this response."""
        ...

    def write(self, chunk: bytes) -> None:
        """The next piece of the body."""
        ...

    def finish(self) -> None:
        """The body ended; raise if it is not whole."""
        ...


@dataclass(frozen=True)
class Timeout:
    """Seconds to ``connect``, and to ``read`` the whole response once the request is sent.

    ``read`` is a deadline, not an idle limit, for everything the server
    sends once the request is out: the status line, headers, interim (1xx)
    answers and body. A server that trickles bytes cannot hold a call past
    it. A streamed body (a download) is the exception: each chunk must
    arrive within ``read`` seconds of the one before, and the whole body
    within ``download`` seconds.
    """

    connect: float = 10.0
    read: float = 60.0
    download: float = 3600.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0 and self.download > 0):
            raise ValueError("timeouts must be positive numbers of seconds")

    @classmethod
    def of(cls, value: float | Timeout) -> Timeout:
        """``value`` as a Timeout: a number is used for both limits."""
        return value if isinstance(value, Timeout) else cls(float(value), float(value))


class StreamingTransport(Transport, Protocol):
    """A :class:`Transport` that takes a whole :class:`Timeout` and can stream a body to a sink.

    Which a transport is, the client asks :func:`is_streaming` (it has a
    ``stream`` method): :class:`HttpTransport` is one. It is given the
    client's Timeout where any other transport is given the read seconds, and
    a download's body is streamed through it rather than handed over whole.
    """

    def __call__(self, request: HttpRequest, timeout: float | Timeout, /) -> HttpResponse:
        """Send ``request`` within the limits of ``timeout`` (seconds for both)."""
        ...

    def stream(
        self, request: HttpRequest, timeout: float | Timeout, sink: BodySink, /
    ) -> HttpResponse:
        """Send ``request``; a body ``sink`` takes is written to it in chunks as it arrives."""
        ...


def is_streaming(transport: Transport) -> TypeGuard[StreamingTransport]:
    """Whether ``transport`` is a :class:`StreamingTransport`: it has a ``stream`` method."""
    return callable(getattr(transport, "stream", None))


def send_with(transport: Transport, request: HttpRequest, timeout: Timeout) -> HttpResponse:
    """Send ``request`` once: a streaming transport gets ``timeout``, any other its read seconds."""
    if is_streaming(transport):
        return transport(request, timeout)
    return transport(request, timeout.read)


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


class HttpTransport:
    """The default transport: one ``http.client`` connection per request, no redirects.

    It connects before sending anything, so a failure to connect is a
    :class:`TransportError` with ``request_sent=False``; any failure once the
    request began to go out has ``request_sent=True``. The whole response,
    from its status line on, is read against the read deadline; interim
    (1xx) answers are skipped, and the body is refused past
    ``max_response_bytes`` (:class:`ResponseTooLargeError`). Proxies come from
    ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` (as ``urllib`` reads them)
    unless ``proxies`` is given; ``{}`` means none.
    """

    def __init__(
        self,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.proxies = proxies

    def __repr__(self) -> str:
        return f"HttpTransport(max_response_bytes={self.max_response_bytes})"

    def __call__(self, request: HttpRequest, timeout: float | Timeout) -> HttpResponse:
        """Send ``request``; every HTTP status, 3xx included, is returned, not raised."""
        return self._send(request, timeout, None)

    def stream(
        self, request: HttpRequest, timeout: float | Timeout, sink: BodySink
    ) -> HttpResponse:
        """Send ``request``; a body ``sink`` takes is written to it in chunks, with no size cap.

        The response returned for a body the sink took has an empty ``body``.
        Each chunk must arrive within the read timeout, and the whole body
        within ``Timeout.download``.
        """
        return self._send(request, timeout, sink)

    def _send(
        self, request: HttpRequest, timeout: float | Timeout, sink: BodySink | None
    ) -> HttpResponse:
        import http.client

        from ._deadline import Clock, read_against

        limits = Timeout.of(timeout)
        try:
            url = urllib.parse.urlsplit(request.url)
            valid = url.scheme in ("http", "https") and bool(url.hostname) and url.port != 0
        except ValueError:  # a port that is no number, or out of range; a broken IPv6 host
            valid = False
        # A key in the query string is part of the URL: the messages show it hidden (and a
        # URL from a redirect is the server's text, shown escaped).
        shown = hide_secret(request.url, request.secret)
        if not valid:
            raise TransportError(f"cannot send to {printable(repr(shown))}", request_sent=False)
        connection, target, extra = self._connection(url, limits.connect)
        where = f"{request.method} {printable(shown)}"
        reply: http.client.HTTPResponse | None = None
        try:
            try:
                connection.connect()
            except (OSError, http.client.HTTPException, UnicodeError) as error:
                # UnicodeError: a host name IDNA cannot encode ("a..b").
                raise TransportError(
                    f"{where}: could not connect: {_reason(error, request.secret)}",
                    request_sent=False,
                ) from None
            try:
                _set_timeout(connection, limits.read)
                connection.request(
                    request.method, target, body=request.body, headers={**request.headers, **extra}
                )
                # From here every byte the server sends, the status line and any interim
                # (1xx) answer included, must arrive before the read deadline.
                clock = Clock(
                    limits.read,
                    f"timed out: no whole response within the {limits.read:g}-second read timeout",
                )
                read_against(connection, clock)
                reply = connection.getresponse()
                headers = _lower(reply.getheaders())
                if sink is not None and sink.start(reply.status, headers):
                    clock.restart(
                        limits.download,
                        f"timed out: the body took over the {limits.download:g}-second "
                        "download timeout",
                        idle=limits.read,
                    )
                    _pour(reply, sink)
                    body = b""
                else:
                    body = self._read(reply, where)
            except ResponseTooLargeError:
                raise
            except (OSError, http.client.HTTPException) as error:
                raise TransportError(
                    f"{where}: failed after the request was sent: {_reason(error, request.secret)}",
                    request_sent=True,
                ) from None
            return HttpResponse(reply.status, headers, body)
        finally:
            # The reply holds the socket open on its own: close it too, not only the connection.
            if reply is not None:
                reply.close()
            connection.close()

    def _connection(
        self, url: urllib.parse.SplitResult, timeout: float
    ) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
        """The connection to open, the request target, and headers the proxy needs."""
        import http.client

        secure = url.scheme == "https"
        host, port = url.hostname or "", url.port or (443 if secure else 80)
        path = _ascii_target(urllib.parse.urlunsplit(("", "", url.path or "/", url.query, "")))
        kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        proxy = self._proxy_for(url.scheme, host)
        if proxy is None:
            return kind(host, port, timeout=timeout), path, {}
        via = urllib.parse.urlsplit(proxy if "//" in proxy else f"http://{proxy}")
        credentials = {}
        if via.username is not None:
            pair = (
                f"{urllib.parse.unquote(via.username)}:{urllib.parse.unquote(via.password or '')}"
            )
            credentials["Proxy-Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        proxy_host, proxy_port = via.hostname or "", via.port or 80
        if secure:
            # CONNECT first: the proxy sees only the host, never the request or its headers.
            connection = kind(proxy_host, proxy_port, timeout=timeout)
            connection.set_tunnel(host, port, headers=credentials)
            return connection, path, {}
        plain = http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
        return plain, _ascii_target(urllib.parse.urlunsplit(url._replace(fragment=""))), credentials

    def _proxy_for(self, scheme: str, host: str) -> str | None:
        if self.proxies is not None:
            return self.proxies.get(scheme)
        import urllib.request

        proxies = urllib.request.getproxies()
        proxy = proxies.get(scheme)
        if proxy is None or urllib.request.proxy_bypass(host):
            return None
        return proxy

    def _read(self, reply: http.client.HTTPResponse, where: str) -> bytes:
        limit = self.max_response_bytes
        declared = reply.getheader("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLargeError(
                f"{where}: the response declares {declared} bytes, over the {limit} allowed",
                limit=limit,
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = reply.read1(_CHUNK_BYTES)
            if not chunk:
                if reply.length:  # read1 returns b"" at a close before Content-Length was reached
                    import http.client

                    raise http.client.IncompleteRead(b"".join(chunks), reply.length)
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise ResponseTooLargeError(
                    f"{where}: the response is over the {limit} bytes allowed", limit=limit
                )
            chunks.append(chunk)


def _ascii_target(target: str) -> str:
    """``target`` with each character HTTP cannot carry in a request line percent-encoded.

    A ``Location`` may hold spaces, controls or non-ASCII text (``http.client``
    reads headers as Latin-1); sent as they are, they would break the request line.
    """
    return "".join(
        c if "!" <= c <= "~" else urllib.parse.quote(c, safe="", errors="replace") for c in target
    )


def _pour(reply: http.client.HTTPResponse, sink: BodySink) -> None:
    """Hand the body to ``sink`` in chunks as they arrive (the clock bounds each read)."""
    while True:
        chunk = reply.read1(_CHUNK_BYTES)
        if not chunk:
            return
        sink.write(chunk)


def stream_with(
    transport: Transport, request: HttpRequest, timeout: Timeout, sink: BodySink
) -> HttpResponse:
    """Send ``request`` with ``transport``, streaming a body ``sink`` takes into it.

    A :class:`StreamingTransport` (such as :class:`HttpTransport`) streams;
    any other transport (``MockTransport``, a plain callable) is called as
    usual and the whole body it returns is handed to the sink at once. Either
    way ``sink.finish()`` ends the exchange.
    """
    if is_streaming(transport):
        streamed = transport.stream(request, timeout, sink)
    else:
        streamed = deliver(transport(request, timeout.read), sink)
    sink.finish()
    return streamed


def deliver(response: HttpResponse, sink: BodySink) -> HttpResponse:
    """Hand a whole ``response`` to ``sink`` if it takes it (the body returned is then empty)."""
    headers = _lower(response.headers.items())
    if not sink.start(response.status_code, headers):
        return response
    if response.body:
        sink.write(response.body)
    return HttpResponse(response.status_code, response.headers, b"")


def _set_timeout(connection: http.client.HTTPConnection, seconds: float) -> None:
    if connection.sock is not None:
        connection.sock.settimeout(seconds)


def _reason(error: BaseException, secret: str) -> str:
    # http.client quotes what the server sent (a bad status line, a proxy's reason phrase),
    # which may echo the key: hidden before printable cuts it, or its start would be left.
    text = printable(hide_secret(str(error), secret))
    # socket.timeout is TimeoutError itself since Python 3.10.
    if isinstance(error, TimeoutError):
        return text or "timed out"
    return text or type(error).__name__


default_transport = HttpTransport()
"""The transport a client uses when given none."""


def urllib_transport(request: HttpRequest, timeout: float) -> HttpResponse:
    """Kept for compatibility: the same as :data:`default_transport` (no automatic redirects)."""
    return default_transport(request, timeout)


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}
