# Runtime of the generated package: codegen copies this file in unchanged.
"""Binary responses: reading them, and streaming them into a file atomically.

An operation whose success response is not JSON (a video, ``application/
octet-stream``) gets a ``download_*`` client method. The body goes to the
destination in chunks as it arrives; a destination path is written through a
temporary file in the same folder, renamed into place only once the body is
whole, so a failed download (an error status, a cut connection, a body
shorter than its ``Content-Length``) leaves nothing behind. A retry starts
the file over from its first byte.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from ._http import content_type_of
from ._operation import OperationSpec
from ._read import read_api_error
from ._validation import FieldError, show
from .errors import (
    DownloadError,
    IncompleteResponseError,
    ResponseValidationError,
    request_id_of,
)

if TYPE_CHECKING:
    from pathlib import Path

Destination = str | os.PathLike[str] | IO[bytes]
"""Where a download goes: a path (written atomically) or a binary file object open for writing."""

ProgressCallback = Callable[[int, int | None], None]
"""``on_progress(received_bytes, total_bytes)``; ``total_bytes`` is None when not declared."""


@dataclass(frozen=True)
class DownloadResult:
    """What a download wrote: where (``path``; None for a file object), how many bytes, and how.

    ``content_type``, ``status_code`` and ``headers`` are those of the final
    response (after redirects); ``attempts`` counts the attempts it took.
    """

    path: Path | None
    size: int
    content_type: str
    status_code: int
    headers: dict[str, str] = field(repr=False)
    attempts: int

    @property
    def request_id(self) -> str | None:
        """The server's id for the request, when it sent one."""
        return request_id_of(self.headers)


def media_types_for(operation: OperationSpec, status_code: int) -> tuple[str, ...]:
    """The binary media types documented for ``status_code`` (``*/*`` when none are)."""
    for key in (str(status_code), f"{status_code // 100}XX"):
        if key in operation.media_types:
            return operation.media_types[key]
    every = [m for types in operation.media_types.values() for m in types]
    return tuple(dict.fromkeys(every)) or ("*/*",)


def admits(media_types: tuple[str, ...], content_type: str) -> bool:
    """Whether a body of ``content_type`` may be what was documented as ``media_types``.

    Gateways relay whatever type the storage reports (or none), so only the
    telling cases are refused: JSON or HTML (an error, or an error page, in
    disguise) where the spec documents neither for the response.
    """
    given = content_type.split(";")[0].strip().lower()
    for telling in ("json", "html"):
        if telling in given:
            return any(m == "*/*" or telling in m.lower() for m in media_types)
    return True


def may_be_empty(operation: OperationSpec, status_code: int) -> bool:
    """Whether the spec documents ``status_code`` with no content at all (a ``204``, say).

    Any other 2xx of a download documents a body: an empty one is a gateway or
    storage failure, never a video of 0 bytes.
    """
    for key in (str(status_code), f"{status_code // 100}XX"):
        if key in operation.media_types:
            return False
        if key in operation.responses:
            return operation.responses[key] is None
    return False


def empty_body_error(operation: OperationSpec, status_code: int) -> ResponseValidationError:
    """The error for an empty 2xx body where the spec documents one."""
    media = " or ".join(media_types_for(operation, status_code))
    message = f"must not be empty: HTTP {status_code} is documented with a body ({media})"
    return ResponseValidationError(status_code, [FieldError("", "empty", message)])


def parse_binary_response(
    operation: OperationSpec,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
) -> bytes:
    """The body of a 2xx binary response; the documented error (ApiError) otherwise.

    Raises:
        ResponseValidationError: a 2xx response is JSON or HTML where the spec says
            it is not, or empty where the spec documents a body.
        ApiError: an error status (a subclass per status, e.g. NotFoundError).
    """
    if not 200 <= status_code < 300:
        raise read_api_error(operation, status_code, body, headers)
    content_type = content_type_of(headers)
    media = media_types_for(operation, status_code)
    if not admits(media, content_type):
        message = f"must be {' or '.join(media)} (got {show(content_type)})"
        raise ResponseValidationError(status_code, [FieldError("", "content-type", message)])
    if not body and not may_be_empty(operation, status_code):
        raise empty_body_error(operation, status_code)
    return body


