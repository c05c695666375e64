"""Hostile peers on loopback, for the tests of the mock and the runner; each stops by itself.

``RawServer`` answers from raw bytes, so it can do what no well-behaved server
library would: trickle its status line and headers, trickle a body, or hang
up without a word. Every connection it serves ends within ``LIFETIME``
seconds, whatever its client does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# No hostile connection lives longer than this, even against a client that never gives up.
LIFETIME = 20.0
# The most an endless body sends: far over the caps the tests set, small enough for any machine.
ENDLESS_BYTES = 48 * 1024 * 1024
# The largest request head the raw server reads.
HEAD_LIMIT = 64 * 1024
# The key check's request: a GET of an unknown task id, answered at once (it must pass).
KEY_CHECK_PATH = "/v1/videos/task_unknown_"
KEY_CHECK_ANSWER = json.dumps({"code": "task_not_exist", "message": "task_not_exist"}).encode()


@dataclass
class Head:
    """What a client sent before its body: the request line and the headers."""

    method: str
    path: str
    headers: dict[str, str]


# How a connection is answered after its head was read: it writes to the socket.
Behaviour = Callable[[socket.socket, Head], None]


@dataclass
class RawServer:
    """A one-thread-per-connection loopback server whose answers ``behaviour`` writes.

    ``heads`` keeps what each client sent, for the tests to assert on.
    """

    behaviour: Behaviour
    # Whether the key check is answered at once (400, as to an unknown id) or like the rest.
    passes_key_check: bool = True
    heads: list[Head] = field(default_factory=list)
    _listener: socket.socket = field(init=False)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def stop(self) -> None:
        """Stop accepting; connections under way end within ``LIFETIME`` on their own."""
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        started = time.monotonic()
        while not self._stopped.is_set() and time.monotonic() - started < 10 * LIFETIME:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(LIFETIME)
            try:
                head = _read_head(client)
                if head is None:
                    return
                self.heads.append(head)
                rest = head.path.removeprefix(KEY_CHECK_PATH)
                key_check = head.method == "GET" and rest != head.path and "/" not in rest
                if key_check and self.passes_key_check:
                    answer(client, 400, KEY_CHECK_ANSWER)
                else:
                    self.behaviour(client, head)
            except OSError:
                pass  # the client hung up, as a client cut off by its deadline does


def _read_head(client: socket.socket) -> Head | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(4096)
        if not chunk or len(data) > HEAD_LIMIT:
            return None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Head(method, path, headers)


def answer(client: socket.socket, status: int, body: bytes, extra: str = "") -> None:
    """A whole, well-formed JSON answer."""
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    )
    client.sendall(head.encode() + body)


def trickle(data: bytes, every: float) -> Behaviour:
    """Send ``data`` a byte every ``every`` seconds, within ``LIFETIME``, then hang up."""

    def behave(client: socket.socket, head: Head) -> None:
        ends = time.monotonic() + LIFETIME
        for byte in data:
            if time.monotonic() > ends:
                return
            client.sendall(bytes([byte]))
            time.sleep(every)

    return behave


def slow_headers(every: float) -> Behaviour:
    """A status line and headers that never finish arriving: a byte every ``every`` s."""
    return trickle(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000, every)


def slow_body(every: float) -> Behaviour:
    """Whole headers at once, then a JSON body a byte every ``every`` seconds."""

    def behave(client: socket.socket, head: Head) -> None:
        body = b'{"id": "' + b"a" * 10_000 + b'"}'
        client.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        trickle(body, every)(client, head)

    return behave


def hang_up(client: socket.socket, head: Head) -> None:
    """Close the connection without a byte of answer."""
    client.shutdown(socket.SHUT_RDWR)


def endless(client: socket.socket, head: Head) -> None:
    """A 200 whose body has no end in sight (``ENDLESS_BYTES``, ``LIFETIME`` or a hang-up)."""
    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
    piece, ends = b"0," * 32 * 1024, time.monotonic() + LIFETIME
    for _ in range(ENDLESS_BYTES // len(piece)):
        if time.monotonic() > ends:
            return
        client.sendall(piece)


def redirect(to: str) -> Behaviour:
    """A 307 to the same path on the origin ``to``."""

    def behave(client: socket.socket, head: Head) -> None:
        answer(client, 307, b"{}", f"Location: {to}{head.path}\r\n")

    return behave
