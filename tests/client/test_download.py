"""Downloads: a binary response streamed to a file, whole or not at all.

Against the mock (the task's file once it completed, JSON errors before) and
against loopback servers that cut the body short, fail and recover, redirect
to another origin, or send far more than the response size cap.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import socket
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import elkapi
from tests.contract.mock import MockApi, fake_file
from tests.support.keys import API_KEY
from tests.support.servers import RawServer, reply

KEY = "sk-download-0123456789"
TASK_ID = "task_abc123"
CONTENT_PATH = f"/v1/videos/{TASK_ID}/content"
VIDEO = fake_file(TASK_ID, 200_000)


def no_sleep(seconds: float) -> None:
    """Retries wait for nothing here."""


def completed_task(client: elkapi.Client) -> str:
    task = client.create_video_generation(prompt="A kitten yawns", seconds="5")
    done = client.wait_for_video(task.id, poll_interval=0.01)
    assert done.status == "completed"
    return done.id


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def video_reply(data: bytes = VIDEO, **headers: str) -> bytes:
    return reply(200, data, {"Content-Type": "video/mp4", **headers})


# --- against the mock ---------------------------------------------------------------------


def test_a_completed_video_streams_to_a_path(
    client: elkapi.Client, mock_api: MockApi, tmp_path: Path
) -> None:
    task_id = completed_task(client)
    seen: list[tuple[int, int | None]] = []
    target = tmp_path / "out.mp4"
    result = client.download_video_content(
        task_id, target, on_progress=lambda got, total: seen.append((got, total))
    )
    expected = fake_file(task_id, mock_api.download_bytes)
    assert result.path == target and target.read_bytes() == expected
    assert result.size == len(expected) and result.content_type == "video/mp4"
    assert result.status_code == 200 and result.attempts == 1
    assert seen[0] == (0, len(expected)) and seen[-1] == (len(expected), len(expected))
    assert [got for got, _ in seen] == sorted(got for got, _ in seen)
    assert leftovers(tmp_path) == ["out.mp4"]


def test_a_download_to_a_file_object_writes_from_where_it_stands(
    client: elkapi.Client, mock_api: MockApi
) -> None:
    task_id = completed_task(client)
    buffer = io.BytesIO()
    buffer.write(b"header:")
    result = client.download_video_content(task_id, buffer)
    assert result.path is None
    assert buffer.getvalue() == b"header:" + fake_file(task_id, mock_api.download_bytes)


def test_a_pending_task_is_refused_with_the_gateway_error_and_no_file(
    client: elkapi.Client, tmp_path: Path
) -> None:
    task = client.create_video_generation(prompt="A kitten yawns")
    with pytest.raises(elkapi.BadRequestError) as raised:
        client.download_video_content(task.id, tmp_path / "out.mp4")
    assert raised.value.message == "Task is not completed yet, current status: QUEUED"
    assert raised.value.attempts == 1
    with pytest.raises(elkapi.NotFoundError, match="Task not found"):
        client.download_video_content("task_nope", tmp_path / "out.mp4")
    assert leftovers(tmp_path) == []


def test_the_request_asks_for_the_documented_media_types(client: elkapi.Client) -> None:
    request = elkapi.build_download_video_content(api_key=KEY, task_id=TASK_ID)
    assert request.method == "GET" and request.url.endswith(CONTENT_PATH)
    assert request.headers["Accept"] == "video/mp4, application/octet-stream, application/json"
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_the_async_client_downloads_from_the_mock(
    client: elkapi.Client, base_url: str, mock_api: MockApi, tmp_path: Path
) -> None:
    task_id = completed_task(client)
    seen: list[int] = []

    async def run() -> elkapi.DownloadResult:
        async_client = elkapi.AsyncClient(api_key=API_KEY, base_url=base_url, timeout=10)
        return await async_client.download_video_content(
            task_id, tmp_path / "async.mp4", on_progress=lambda got, total: seen.append(got)
        )

    result = asyncio.run(run())
    assert (tmp_path / "async.mp4").read_bytes() == fake_file(task_id, mock_api.download_bytes)
    assert result.size == seen[-1] == mock_api.download_bytes
    assert leftovers(tmp_path) == ["async.mp4"]


def test_the_async_client_hands_whole_bodies_from_other_transports_to_the_file(
    tmp_path: Path,
) -> None:
    transport = elkapi.MockTransport(
        lambda request: elkapi.HttpResponse(200, {"Content-Type": "video/mp4"}, VIDEO)
    )

    async def run() -> elkapi.DownloadResult:
        async_client = elkapi.AsyncClient(api_key=KEY, transport=transport)
        return await async_client.download_video_content(TASK_ID, tmp_path / "v.mp4")

    assert asyncio.run(run()).size == len(VIDEO)
    assert (tmp_path / "v.mp4").read_bytes() == VIDEO


# --- a body that is not whole -------------------------------------------------------------


def test_a_body_shorter_than_its_content_length_is_a_typed_error_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    short = video_reply(VIDEO, **{"Content-Length": str(len(VIDEO) + 1000)})
    server = RawServer([short])
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, timeout=5)
        with pytest.raises(elkapi.IncompleteResponseError) as raised:
            client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    finally:
        server.close()
    error = raised.value
    assert (error.expected, error.received) == (len(VIDEO) + 1000, len(VIDEO))
    assert error.attempts == 3 and len(server.requests) == 3  # a GET: retried, twice
    assert leftovers(tmp_path) == []


def cut_chunked(connection: socket.socket) -> None:
    """A chunked body cut off in the middle of a chunk."""
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"10000\r\n"
        + VIDEO[:30_000]
    )


def test_a_connection_cut_mid_body_leaves_no_file(tmp_path: Path) -> None:
    server = RawServer([cut_chunked])
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, timeout=5, max_retries=0)
        with pytest.raises(elkapi.TransportError) as raised:
            client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    finally:
        server.close()
    assert raised.value.request_sent
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_kept_when_a_download_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"the old video")
    server = RawServer([video_reply(VIDEO[:100], **{"Content-Length": "5000"})])
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, max_retries=0)
        with pytest.raises(elkapi.IncompleteResponseError):
            client.download_video_content(TASK_ID, target)
    finally:
        server.close()
    assert target.read_bytes() == b"the old video" and leftovers(tmp_path) == ["out.mp4"]


def test_a_retry_after_a_cut_and_a_502_starts_the_file_over(tmp_path: Path) -> None:
    cut = video_reply(VIDEO[:50_000], **{"Content-Length": str(len(VIDEO))})
    failed = reply(502, {"error": {"message": "upstream failed", "type": "bad_gateway"}})
    server = RawServer([cut, failed, video_reply()])
    seen: list[int] = []
    buffer = io.BytesIO()
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, max_retries=3)
        to_path = client.download_video_content(
            TASK_ID, tmp_path / "out.mp4", on_progress=lambda got, total: seen.append(got)
        )
        server_two = RawServer([cut, video_reply()])
        try:
            to_buffer = elkapi.Client(KEY, server_two.url, sleep=no_sleep).download_video_content(
                TASK_ID, buffer
            )
        finally:
            server_two.close()
    finally:
        server.close()
    assert to_path.attempts == 3 and (tmp_path / "out.mp4").read_bytes() == VIDEO
    assert seen.count(0) == 2 and seen[-1] == len(VIDEO)  # the second start began at 0
    assert to_buffer.attempts == 2 and buffer.getvalue() == VIDEO
    assert leftovers(tmp_path) == ["out.mp4"]


def test_an_error_status_is_read_like_any_operation_error(tmp_path: Path) -> None:
    failed = reply(502, {"error": {"message": "upstream failed", "type": "bad_gateway"}})
    server = RawServer([failed])
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, max_retries=1)
        with pytest.raises(elkapi.ServerError) as raised:
            client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    finally:
        server.close()
    assert raised.value.message == "upstream failed" and raised.value.type == "bad_gateway"
    assert raised.value.attempts == 2 and leftovers(tmp_path) == []


def test_a_json_body_with_a_2xx_status_is_not_saved_as_the_video(tmp_path: Path) -> None:
    transport = elkapi.MockTransport(
        lambda request: elkapi.HttpResponse(
            200, {"content-type": "application/json"}, json.dumps({"url": "x"}).encode()
        )
    )
    client = elkapi.Client(KEY, transport=transport)
    with pytest.raises(elkapi.ResponseValidationError, match="must be video/mp4"):
        client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    assert leftovers(tmp_path) == []


EMPTY_ANSWERS = {
    "no-content-type": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "video-until-close": b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nConnection: close\r\n\r\n",
}


@pytest.mark.parametrize("answer", EMPTY_ANSWERS.values(), ids=EMPTY_ANSWERS.keys())
def test_an_empty_2xx_body_is_a_typed_error_and_leaves_nothing(
    tmp_path: Path, answer: bytes
) -> None:
    server = RawServer([answer])
    try:
        client = elkapi.Client(KEY, server.url, sleep=no_sleep, timeout=5)
        with pytest.raises(elkapi.ResponseValidationError) as raised:
            client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    finally:
        server.close()
    assert [e.rule for e in raised.value.errors] == ["empty"]
    assert "HTTP 200" in str(raised.value) and "video/mp4" in str(raised.value)
    assert len(server.requests) == 1  # not retried: the spec was broken, not the network
    assert leftovers(tmp_path) == []


def test_an_empty_body_is_refused_for_every_kind_of_download(tmp_path: Path) -> None:
    transport = elkapi.MockTransport(lambda request: elkapi.HttpResponse(200, {}, b""))
    buffer = io.BytesIO(b"kept")
    buffer.seek(4)
    client = elkapi.Client(KEY, transport=transport)
    async_client = elkapi.AsyncClient(KEY, transport=transport)
    attempts: dict[str, Any] = {
        "file object": lambda: client.download_video_content(TASK_ID, buffer),
        "url": lambda: client.download_url("https://cdn.test/v.mp4", tmp_path / "a.mp4"),
        "async": lambda: asyncio.run(
            async_client.download_video_content(TASK_ID, tmp_path / "b.mp4")
        ),
        "parse": lambda: elkapi.parse_download_video_content_response(200, {}, b""),
    }
    for name, attempt in attempts.items():
        with pytest.raises(elkapi.ResponseValidationError, match="must not be empty"):
            attempt()
        assert leftovers(tmp_path) == [] and buffer.getvalue() == b"kept", name


def test_an_html_page_with_a_2xx_status_is_not_saved_as_the_video(tmp_path: Path) -> None:
    page = elkapi.HttpResponse(200, {"content-type": "text/html"}, b"<h1>Sign in</h1>")
    client = elkapi.Client(KEY, transport=elkapi.MockTransport(lambda request: page))
    with pytest.raises(elkapi.ResponseValidationError, match="must be video/mp4"):
        client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    assert leftovers(tmp_path) == []


def test_a_destination_in_no_folder_is_refused_before_sending(tmp_path: Path) -> None:
    transport = elkapi.MockTransport(lambda request: elkapi.HttpResponse(200, {}, VIDEO))
    client = elkapi.Client(KEY, transport=transport)
    with pytest.raises(elkapi.DownloadError, match="no folder"):
        client.download_video_content(TASK_ID, tmp_path / "missing" / "out.mp4")
    assert transport.requests == []


def test_the_whole_body_has_its_own_deadline(tmp_path: Path) -> None:
    def trickle(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        try:
            for _ in range(100):
                connection.sendall(b" ")
                time.sleep(0.02)
        except OSError:
            return

    server = RawServer([trickle])
    try:
        timeout = elkapi.Timeout(connect=1, read=1, download=0.3)
        client = elkapi.Client(KEY, server.url, timeout=timeout, max_retries=0)
        started = time.monotonic()
        with pytest.raises(elkapi.TransportError, match="download timeout"):
            client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    finally:
        server.close()
    assert time.monotonic() - started < 1.5 and leftovers(tmp_path) == []


# --- redirects, other hosts, large files --------------------------------------------------


@pytest.fixture
def other_server() -> Iterator[HTTPServer]:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    yield other
    other.stop()


def test_a_redirect_to_another_origin_does_not_carry_the_key(
    httpserver: HTTPServer, other_server: HTTPServer, tmp_path: Path
) -> None:
    received: list[Request] = []

    def cdn(request: Request) -> Response:
        received.append(request)
        return Response(VIDEO, content_type="video/mp4")

    other_server.expect_request("/videos/v.mp4").respond_with_handler(cdn)
    location = other_server.url_for("/videos/v.mp4")
    httpserver.expect_request(CONTENT_PATH).respond_with_response(
        Response(status=302, headers={"Location": location})
    )
    client = elkapi.Client(KEY, httpserver.url_for("/").rstrip("/"), timeout=5)
    result = client.download_video_content(TASK_ID, tmp_path / "out.mp4")
    assert (tmp_path / "out.mp4").read_bytes() == VIDEO and result.size == len(VIDEO)
    assert len(received) == 1 and "Authorization" not in received[0].headers
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {KEY}"


def test_download_url_sends_no_credentials_anywhere(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/files/v.mp4").respond_with_data(VIDEO, content_type="video/mp4")
    client = elkapi.Client(KEY, httpserver.url_for("/").rstrip("/"), timeout=5)
    result = client.download_url(httpserver.url_for("/files/v.mp4"), tmp_path / "v.mp4")
    assert result.size == len(VIDEO) and (tmp_path / "v.mp4").read_bytes() == VIDEO
    request = httpserver.log[0][0]
    assert "Authorization" not in request.headers
    assert request.headers["User-Agent"].startswith("elkapi/")
    with pytest.raises(elkapi.RequestValidationError, match="http"):
        client.download_url("file:///etc/passwd", tmp_path / "x")


def test_a_file_far_over_the_response_cap_streams_in_bounded_memory(tmp_path: Path) -> None:
    chunk, count = bytes(range(256)) * 256, 320  # 64 KiB x 320 = 20 MiB
    size = len(chunk) * count

    def send(connection: socket.socket) -> None:
        # The same chunk again and again: the server allocates nothing per chunk.
        head = f"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {size}\r\n\r\n"
        connection.sendall(head.encode())
        for _ in range(count):
            connection.sendall(chunk)

    server = RawServer([send])
    client = elkapi.Client(KEY, server.url, timeout=10, max_response_bytes=2**20)
    tracemalloc.start()
    try:
        result = client.download_video_content(TASK_ID, tmp_path / "big.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        server.close()
    assert result.size == size == (tmp_path / "big.mp4").stat().st_size
    digest = hashlib.sha256(chunk * count).hexdigest()
    assert hashlib.sha256((tmp_path / "big.mp4").read_bytes()).hexdigest() == digest
    assert peak < 2 * 2**20, f"peak {peak} bytes"  # the cap (1 MiB) did not apply either


def test_whole_bodies_still_have_the_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_data(
        b"x" * 2048, content_type="application/json"
    )
    client = elkapi.Client(
        KEY, httpserver.url_for("/").rstrip("/"), max_response_bytes=1024, max_retries=0
    )
    with pytest.raises(elkapi.ResponseTooLargeError):
        client.retrieve_video(TASK_ID)


def test_downloads_are_not_on_the_raw_twin(client: elkapi.Client) -> None:
    raw: Any = client.with_raw_response
    assert not hasattr(raw, "download_video_content")
    assert hasattr(raw, "retrieve_video")
