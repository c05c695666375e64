# Runtime of the generated package: codegen copies this file in unchanged.
"""The retry policy: what may be repeated, how often, and how long to wait between.

What may be repeated depends on whether the operation can start work. One
that cannot (GET, HEAD, OPTIONS, PUT, DELETE, or any the spec marks
``x-idempotent``) is retried on a transport failure, 408, 409, 429 and 5xx.
One that may (POST, PATCH) is retried only when the server certainly did not
start it: the connection failed before any byte was sent, or it answered 429.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from ._operation import OperationSpec
from .errors import ApiError, Error, ResponseTooLargeError, TransportError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to repeat a call that failed in a way that may heal.

    ``max_retries`` retries follow the first attempt. The n-th retry waits
    ``initial_backoff * 2**(n-1)`` seconds, at most ``max_backoff``, less a
    random fraction up to ``jitter`` of it, unless the server said how long
    (``Retry-After`` in seconds or as an HTTP date, or ``retry-after-ms``):
    that is honoured up to ``max_retry_after`` seconds.
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("retry counts and backoffs must not be negative")
        if not 0 <= self.jitter <= 1 or self.max_retry_after < 0:
            raise ValueError("jitter must be from 0 to 1 and max_retry_after not negative")

    def backoff(self, retry: int, fraction: float) -> float:
        """Seconds before retry number ``retry`` (from 1), with ``fraction`` in [0, 1) of jitter."""
        base: float = min(self.max_backoff, self.initial_backoff * 2.0 ** max(retry - 1, 0))
        return base * (1 - self.jitter * fraction)

    def delay(self, retry: int, headers: Mapping[str, str], fraction: float) -> float:
        """Seconds before retry number ``retry``: the server's wish up to the cap, or backoff."""
        asked = retry_after(headers)
        if asked is not None:
            return min(asked, self.max_retry_after)
        return self.backoff(retry, fraction)


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks to wait (``retry-after-ms``, ``Retry-After``), or None."""
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = lowered.get(name)
        if not value:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            if name == "retry-after-ms":
                continue
            import email.utils  # only an HTTP date needs it, and it is slow to import

            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                continue
            seconds = when.timestamp() - (time.time() if now is None else now)
        if seconds == seconds:  # not NaN
            return max(seconds, 0.0)
    return None


def starts_work(operation: OperationSpec) -> bool:
    """Whether a call may start work on the server, so that repeating it could do it twice."""
    return not (operation.idempotent or operation.method.upper() in SAFE_METHODS)


def retry_reason(
    operation: OperationSpec,
    *,
    status_code: int | None = None,
    error: TransportError | None = None,
) -> str | None:
    """Why this outcome of an attempt may be retried, or None when it must not be."""
    repeatable = not starts_work(operation)
    if error is not None:
        if isinstance(error, ResponseTooLargeError):
            return None
        if not error.request_sent:
            return "the connection failed before the request was sent"
        return "the connection failed" if repeatable else None
    if status_code == 429:
        return "HTTP 429 (nothing was started)"
    if repeatable and status_code is not None and (status_code in (408, 409) or status_code >= 500):
        return f"HTTP {status_code}"
    return None


def transient(error: Error) -> bool:
    """Whether a failed poll may succeed later: no connection, 408, 429 or 5xx."""
    if isinstance(error, ResponseTooLargeError):
        return False
    if isinstance(error, TransportError):
        return True
    return isinstance(error, ApiError) and (
        error.status_code in (408, 429) or error.status_code >= 500
    )


def with_max_retries(policy: RetryPolicy, max_retries: int | None) -> RetryPolicy:
    """``policy`` with ``max_retries`` retries (as it is for None)."""
    if max_retries is None:
        return policy
    return RetryPolicy(
        max_retries,
        policy.initial_backoff,
        policy.max_backoff,
        policy.jitter,
        policy.max_retry_after,
    )
