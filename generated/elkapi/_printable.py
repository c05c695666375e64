# Runtime of the generated package: codegen copies this file in unchanged.
r"""Server text as an error message shows it: every character visible, the length bounded.

A status line, a header or a body is whatever the server chose to send. Shown
as it is, a terminal escape (``\x1b[2J``) would rewrite the screen of whoever
reads the error, a line break would fake a log line, and a bidi override
would show text other than what it holds. :func:`printable` is the one place
such text is made safe to show; it imports nothing, so errors stay cheap.
"""

from __future__ import annotations

SHOWN_CHARACTERS = 300
"""How much of one piece of server text a message shows: a sentence or a URL, not a page."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, limit: int | None = SHOWN_CHARACTERS) -> str:
    r"""``text`` with each non-printable character escaped, cut to ``limit`` characters.

    A control, format or separator character other than the space (what
    :meth:`str.isprintable` refuses) is written as a Python escape: ``\n``,
    ``\x1b``, ``\u202e``. Text longer than ``limit`` once escaped is cut at a
    whole character, with ``…`` at the end; a ``limit`` of None keeps it whole.
    """
    if limit is None:
        return "".join(c if c.isprintable() else escape(c) for c in text)
    if len(text) <= limit and text.isprintable():
        return text
    pieces: list[str] = []
    size = 0
    for character in text:
        piece = character if character.isprintable() else escape(character)
        if size + len(piece) > limit:
            break
        pieces.append(piece)
        size += len(piece)
    else:
        return "".join(pieces)
    while pieces and size + 1 > limit:
        size -= len(pieces.pop())
    return "".join(pieces) + "…"


def escape(character: str) -> str:
    r"""The backslash escape of one character, as Python writes it in a literal (``\x1b``)."""
    code = ord(character)
    if character in _NAMED:
        return _NAMED[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
