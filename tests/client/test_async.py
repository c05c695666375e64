"""AsyncClient: the same surface and the same decisions as Client, awaited.

The decisions (retries, redirects, waits, secrecy) are written once and
carried out by two drivers; the property test below holds the async driver
to exactly what the blocking one does on the same script of answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import elkapi
from tests.contract import spec
from tests.support.keys import API_KEY

KEY = "sk-async-0123456789"
SPEC = spec.load()
QUEUED = SPEC.submission().examples("response")["submitted"]
STATES = SPEC.retrieval().examples("response")
TASK_ID = QUEUED["id"]
NO_JITTER = elkapi.RetryPolicy(jitter=0)

# One answer of a scripted server: a status (with its headers), or a failed connection.
Answer = tuple[str, int, dict[str, str]]


def _answers() -> st.SearchStrategy[Answer]:
    statuses = st.sampled_from([200, 400, 401, 404, 408, 409, 429, 500, 502, 503, 307])
    headers = st.sampled_from([{}, {"retry-after": "2"}, {"retry-after-ms": "1500"}])
    return st.one_of(
        st.tuples(st.just("status"), statuses, headers),
        st.tuples(st.just("refused"), st.just(0), st.just({})),
        st.tuples(st.just("dropped"), st.just(0), st.just({})),
    )


class Scripted:
    """A transport handler answering from a script (the last answer repeats), counting requests."""

    def __init__(self, script: list[Answer], final: dict[str, Any]) -> None:
        self.script = list(script)
        self.final = final
        self.requests: list[elkapi.HttpRequest] = []

    def __call__(self, request: elkapi.HttpRequest) -> elkapi.HttpResponse:
        self.requests.append(request)
        kind, status, headers = self.script.pop(0) if self.script else ("status", 200, {})
        if kind == "refused":
            raise elkapi.TransportError("connection refused", request_sent=False)
        if kind == "dropped":
            raise elkapi.TransportError("connection reset", request_sent=True)
        body = self.final if status == 200 else {"error": {"message": f"status {status}"}}
        if status == 307:
            headers = {**headers, "location": "https://elsewhere.example.test/x"}
        headers = {**headers, "content-type": "application/json"}
        return elkapi.HttpResponse(status, headers, json.dumps(body).encode())


def outcome(call: Callable[[], Any]) -> tuple[str, str]:
    try:
        result = call()
    except elkapi.ElkapiError as error:
        return type(error).__name__, str(error)
    return "returned", repr(result)


async def async_outcome(call: Callable[[], Awaitable[Any]]) -> tuple[str, str]:
    try:
        result = await call()
    except elkapi.ElkapiError as error:
        return type(error).__name__, str(error)
    return "returned", repr(result)


OPERATIONS: dict[str, tuple[dict[str, Any], Callable[[Any], Any]]] = {
    "create": (QUEUED, lambda c: c.create_video_generation(prompt="a heron")),
    "retrieve": (STATES["completed"], lambda c: c.retrieve_video(TASK_ID)),
    "wait": (
        STATES["completed"],
        lambda c: c.wait_for_video(TASK_ID, poll_interval=0.5, timeout=30),
    ),
    "raw": (QUEUED, lambda c: c.with_raw_response.retrieve_video(TASK_ID)),
}


@given(
    name=st.sampled_from(sorted(OPERATIONS)),
    script=st.lists(_answers(), max_size=5),
    max_retries=st.integers(0, 3),
)
def test_the_async_client_decides_exactly_as_the_blocking_one(
    name: str, script: list[Answer], max_retries: int
) -> None:
    final, operation = OPERATIONS[name]
    blocking_handler, async_handler = Scripted(script, final), Scripted(script, final)
    blocking_sleeps: list[float] = []
    async_sleeps: list[float] = []

    async def async_sleep(seconds: float) -> None:
        async_sleeps.append(seconds)

    options: dict[str, Any] = {"retry": NO_JITTER, "max_retries": max_retries}
    blocking = elkapi.Client(
        KEY,
        transport=elkapi.MockTransport(blocking_handler),
        sleep=blocking_sleeps.append,
        **options,
    )
    awaiting = elkapi.AsyncClient(
        KEY, transport=elkapi.MockTransport(async_handler), sleep=async_sleep, **options
    )
    expected = outcome(lambda: operation(blocking))
    got = asyncio.run(async_outcome(lambda: operation(awaiting)))
    assert got[0] == expected[0]
    if got[0] != "returned":
        assert got[1] == expected[1]
    assert [(r.method, r.url) for r in async_handler.requests] == [
        (r.method, r.url) for r in blocking_handler.requests
    ]
    assert async_sleeps == blocking_sleeps


def test_against_the_mock_it_creates_waits_and_reads_raw_responses(base_url: str) -> None:
    seen: list[elkapi.VideoTask] = []

    async def run() -> tuple[elkapi.VideoTask, elkapi.VideoTask, int]:
        client = elkapi.AsyncClient(API_KEY, base_url, timeout=10)
        task = await client.create_video_generation(prompt="a heron", seconds="5")
        final = await client.wait_for_video(task.id, poll_interval=0.001, on_progress=seen.append)
        raw = await client.with_raw_response.retrieve_video(task.id)
        assert raw.parse() == final
        return task, final, raw.status_code

    task, final, status = asyncio.run(run())
    assert task.status == "queued" and final.id == task.id
    assert final.status == "completed" and final.seconds == "5" and status == 200
    assert seen and seen[-1] == final


def test_a_wrong_key_is_refused_and_never_shown(base_url: str) -> None:
    client = elkapi.AsyncClient("sk-wrong-async-key", base_url)
    with pytest.raises(elkapi.AuthenticationError) as raised:
        asyncio.run(client.retrieve_video("task_x"))
    assert "sk-wrong-async-key" not in str(raised.value) + repr(client)


def test_an_async_transport_is_awaited() -> None:
    awaited: list[str] = []

    async def transport(request: elkapi.HttpRequest, timeout: float) -> elkapi.HttpResponse:
        await asyncio.sleep(0)
        awaited.append(request.url)
        return elkapi.HttpResponse(
            200, {"content-type": "application/json"}, json.dumps(QUEUED).encode()
        )

    client = elkapi.AsyncClient(KEY, "http://h.example.test", transport=transport)
    task = asyncio.run(client.retrieve_video(TASK_ID))
    assert task.id == TASK_ID and awaited == [f"http://h.example.test/v1/videos/{TASK_ID}"]


def test_the_default_transport_leaves_the_event_loop_free(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return Response(json.dumps(QUEUED), content_type="application/json")

    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_handler(slow)
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def run() -> elkapi.VideoTask:
        client = elkapi.AsyncClient(KEY, httpserver.url_for("/").rstrip("/"), timeout=5)
        ticker = asyncio.create_task(tick())
        try:
            return await client.retrieve_video(TASK_ID)
        finally:
            ticker.cancel()

    assert asyncio.run(run()).id == TASK_ID
    assert len(ticks) >= 10, "the loop was blocked while the request was under way"


def test_a_timeout_surfaces_as_a_transport_error(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1)
        return Response(json.dumps(QUEUED), content_type="application/json")

    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_handler(slow)
    client = elkapi.AsyncClient(
        KEY, httpserver.url_for("/").rstrip("/"), timeout=elkapi.Timeout(1, 0.2), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(elkapi.TransportError):
        asyncio.run(client.retrieve_video(TASK_ID))
    assert time.monotonic() - started < 0.9
