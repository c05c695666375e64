# Runtime of the generated package: codegen copies this file in unchanged.
"""The async client every generated ``AsyncClient`` extends, and its default transport.

It makes the same decisions as the blocking client (they are written once,
in :class:`ClientCore`): only sending, pausing and polling are awaited here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

from ._client import DEFAULT_TIMEOUT, URL_DOWNLOAD, ClientCore, RawResponse, _parse_any
from ._download import Destination, DownloadResult, ProgressCallback
from ._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    HttpRequest,
    HttpResponse,
    HttpTransport,
    Timeout,
    Transport,
    deliver,
    send_with,
    stream_with,
)
from ._operation import OperationSpec
from ._retry import RetryPolicy
from ._steps import Call, Items, Pages, Pause, Steps, Stream
from ._waiting import pause, polls, waiting
from .errors import Error

T = TypeVar("T")
R = TypeVar("R")

# asyncio is imported where a coroutine runs, not here: the blocking Client is defined
# beside AsyncClient, and a program that never awaits should not load the event loop.


async def _sleep(seconds: float) -> None:
    """``asyncio.sleep``: the default way an async client waits."""
    import asyncio

    await asyncio.sleep(seconds)


class AsyncTransport(Protocol):
    """Sends one request with a timeout in seconds, as a coroutine; the rules of ``Transport`` hold.

    Any coroutine function ``(request, timeout) -> HttpResponse`` is one (an
    adapter over ``httpx.AsyncClient``, say); so is a blocking
    :class:`Transport`, which :class:`AsyncClient` runs as it is.
    """

    def __call__(self, request: HttpRequest, timeout: float, /) -> Awaitable[HttpResponse]:
        """Send ``request``; its whole response within ``timeout`` seconds."""
        ...


class ThreadTransport:
    """Runs a blocking transport (by default :class:`HttpTransport`) in a worker thread.

    The event loop stays free while a request is under way. A cancelled call
    stops waiting at once; the thread itself ends at the transport's own
    read deadline.
    """

    def __init__(self, transport: Transport | None = None) -> None:
        self.transport = transport or HttpTransport()

    def __repr__(self) -> str:
        return f"ThreadTransport({self.transport!r})"

    async def __call__(self, request: HttpRequest, timeout: float | Timeout) -> HttpResponse:
        """Send ``request`` in a worker thread and return what the transport returns."""
        import asyncio

        return await asyncio.to_thread(send_with, self.transport, request, Timeout.of(timeout))


class AsyncBaseClient(ClientCore):
    """The async twin of ``BaseClient``: same arguments, same retries, redirects and secrecy.

    ``transport`` is an :data:`AsyncTransport` (for example an adapter over
    ``httpx.AsyncClient``); a plain transport such as ``MockTransport`` is
    also accepted and called directly, so it must not block. The default runs
    :class:`HttpTransport` in a worker thread. ``sleep`` is how the client
    waits (``asyncio.sleep``).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | Timeout = DEFAULT_TIMEOUT,
        transport: AsyncTransport | Transport | None = None,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        strict: bool = False,
        sleep: Callable[[float], Awaitable[None]] = _sleep,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            strict=strict,
        )
        self._transport: AsyncTransport | Transport | ThreadTransport = transport or (
            ThreadTransport(HttpTransport(max_response_bytes=max_response_bytes))
        )
        self._sleep = sleep

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send a built request once with this client's transport and timeout (no retries)."""
        limits = self._timeout_for(request)
        if isinstance(self._transport, ThreadTransport):
            return self._capped(await self._transport(request, limits))
        sent: HttpResponse | Awaitable[HttpResponse] = self._transport(request, limits.read)
        return self._capped(sent if isinstance(sent, HttpResponse) else await sent)

    async def _call(
        self, operation: OperationSpec, request: HttpRequest, parse: Callable[..., T]
    ) -> T:
        """Send with retries and redirects, then parse; errors carry attempts, never the key."""
        raw = await self._raw(operation, request, parse)
        return raw.parse()

    async def _raw(
        self, operation: OperationSpec, request: HttpRequest, parse: Callable[..., T]
    ) -> RawResponse[T]:
        exchanged = await self._drive(self._exchange(operation, request))
        return self._raw_response(operation, request, parse, exchanged)

    async def _download(
        self,
        operation: OperationSpec,
        request: HttpRequest,
        parse: Callable[..., Any],
        destination: Destination,
        on_progress: ProgressCallback | None,
    ) -> DownloadResult:
        """Stream the 2xx body to ``destination`` with retries and redirects; all or nothing.

        With the default transport the body is written (and ``on_progress``
        called) in the worker thread; other transports hand over whole bodies.
        """
        sink = self._sink(operation, destination, on_progress)
        try:
            exchanged = await self._drive(self._exchange(operation, request, sink))
            return self._downloaded(operation, request, parse, sink, exchanged)
        except BaseException:
            sink.abort()
            raise

    async def download_url(
        self,
        url: str,
        destination: Destination,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> DownloadResult:
        """Download any http(s) ``url`` with no credentials at all (see ``Client.download_url``)."""
        request = self._url_request(url)
        return await self._download(URL_DOWNLOAD, request, _parse_any, destination, on_progress)

    async def _stream(self, step: Stream) -> HttpResponse:
        """Stream in the default transport's worker thread; other transports give whole bodies."""
        import asyncio

        if isinstance(self._transport, ThreadTransport):
            limits = self._timeout_for(step.request)
            return await asyncio.to_thread(
                stream_with, self._transport.transport, step.request, limits, step.sink
            )
        streamed = deliver(await self.send(step.request), step.sink)
        step.sink.finish()
        return streamed

    async def _wait(
        self,
        poll: Callable[[], Awaitable[T]],
        *,
        state: Callable[[T], tuple[object, ...]],
        done: Callable[[T], bool],
        poll_interval: float,
        max_interval: float,
        timeout: float,
        on_progress: Callable[[T], None] | None,
    ) -> T:
        """Poll until ``done``; transient failures are waited out until the deadline."""
        steps: Steps[T] = polls(
            poll,
            state=state,
            done=done,
            poll_interval=poll_interval,
            max_interval=max_interval,
            timeout=timeout,
            on_progress=on_progress,
            max_retry_after=self.retry.max_retry_after,
            hide=self._hide,
        )
        with waiting(timeout):
            return await self._drive(steps)

    async def _iterate(self, pages: Pages) -> AsyncIterator[Any]:
        """Carry out a listing, awaiting each page and yielding its items as it comes."""
        reply: Any = None
        while True:
            try:
                step = pages.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(step, Items):
                for item in step.items:
                    yield item
            else:
                reply = await step.function()

    async def _drive(self, steps: Steps[R]) -> R:
        """Carry out ``steps``, awaiting each; a failed step is thrown back into them."""
        reply: Any = None
        failure: Error | None = None
        while True:
            try:
                step = steps.send(reply) if failure is None else steps.throw(failure)
            except StopIteration as stop:
                result: R = stop.value
                return result
            reply, failure = None, None
            try:
                if isinstance(step, Pause):
                    await self._sleep(pause(step.seconds))
                elif isinstance(step, Call):
                    reply = await step.function()
                elif isinstance(step, Stream):
                    reply = await self._stream(step)
                else:
                    reply = await self.send(step)
            except Error as error:
                failure = error
