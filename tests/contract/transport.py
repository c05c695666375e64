"""How the runner sends: the runtime's ``HttpTransport``, held to one deadline per answer.

``HttpTransport`` (``codegen/runtime/_http.py``, spec-independent runtime
code, so the oracle still shares nothing with the generated package) follows
no redirect, refuses a body over its size cap and reads the body against its
read deadline. The status line and headers were bounded only per ``recv``:
a server trickling them a byte at a time could hold a request for ever. So
a watchdog thread also closes the connection of a request still under way
``read`` seconds after it began (connecting included), whatever it waits for.

``send`` returns every HTTP answer as it is (3xx included) and raises
``Unanswered``, with a one-line reason naming the limit, when there is none.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from codegen.runtime._http import HttpRequest, HttpResponse, HttpTransport, Timeout, hide_secret
from codegen.runtime.errors import ResponseTooLargeError, TransportError

CONNECT_SECONDS = 10.0


class Unanswered(Exception):
    """A request got no usable HTTP answer: unreachable, too slow, too large or broken."""


class AnswerTooLarge(Unanswered):
    """The answer's body is over the size cap."""


class AnswerTooSlow(Unanswered):
    """The whole answer did not arrive within the request's deadline."""


@dataclass(eq=False)
class _Guard:
    """One request's deadline, and the connection to close when it passes."""

    deadline: float
    connection: http.client.HTTPConnection | None = None
    done: bool = False
    fired: bool = False

    def fire(self) -> None:
        sock = self.connection.sock if self.connection is not None else None
        if self.done or sock is None:
            return
        self.fired = True
        # shutdown, not close: the transport still owns the socket and closes it itself;
        # an OSError means it was closed meanwhile, the request having ended on its own.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@dataclass(eq=False)
class _Watchdog:
    """One daemon thread that fires each armed guard when its deadline passes."""

    _heap: list[tuple[float, int, _Guard]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)
    _wake: threading.Condition = field(default_factory=threading.Condition)
    _thread: threading.Thread | None = None

    def arm(self, guard: _Guard) -> None:
        """Fire ``guard`` at its deadline unless it is done by then."""
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="runner-watchdog")
                self._thread.daemon = True
                self._thread.start()
            heapq.heappush(self._heap, (guard.deadline, next(self._order), guard))
            if self._heap[0][2] is guard:
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()


_WATCHDOG = _Watchdog()


class GuardedTransport(HttpTransport):
    """``HttpTransport`` whose read deadline covers the whole exchange, headers included.

    A stop-gap until the runtime's own read deadline covers them: it then
    never fires first, and costs one heap entry per request.
    """

    def __init__(self, *, max_response_bytes: int) -> None:
        # Proxies from the environment, as before: a runner behind one still reaches the server.
        super().__init__(max_response_bytes=max_response_bytes)
        self._current = threading.local()

    def __call__(self, request: HttpRequest, timeout: float | Timeout) -> HttpResponse:
        """Send ``request`` as ``HttpTransport`` does; ``Unanswered`` when no answer comes."""
        limits = Timeout.of(timeout)
        guard = _Guard(time.monotonic() + limits.read)
        self._current.guard = guard
        try:
            return super().__call__(request, limits)
        except ResponseTooLargeError as error:
            raise AnswerTooLarge(
                f"the answer is over the {error.limit} bytes allowed (--max-response-bytes)"
            ) from None
        except TransportError as error:
            if guard.fired:
                raise AnswerTooSlow(
                    f"no whole answer within the {limits.read:g}s deadline (--request-timeout)"
                ) from None
            reason = _without_request(str(error), request)
            if "timed out" in reason or "timeout" in reason:
                raise AnswerTooSlow(
                    f"{reason} (the {limits.read:g}s deadline, --request-timeout)"
                ) from None
            raise Unanswered(reason) from None
        finally:
            guard.done = True
            self._current.guard = None

    def _connection(
        self, url: urllib.parse.SplitResult, timeout: float
    ) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
        made = super()._connection(url, timeout)
        guard = getattr(self._current, "guard", None)
        if isinstance(guard, _Guard):
            guard.connection = made[0]
            _WATCHDOG.arm(guard)
        return made


def _without_request(message: str, request: HttpRequest) -> str:
    """The transport's message without the request it names first (the caller names it)."""
    shown = f"{request.method} {hide_secret(request.url, request.secret)}: "
    return message.removeprefix(shown)


def send(
    transport: GuardedTransport,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    *,
    secret: str,
    seconds: float,
) -> HttpResponse:
    """One exchange: connect within ``CONNECT_SECONDS``, the whole answer within ``seconds``."""
    request = HttpRequest(method, url, headers, body, secret=secret)
    return transport(request, Timeout(connect=min(CONNECT_SECONDS, seconds), read=seconds))
