# Runtime of the generated package: codegen copies this file in unchanged.
"""What the command line prints: never the API key, never a server's control characters.

Everything the command prints (the JSON result, the URL line, progress, error
messages, a warning logged on the way) is the server's text in part, and a
server may echo the key into any of it. :func:`hidden_from_output` puts a
filter on ``sys.stdout`` and ``sys.stderr`` for the command's run that hides
every form of the key (:func:`secret_forms`, the one list the client's errors
use too), so no output path can forget to. Server text printed for people
goes through :func:`terminal_text` or :func:`json_text` first, so a terminal
escape is shown, not obeyed.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ._printable import printable
from ._secrets import hide_secret


class _Hiding(io.TextIOBase):
    r"""A text stream that writes to ``stream`` with every form of ``secret`` hidden.

    Text is held until a line ends (``\n``, or the ``\r`` of a progress bar)
    or it is flushed, so a key that arrives in two writes is still one key.
    """

    def __init__(self, stream: TextIO, secret: str) -> None:
        super().__init__()
        self._stream = stream
        self._secret = secret
        self._held = ""

    def write(self, text: str) -> int:
        self._held += text
        end = max(self._held.rfind("\n"), self._held.rfind("\r"))
        if end >= 0:
            ready, self._held = self._held[: end + 1], self._held[end + 1 :]
            self._stream.write(hide_secret(ready, self._secret))
        return len(text)

    def flush(self) -> None:
        if self._held:
            self._stream.write(hide_secret(self._held, self._secret))
            self._held = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding


@contextlib.contextmanager
def hidden_from_output(secret: str) -> Iterator[None]:
    """Within the block, nothing written to stdout or stderr shows ``secret``."""
    streams = sys.stdout, sys.stderr
    hiding = _Hiding(sys.stdout, secret), _Hiding(sys.stderr, secret)
    sys.stdout, sys.stderr = hiding
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams
        for stream in hiding:
            stream.flush()


def terminal_text(value: object) -> str:
    """``value`` as text with every control character escaped, whole (a URL is not cut)."""
    return printable(str(value), None)


def json_text(data: Any) -> str:
    r"""``data`` as indented JSON that a terminal shows as it is, and still valid JSON.

    JSON escapes the C0 controls itself; the rest a terminal may act on (DEL,
    the C1 controls such as CSI, bidi overrides) are written as ``\uXXXX``
    escapes too, which any JSON reader decodes back to the same text.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(c if c == "\n" or c.isprintable() else _json_escape(c) for c in text)


def _json_escape(character: str) -> str:
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    # JSON writes a character past the Basic Multilingual Plane as a surrogate pair.
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
