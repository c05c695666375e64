# Runtime of the generated package: codegen copies this file in unchanged.
"""The deadline of a wait under way, which every attempt and pause inside it keeps to.

A waiter (``wait_for_*``) polls with the client's usual calls, each with its
own retries, backoff and timeouts: left alone, one attempt could run its whole
read timeout past the wait's end, and a ``Retry-After`` sleep far past it.
While a wait runs, its deadline is kept here (in a context variable, so each
thread and each asyncio task has its own), and the client cuts every timeout
and pause to the time left.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

from ._http import Timeout

_UNTIL: contextvars.ContextVar[float | None] = contextvars.ContextVar("wait_until", default=None)


@contextlib.contextmanager
def waiting(seconds: float) -> Iterator[None]:
    """Within the block, calls end ``seconds`` from now at the latest (or an outer wait's end)."""
    until = time.monotonic() + seconds
    outer = _UNTIL.get()
    token = _UNTIL.set(until if outer is None else min(until, outer))
    try:
        yield
    finally:
        _UNTIL.reset(token)


def time_left() -> float | None:
    """Seconds until the wait under way ends (0 once it has), or None outside a wait."""
    until = _UNTIL.get()
    return None if until is None else max(until - time.monotonic(), 0.0)


def cut(timeout: Timeout) -> Timeout | None:
    """``timeout`` with no limit past the wait's end; None when the wait has no time left."""
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        return None
    return Timeout(min(timeout.connect, left), min(timeout.read, left), min(timeout.download, left))


def pause(seconds: float) -> float:
    """``seconds``, or the time the wait has left if that is shorter."""
    left = time_left()
    return seconds if left is None else min(seconds, left)
