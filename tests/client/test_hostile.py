"""The generated client against hostile servers: each wait is bounded, whatever they send.

Every server here is on loopback and stops by itself (``HOSTILE_SECONDS``,
far past the one- or two-second timeouts the clients get). Elapsed times are
asserted only as upper bounds with two seconds of slack: a bound that holds
ends each test in a few seconds, one that does not would wait out the server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

import elkapi
from tests.contract import spec
from tests.support.servers import (
    HOSTILE_SECONDS,
    RawServer,
    interim_forever,
    interim_then,
    late,
    reply,
    trickle_head,
)

KEY = "sk-hostile-Qm4Zt8Wx2Rv6"
QUEUED = spec.load().submission().examples("response")["submitted"]
TASK_ID = QUEUED["id"]
SLACK = 2.0
Servers = Callable[[list[Any]], RawServer]

HOSTILE_HEADS = {
    "headers-a-byte-at-a-time": trickle_head,
    "endless-100-continue": interim_forever(100),
    "endless-102-processing": interim_forever(102),
}


def elapsed_since(started: float) -> float:
    return time.monotonic() - started


# --- the read deadline covers the status line, headers and interim answers ---------------------


@pytest.mark.parametrize("head", HOSTILE_HEADS.values(), ids=HOSTILE_HEADS.keys())
def test_a_response_that_never_finishes_its_head_times_out_at_the_read_deadline(
    raw_servers: Servers, head: Any
) -> None:
    server = raw_servers([head])
    client = elkapi.Client(
        KEY, server.url, timeout=elkapi.Timeout(connect=1, read=1), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(elkapi.TransportError) as raised:
        client.retrieve_video(TASK_ID)
    assert elapsed_since(started) < 1 + SLACK < HOSTILE_SECONDS
    assert raised.value.request_sent and "timed out" in str(raised.value)
    assert "1-second read timeout" in str(raised.value)


@pytest.mark.parametrize("head", HOSTILE_HEADS.values(), ids=HOSTILE_HEADS.keys())
def test_the_async_client_has_the_same_read_deadline(raw_servers: Servers, head: Any) -> None:
    server = raw_servers([head])
    client = elkapi.AsyncClient(
        KEY, server.url, timeout=elkapi.Timeout(connect=1, read=1), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(elkapi.TransportError) as raised:
        asyncio.run(client.retrieve_video(TASK_ID))
    assert elapsed_since(started) < 1 + SLACK
    assert "timed out" in str(raised.value)


def test_a_download_whose_head_never_ends_times_out_and_leaves_no_file(
    raw_servers: Servers, tmp_path: Any
) -> None:
    server = raw_servers([trickle_head])
    client = elkapi.Client(
        KEY, server.url, timeout=elkapi.Timeout(connect=1, read=1, download=60), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(elkapi.TransportError, match="timed out"):
        client.download_video_content(TASK_ID, tmp_path / "video.mp4")
    assert elapsed_since(started) < 1 + SLACK
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("status", [102, 103])
def test_interim_answers_before_the_response_are_skipped(raw_servers: Servers, status: int) -> None:
    server = raw_servers([interim_then(3, status, reply(200, QUEUED))])
    task = elkapi.Client(KEY, server.url, timeout=2, max_retries=0).retrieve_video(TASK_ID)
    assert task.id == TASK_ID


def test_a_flood_of_interim_answers_is_refused_without_waiting(raw_servers: Servers) -> None:
    server = raw_servers([interim_then(101, 100, reply(200, QUEUED))])
    client = elkapi.Client(KEY, server.url, timeout=30, max_retries=0)
    with pytest.raises(elkapi.TransportError, match="more than 100 interim"):
        client.retrieve_video(TASK_ID)


# --- a wait ends at its timeout: an attempt in flight, retries and backoff included ----------

WAIT = 1.5


def test_an_attempt_in_flight_is_cut_to_the_time_the_wait_has_left(raw_servers: Servers) -> None:
    server = raw_servers([reply(200, QUEUED), trickle_head])
    client = elkapi.Client(KEY, server.url, timeout=elkapi.Timeout(connect=1, read=30))
    started = time.monotonic()
    with pytest.raises(elkapi.WaitTimeoutError) as raised:
        client.wait_for_video(TASK_ID, poll_interval=0.05, timeout=WAIT)
    assert elapsed_since(started) < WAIT + SLACK
    assert raised.value.last is not None and raised.value.last.status == "queued"
    assert isinstance(raised.value.__cause__, elkapi.TransportError)


def test_retries_and_retry_after_inside_a_wait_end_with_it(raw_servers: Servers) -> None:
    busy = reply(503, {"error": {"message": "busy"}}, {"Retry-After": "5"})
    server = raw_servers([busy])
    client = elkapi.Client(KEY, server.url, timeout=2, max_retries=3)
    started = time.monotonic()
    with pytest.raises(elkapi.WaitTimeoutError) as raised:
        client.wait_for_video(TASK_ID, poll_interval=0.05, timeout=WAIT)
    assert elapsed_since(started) < WAIT + SLACK
    assert isinstance(raised.value.__cause__, elkapi.ServerError)


def test_the_async_wait_ends_at_its_timeout_too(raw_servers: Servers) -> None:
    server = raw_servers([reply(200, QUEUED), trickle_head])
    client = elkapi.AsyncClient(KEY, server.url, timeout=elkapi.Timeout(connect=1, read=30))
    started = time.monotonic()
    with pytest.raises(elkapi.WaitTimeoutError):
        asyncio.run(client.wait_for_video(TASK_ID, poll_interval=0.05, timeout=WAIT))
    assert elapsed_since(started) < WAIT + SLACK


def test_a_call_after_a_wait_has_the_whole_client_timeout_again(raw_servers: Servers) -> None:
    server = raw_servers([reply(200, QUEUED), late(1, reply(200, QUEUED))])
    client = elkapi.Client(KEY, server.url, timeout=elkapi.Timeout(connect=1, read=5))
    with pytest.raises(elkapi.WaitTimeoutError):
        client.wait_for_video(TASK_ID, poll_interval=0.05, timeout=0.3)
    # The answer comes a second late: a client still cut to the wait's end would give up.
    assert client.retrieve_video(TASK_ID).id == TASK_ID
