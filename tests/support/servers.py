"""Loopback servers that misbehave like real gateways: dropped connections, trickles, hangs."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

Step = bytes | Callable[[socket.socket], None]


def reply(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> bytes:
    """A raw HTTP/1.1 response; a non-bytes body is sent as JSON."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    fields = {"Content-Type": "application/json", "Content-Length": str(len(data))}
    fields.update(headers or {})
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return f"HTTP/1.1 {status} X\r\n{head}Connection: close\r\n\r\n".encode() + data


def drop(connection: socket.socket) -> None:
    """Read the request, then close without a word."""


def hang(seconds: float) -> Callable[[socket.socket], None]:
    """Read the request, then say nothing for ``seconds``."""
    return lambda connection: time.sleep(seconds)


def trickle(connection: socket.socket) -> None:
    """Promise a body, then send it one byte at a time, slowly."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    try:
        for _ in range(200):
            connection.sendall(b" ")
            time.sleep(0.02)
    except OSError:
        return


HOSTILE_SECONDS = 8.0
"""How long a hostile answer goes on at most: long past any timeout the tests set, then it stops."""


def _for_a_while(connection: socket.socket, piece: bytes, every: float) -> None:
    """Send ``piece`` every ``every`` seconds until the client leaves or HOSTILE_SECONDS pass."""
    stop = time.monotonic() + HOSTILE_SECONDS
    try:
        while time.monotonic() < stop:
            connection.sendall(piece)
            time.sleep(every)
    except OSError:
        return


def late(seconds: float, answer: bytes) -> Callable[[socket.socket], None]:
    """Read the request, say nothing for ``seconds``, then send ``answer``."""

    def send(connection: socket.socket) -> None:
        time.sleep(seconds)
        try:
            connection.sendall(answer)
        except OSError:
            return

    return send


def trickle_head(connection: socket.socket) -> None:
    """Start a response, then send its headers a byte at a time, never ending them."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    _for_a_while(connection, b"a", 0.1)


def interim_forever(status: int) -> Callable[[socket.socket], None]:
    """Send interim answers (``100 Continue``, ``102 Processing``) and never the response."""
    return lambda connection: _for_a_while(
        connection, f"HTTP/1.1 {status} X\r\n\r\n".encode(), 0.05
    )


def interim_then(count: int, status: int, final: bytes) -> bytes:
    """``count`` interim answers of ``status``, each with a header, and then ``final``."""
    return f"HTTP/1.1 {status} X\r\nX-Hint: 1\r\n\r\n".encode() * count + final


class RawServer:
    """Answers each connection with the next step of ``script`` (the last one repeats).

    ``requests`` holds every request received, raw, in order.
    """

    def __init__(self, script: list[Step]) -> None:
        self._script = list(script)
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            step = self._script.pop(0) if len(self._script) > 1 else self._script[0]
            # One thread per connection: a hanging answer must not hold up the next one.
            threading.Thread(target=self._answer, args=(connection, step), daemon=True).start()

    def _answer(self, connection: socket.socket, step: Step) -> None:
        with connection:
            connection.settimeout(5)
            self.requests.append(_read_request(connection))
            if isinstance(step, bytes):
                connection.sendall(step)
            else:
                step(connection)

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
