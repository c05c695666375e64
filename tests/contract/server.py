"""The HTTP server under the mock: pytest-httpserver, made so that no client can hold it.

Connections are served concurrently (a thread each, at most
``MAX_CONNECTIONS`` at once: one more is answered 503 and closed), a
connection that sends nothing for ``idle_timeout`` seconds (none of a request,
half of one, or a body that never arrives), or has not sent its whole request
``REQUEST_SECONDS`` after it connected, is closed, and a body over
``max_body_bytes`` is answered 413 without being read, from its
``Content-Length`` (a chunked body: once it grows past the cap). The body is
read here, before the handler runs, so a handler never waits on a client.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler, make_server

# A client that sends nothing for this long is gone: the mock's own clients send at once.
IDLE_TIMEOUT = 10.0
# A whole request, head and body, within this of connecting: a client trickling a byte
# just inside the idle timeout cannot hold a thread for ever.
REQUEST_SECONDS = 30.0
# The mock's requests are JSON bodies of a few kilobytes: a mebibyte leaves room.
MAX_BODY_BYTES = 1024 * 1024
# Threads at once: far more than the suite or a CLI opens, far fewer than exhaust a machine.
MAX_CONNECTIONS = 128
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

# How a refusal looks: status and message in, a response out (the mock's error shape).
Refusal = Callable[[int, str], Response]


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain")


class QuickServer(HTTPServer):
    """A pytest-httpserver server that stops within milliseconds and bounds every client.

    ``serve_forever`` looks for a shutdown request every half second by default;
    the tests start and stop a server for each conformance run, so that wait
    would be most of their time.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        request_seconds: float = REQUEST_SECONDS,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_connections: int = MAX_CONNECTIONS,
        refuse: Refusal = _plain,
    ) -> None:
        super().__init__(host=host, port=port)
        self.idle_timeout = idle_timeout
        self.request_seconds = request_seconds
        self.max_body_bytes = max_body_bytes
        self.max_connections = max_connections
        self.refuse = refuse

    def start(self) -> None:
        """Start serving in a background thread, each connection in a thread of its own.

        The server is made here rather than by pytest-httpserver so that it gets
        the bounded handler from the start (and werkzeug sets the protocol on
        that class, not on its own handler, which single-threaded servers share).
        """
        if self.is_running():
            raise RuntimeError("the server is already running")
        handler = _bounded_handler(
            self.idle_timeout,
            self.request_seconds,
            threading.BoundedSemaphore(self.max_connections),
        )
        self.server = make_server(
            self.host,
            self.port,
            Request.application(self.application),
            threaded=True,
            request_handler=handler,
        )
        self.port = self.server.port
        self.server_thread = threading.Thread(target=self.thread_target, daemon=True)
        self.server_thread.start()

    def thread_target(self) -> None:
        """Serve until stopped, looking for the stop request every 10 ms."""
        if self.server is not None:
            self.server.serve_forever(poll_interval=0.01)

    def application(self, request: Request) -> Response:
        """Read the body within the cap and the idle timeout, then dispatch.

        Unlike pytest-httpserver's, it keeps no log of the requests: a
        long-running mock would keep every body it was ever sent.
        """
        declared = request.content_length
        if declared is not None and declared > self.max_body_bytes:
            return self._refused(413, f"request body of {declared} bytes")
        # One byte over the cap: werkzeug stops a chunked body at the limit without a word.
        request.max_content_length = self.max_body_bytes + 1
        try:
            if len(request.get_data()) > self.max_body_bytes:
                return self._refused(413, "chunked request body")
        except RequestEntityTooLarge:
            return self._refused(413, "chunked request body")
        except (ClientDisconnected, TimeoutError, ConnectionError):
            # werkzeug reports a read that timed out as a client gone (ClientDisconnected).
            return self._refused(408, f"request body not sent within {self.idle_timeout:g}s")
        return self.dispatch(request)

    def _refused(self, status: int, what: str) -> Response:
        if status == 413:
            what += f" is over the {self.max_body_bytes} bytes allowed"
        return self.refuse(status, what)


def _bounded_handler(
    idle: float, whole: float, slots: threading.BoundedSemaphore
) -> type[WSGIRequestHandler]:
    """werkzeug's request handler: ``idle`` seconds a read, ``whole`` a request, a slot each."""

    class BoundedHandler(WSGIRequestHandler):
        timeout = idle
        # As the mock always spoke: one request per connection, closed after the answer,
        # so no idle keep-alive connection holds a thread.
        protocol_version = "HTTP/1.0"

        def setup(self) -> None:
            super().setup()
            # After the answer, werkzeug reads what is left of the body and throws it
            # away; once a read timed out that read would raise, and log a traceback.
            self.rfile.close()
            self.rfile = io.BufferedReader(_EndsAfterTimeout(self.connection, idle, whole))

        def handle(self) -> None:
            if not slots.acquire(blocking=False):
                with contextlib.suppress(OSError):  # gone already: nothing to tell it
                    self.connection.sendall(_BUSY)
                return
            try:
                super().handle()
            finally:
                slots.release()

    return BoundedHandler


class _EndsAfterTimeout(socket.SocketIO):
    """A socket reader bounded per read (``idle`` seconds) and in all (``whole`` seconds).

    Once a read has timed out, it reads as at the end of the stream.
    """

    timed_out = False

    def __init__(self, sock: socket.socket, idle: float, whole: float) -> None:
        super().__init__(sock, "rb")
        self._sock = sock
        self._idle = idle
        self._until = time.monotonic() + whole

    def readinto(self, b: Any) -> int | None:
        if self.timed_out:
            return 0
        remaining = self._until - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError("the request took too long to arrive")
            self._sock.settimeout(min(self._idle, remaining))
            return super().readinto(b)
        except TimeoutError:
            self.timed_out = True
            raise
