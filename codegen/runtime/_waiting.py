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
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ._http import Timeout
from ._log import logger
from ._printable import printable
from ._retry import retry_after, transient
from ._steps import Call, Pause, Steps
from .errors import ApiError, Error, WaitTimeoutError

T = TypeVar("T")

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


def polls(
    poll: Callable[[], Any],
    *,
    state: Callable[[T], tuple[object, ...]],
    done: Callable[[T], bool],
    poll_interval: float,
    max_interval: float,
    timeout: float,
    on_progress: Callable[[T], None] | None,
    max_retry_after: float,
    hide: Callable[[str], str],
) -> Steps[T]:
    """Poll until ``done``; transient failures are waited out until the deadline.

    A ``Retry-After`` is honoured up to ``max_retry_after`` seconds; ``hide``
    keeps the key out of the messages.
    """
    # The deadline the client cuts each attempt to, when a wait set one (it always does).
    left = time_left()
    deadline = time.monotonic() + (timeout if left is None else left)
    delay = poll_interval
    seen: tuple[object, ...] | None = None
    last: T | None = None
    failure: Error | None = None
    while True:
        asked: float | None = None
        try:
            current: T = yield Call(poll)
        except Error as error:
            if not transient(error):
                raise
            if isinstance(error, ApiError):
                asked = retry_after(error.headers)
            logger.debug("polling failed (%s); waiting it out", error)
            failure = error
        else:
            last, failure = current, None
            if on_progress is not None and state(current) != seen:
                on_progress(current)
            seen = state(current)
            if done(current):
                return current
        remaining = deadline - time.monotonic()
        if remaining > 0:
            wanted = delay if asked is None else min(asked, max_retry_after)
            yield Pause(min(max(wanted, delay), remaining))
            delay = min(delay * 1.5, max_interval)
            remaining = deadline - time.monotonic()
        if remaining > 0:
            continue
        if failure is not None:
            message = f"no answer after {timeout:g} seconds; last error: {failure}"
            raise WaitTimeoutError(hide(message), last) from failure
        # The state is the server's text: it may echo the key back, or hold controls.
        status = printable(hide(repr(seen[0] if seen else None)))
        raise WaitTimeoutError(f"still {status} after {timeout:g} seconds", last)
