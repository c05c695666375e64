# Runtime of the generated package: codegen copies this file in unchanged.
"""Request bodies that are not JSON: multipart/form-data and urlencoded forms.

A multipart body is a :class:`StreamBody`: its parts are kept as pieces
(bytes, or a region of a file) and sent chunk by chunk, so a file given by
its path is read from disk while it goes out, never held whole. Its length
is known before anything is sent (``Content-Length``), and it can be iterated
again (each pass reopens its files): a retry or a redirect sends it again.
"""

from __future__ import annotations

import io
import json
import os
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Union

_CHUNK_BYTES = 64 * 1024
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"

FileSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]
"""What a file field takes: a path, the bytes themselves, or a binary file object."""


@dataclass(frozen=True)
class Upload:
    """A file for a multipart field, with the name and media type to send it under.

    ``source`` is a path (streamed from disk when sent), bytes, or a binary
    file object (a seekable one is streamed from its current position, and
    rewound there to be sent again; any other is read whole when the request
    is built). ``filename`` defaults to the path's last part (``"upload"``
    otherwise); ``content_type`` to a guess from the file name, or
    ``application/octet-stream``.
    """

    source: FileSource
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class _FileRegion:
    """``length`` bytes of a file: a path (opened on each pass) or a file object at ``start``."""

    path: str | None
    handle: IO[bytes] | None
    start: int
    length: int

    def chunks(self) -> Iterator[bytes]:
        if self.path is not None:
            with open(self.path, "rb") as handle:
                yield from _region(handle, self.length, self.path)
        else:
            assert self.handle is not None
            self.handle.seek(self.start)
            yield from _region(self.handle, self.length, "the file object")


def _region(handle: IO[bytes], length: int, name: str) -> Iterator[bytes]:
    left = length
    while left > 0:
        chunk = handle.read(min(_CHUNK_BYTES, left))
        if not chunk:
            raise OSError(f"{name} got shorter while it was being sent")
        left -= len(chunk)
        yield chunk


class StreamBody:
    """A request body sent in chunks; its ``length`` is known before it is sent.

    Iterating it yields the body's bytes in chunks of at most 64 KiB and
    reads files as it goes; it can be iterated more than once. A transport
    that needs the whole body in memory (a test's ``MockTransport`` handler,
    say) calls :meth:`to_bytes`, or ``HttpRequest.content()``.
    """

    def __init__(self, pieces: Sequence[bytes | _FileRegion], content_type: str) -> None:
        self._pieces = tuple(pieces)
        self.content_type = content_type
        self.length = sum(len(p) if isinstance(p, bytes) else p.length for p in self._pieces)

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, bytes):
                for start in range(0, len(piece), _CHUNK_BYTES):
                    yield piece[start : start + _CHUNK_BYTES]
            else:
                yield from piece.chunks()

    def to_bytes(self) -> bytes:
        """The whole body in memory (files included): for tests and transports that need it."""
        return b"".join(self)

    def __repr__(self) -> str:
        return f"StreamBody(content_type={self.content_type!r}, length={self.length})"


def is_file_value(value: object) -> bool:
    """Whether ``value`` is something a file field takes (a ``str`` is a path there)."""
    return isinstance(value, (Upload, str, bytes, bytearray, memoryview, os.PathLike)) or (
        callable(getattr(value, "read", None))
    )


def file_problem(value: object) -> str | None:
    """Why ``value`` cannot be sent as a file, or None when it can."""
    source = value.source if isinstance(value, Upload) else value
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            return f"is not a file that can be read (got {path!r})"
        return None
    if isinstance(source, (bytes, bytearray, memoryview)):
        return None
    if isinstance(source, io.TextIOBase):
        return "must be a file opened in binary mode ('rb'), not text"
    if callable(getattr(source, "read", None)):
        return None
    return f"must be a path, bytes or a binary file object (got {type(source).__name__})"


def multipart_body(fields: Mapping[str, Any], files: frozenset[str]) -> StreamBody:
    """``fields`` as ``multipart/form-data``: file fields (named in ``files``) as file parts.

    A list repeats its field once per item; an object (or a list of objects)
    is one part of JSON text (``application/json``, as OpenAPI says for
    objects); ``true``/``false`` and numbers are their JSON text; a None is
    left out.
    """
    # What secrets.token_hex does, without importing secrets (and hashlib with it) up front.
    boundary = "formboundary" + os.urandom(16).hex()
    pieces: list[bytes | _FileRegion] = []
    for name, value in fields.items():
        items = value if isinstance(value, list) and not _is_objects(value) else [value]
        for item in items:
            if item is None:
                continue
            if name in files and is_file_value(item) and not isinstance(item, dict):
                filename, media, region = _file_part(item)
                head = _disposition(name, filename) + f"Content-Type: {media}\r\n"
                pieces += [f"--{boundary}\r\n{head}\r\n".encode(), region, b"\r\n"]
                continue
            head = _disposition(name, None)
            if isinstance(item, (dict, list)):
                head += "Content-Type: application/json\r\n"
            pieces.append(f"--{boundary}\r\n{head}\r\n".encode() + _text(item).encode() + b"\r\n")
    pieces.append(f"--{boundary}--\r\n".encode())
    merged: list[bytes | _FileRegion] = []
    for piece in pieces:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        else:
            merged.append(piece)
    return StreamBody(merged, f"{MULTIPART}; boundary={boundary}")


def urlencoded_body(fields: Mapping[str, Any]) -> bytes:
    """``fields`` as ``application/x-www-form-urlencoded``: a list repeats its key."""
    pairs = []
    for name, value in fields.items():
        items = value if isinstance(value, list) and not _is_objects(value) else [value]
        pairs += [(name, _text(item)) for item in items if item is not None]
    return urllib.parse.urlencode(pairs).encode("ascii")


def _is_objects(value: list[Any]) -> bool:
    return any(isinstance(item, (dict, list)) for item in value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _quote(text: str) -> str:
    # As browsers write form data: no quote or line break may end the parameter early.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _disposition(name: str, filename: str | None) -> str:
    head = f'Content-Disposition: form-data; name="{_quote(name)}"'
    if filename is not None:
        head += f'; filename="{_quote(filename)}"'
    return head + "\r\n"


def _file_part(value: Any) -> tuple[str, str, bytes | _FileRegion]:
    """The file name, media type and content (bytes, or a region streamed later) of a file."""
    upload = value if isinstance(value, Upload) else Upload(value)
    source = upload.source
    content: bytes | _FileRegion
    default_name = "upload"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        default_name = os.path.basename(path) or default_name
        content = _FileRegion(path, None, 0, os.path.getsize(path))
    elif isinstance(source, (bytes, bytearray, memoryview)):
        content = bytes(source)
    else:
        named = getattr(source, "name", None)
        if isinstance(named, str):
            default_name = os.path.basename(named) or default_name
        content = _handle_content(source)
    filename = upload.filename or default_name
    import mimetypes  # only a file upload needs it, and it reads the system's type tables

    media = upload.content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return filename, media, content


def _handle_content(handle: IO[bytes]) -> bytes | _FileRegion:
    """A seekable file object from its position to its end (streamed); any other read whole."""
    try:
        seekable = handle.seekable()
    except (AttributeError, OSError, ValueError):
        seekable = False
    if not seekable:
        data = handle.read()
        return bytes(data)
    start = handle.tell()
    end = handle.seek(0, os.SEEK_END)
    handle.seek(start)
    return _FileRegion(None, handle, start, end - start)
