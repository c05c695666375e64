# Runtime of the generated package: codegen copies this file in unchanged.
"""The steps a call is made of, which the blocking and the async client carry out alike."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from ._http import BodySink, HttpRequest

R = TypeVar("R")


@dataclass(frozen=True)
class Pause:
    """A step of a call: wait this many seconds before the next."""

    seconds: float


@dataclass(frozen=True)
class Call:
    """A step of a wait: call ``function`` (a poll) and hand back its result or error."""

    function: Callable[[], Any]


@dataclass(frozen=True)
class Stream:
    """A step of a download: send ``request``, streaming a body ``sink`` takes into it."""

    request: HttpRequest
    sink: BodySink


@dataclass(frozen=True)
class Items:
    """A step of a paginated listing: hand these items, one page's, to the caller."""

    items: tuple[Any, ...]


Step = HttpRequest | Stream | Pause | Call
"""What a call asks its driver to do: send a request (or stream one), pause, or poll.

The decisions (what to retry, which redirect to follow, when a wait ends)
are written once as generators of steps; :class:`BaseClient` carries them
out with blocking calls and ``AsyncBaseClient`` with ``await``.
"""


Steps = Generator[Step, Any, R]


Pages = Generator[Call | Items, Any, None]
"""A listing: call for each page (a :class:`RawResponse`), then hand out its :class:`Items`."""