class FileSink:
    """A :class:`BodySink` that writes a 2xx body to ``destination``, reporting progress.

    A path is written through a hidden temporary file beside it (so the
    rename is atomic); ``commit`` renames it into place, ``abort`` removes
    it. A file object is written from where it stood; a restart rewinds it
    there, which needs ``seek``.
    """

    def __init__(
        self,
        destination: Destination,
        operation: OperationSpec,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._operation = operation
        self._on_progress = on_progress
        self._file: IO[bytes] | None = None
        self._temporary: Path | None = None
        self.path: Path | None = None
        self._start = 0
        if isinstance(destination, (str, os.PathLike)):
            from pathlib import Path  # only a download to a path needs it

            self.path = Path(os.fspath(destination))
            if self.path.is_dir():
                raise DownloadError(f"{self.path} is a folder, not a file")
            if not self.path.parent.is_dir():
                raise DownloadError(f"no folder {self.path.parent} to write {self.path.name} in")
        else:
            self._file = destination
            self._start = destination.tell() if destination.seekable() else 0
        self.accepted = False
        self.content_type = ""
        self.expected: int | None = None
        self.received = 0
        self._open = False
        self._aborted = False

    def start(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Take the body of a 2xx response that is not JSON in disguise; start the file over."""
        content_type = content_type_of(headers)
        media = media_types_for(self._operation, status_code)
        self.accepted = 200 <= status_code < 300 and admits(media, content_type)
        self._open = self.accepted
        if not self.accepted:
            return False
        self._rewind()
        self.content_type = content_type
        declared = headers.get("content-length", "").strip()
        encoded = headers.get("content-encoding", "identity").lower() not in ("", "identity")
        self.expected = int(declared) if declared.isdigit() and not encoded else None
        self.received = 0
        self._report()
        return True

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` and report progress."""
        if self._aborted or self._file is None:
            raise DownloadError("the download was abandoned")
        try:
            self._file.write(chunk)
        except OSError as error:
            raise DownloadError(f"could not write the download: {error}") from error
        self.received += len(chunk)
        self._report()

    def finish(self) -> None:
        """Refuse a body of another length than its ``Content-Length`` (the connection was cut)."""
        if not self._open:
            return
        self._open = False
        if self.expected is not None and self.received != self.expected:
            raise IncompleteResponseError(
                f"the body ended after {self.received} of the {self.expected} bytes declared",
                expected=self.expected,
                received=self.received,
            )

    def commit(self) -> Path | None:
        """Make the download visible: rename the temporary file into place (paths only)."""
        assert self._file is not None
        try:
            self._file.flush()
            if self.path is not None and self._temporary is not None:
                os.fsync(self._file.fileno())
                self._file.close()
                os.replace(self._temporary, self.path)
                self._temporary = None
        except OSError as error:
            self.abort()
            raise DownloadError(f"could not save the download to {self.path}: {error}") from error
        return self.path

    def abort(self) -> None:
        """Undo: remove the temporary file, or rewind a file object to where it stood."""
        self._aborted = True
        if self.path is None:
            if self._file is not None and self._file.seekable() and self.received:
                try:
                    self._file.seek(self._start)
                    self._file.truncate()
                except OSError:
                    pass
            return
        if self._file is not None:
            self._file.close()
        if self._temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temporary.unlink()
            self._temporary = None

    def _rewind(self) -> None:
        """An empty file to write into: a new temporary file, or the file object rewound."""
        if self.path is not None:
            if self._temporary is None:
                # os.urandom, not secrets: importing secrets (hashlib) would slow every import.
                name = f".{self.path.name}.{os.urandom(4).hex()}.part"
                self._temporary = self.path.with_name(name)
                try:
                    self._file = open(self._temporary, "xb")  # noqa: SIM115
                except OSError as error:
                    self._temporary = None
                    where = self.path.parent
                    raise DownloadError(f"could not write in {where}: {error}") from error
            else:
                assert self._file is not None
                self._file.seek(0)
                self._file.truncate()
            return
        assert self._file is not None
        if self.received == 0:
            return
        if not self._file.seekable():
            raise DownloadError("the download must start over, but the file object cannot seek")
        self._file.seek(self._start)
        self._file.truncate()

    def _report(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.received, self.expected)
