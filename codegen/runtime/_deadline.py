# Runtime of the generated package: codegen copies this file in unchanged.
"""Reading a response against a deadline: the status line, headers, interim answers and body.

A socket timeout alone bounds one wait for bytes, not the whole answer: a
server sending a byte a second, or ``100 Continue`` after ``100 Continue``,
never trips it. Here every read from the socket waits only for the time left
(and, while a download streams, for at most an idle limit), so nothing the
server does can hold a call past its deadline. :class:`HttpTransport` imports
this module when it sends, like ``http.client`` itself.
"""

from __future__ import annotations

import http.client
import io
import math
import socket
import time
from typing import Any

MAX_INTERIM_RESPONSES = 100
"""Interim (1xx) answers skipped before the final response; more is a protocol error.

A real server sends one ``100 Continue``, a few ``103 Early Hints`` or a
``102 Processing`` now and then: a hundred is far past any of them.
"""


class Clock:
    """When reading must end (``until``, on ``time.monotonic``) and how long one read may idle."""

    def __init__(self, seconds: float, reason: str) -> None:
        self.until = time.monotonic() + seconds
        self.idle = math.inf
        self.reason = reason

    def restart(self, seconds: float, reason: str, *, idle: float = math.inf) -> None:
        """A new deadline ``seconds`` from now, with each read waiting ``idle`` seconds at most."""
        self.until = time.monotonic() + seconds
        self.idle = idle
        self.reason = reason

    def wait(self) -> float:
        """Seconds the next read may wait; raises TimeoutError once the deadline passed."""
        remaining = self.until - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(self.reason)
        return min(self.idle, remaining)

    def expired(self, waited: float) -> TimeoutError:
        """The error for a read that waited ``waited`` seconds and got nothing."""
        if waited < self.idle:
            return TimeoutError(self.reason)
        return TimeoutError(f"timed out: no byte for {self.idle:g} seconds")


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes, each read given only the time the clock has left."""

    def __init__(self, sock: socket.socket, clock: Clock) -> None:
        super().__init__()
        self._sock = sock
        # makefile, not recv_into directly: the file holds a reference that keeps the
        # socket open after the connection lets go of it (a response with Connection: close).
        self._raw = sock.makefile("rb", buffering=0)
        self._clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        waited = self._clock.wait()
        self._sock.settimeout(waited)
        try:
            return self._raw.readinto(buffer) or 0
        except TimeoutError:
            raise self._clock.expired(waited) from None

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        super().close()


class DeadlineSocket:
    """A connected socket as ``http.client`` reads a response from it: against ``clock``.

    Installed as the connection's ``sock`` once the request is sent, so only
    what reading a response uses is here: ``makefile`` and ``close``.
    """

    def __init__(self, sock: socket.socket, clock: Clock) -> None:
        self._sock = sock
        self.clock = clock

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        """A buffered binary file over the socket whose every read obeys the clock."""
        if mode != "rb":
            raise ValueError(f"a response is read in binary (mode 'rb', not {mode!r})")
        return io.BufferedReader(_DeadlineReader(self._sock, self.clock))

    def close(self) -> None:
        """Close the socket (a response still reading keeps it open until it is done)."""
        self._sock.close()


class FinalResponse(http.client.HTTPResponse):
    """An ``http.client`` response that skips every interim answer, not only ``100 Continue``.

    A ``102 Processing`` or ``103 Early Hints`` is not the answer: taking it for
    one would end the exchange with a status the server never meant as final.
    At most :data:`MAX_INTERIM_RESPONSES` are skipped; ``101`` (a protocol
    switch nobody asked for) is returned as it is.
    """

    _interim = 0

    def _read_status(self) -> tuple[str, int, str]:
        # The one place http.client reads a status line, in every Python this supports;
        # typeshed leaves it out as private.
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            self._interim += 1
            if self._interim > MAX_INTERIM_RESPONSES:
                raise http.client.HTTPException(
                    f"more than {MAX_INTERIM_RESPONSES} interim (1xx) answers before the response"
                )
            # Their headers are read under the usual limits (line length, count) and dropped.
            http.client.parse_headers(self.fp)


def read_against(connection: http.client.HTTPConnection, clock: Clock) -> None:
    """Make ``connection`` read its response against ``clock``, skipping interim answers."""
    connection.sock = DeadlineSocket(connection.sock, clock)
    connection.response_class = FinalResponse
