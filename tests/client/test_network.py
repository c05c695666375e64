"""The generated client on a misbehaving network: retries, redirects, waits, timeouts, secrets.

Every server here is on loopback and every sleep is recorded, never slept, so
the exact number of requests each branch makes can be asserted.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import elkapi
from codegen.runtime._client import BaseClient
from codegen.runtime._http import HttpRequest, HttpResponse, MockTransport
from codegen.runtime._operation import ApiSpec, OperationSpec
from codegen.runtime._read import parse_response
from codegen.runtime._retry import RetryPolicy, retry_after
from codegen.runtime._validation import Validator
from codegen.runtime.errors import ServerError
from tests.contract import spec
from tests.support.servers import closed_port, drop, hang, reply, trickle

KEY = "sk-test-0123456789abcdef"
TASK_ID = "task_abc123"
QUEUED = spec.load().submission().examples("response")["submitted"]
POLLED = spec.load().retrieval().examples("response")
CREATE_PATH = "/v1/video/generations"
TASK_PATH = f"/v1/videos/{TASK_ID}"


class Sleeps(list[float]):
    """An injectable sleep that records how long it was asked to wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Script:
    """A pytest-httpserver handler answering from a list (the last answer repeats), counting."""

    def __init__(self, *answers: Response) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def answer(status: int, body: Any = None, **headers: str) -> Response:
    data = json.dumps(body if body is not None else {"error": {"message": f"status {status}"}})
    return Response(data, status=status, headers=headers, content_type="application/json")


def ok(task: dict[str, Any] = QUEUED) -> Response:
    return answer(200, task)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(httpserver: HTTPServer, sleeps: Sleeps) -> Callable[..., elkapi.Client]:
    def make(base_url: str | None = None, **options: Any) -> elkapi.Client:
        options.setdefault("sleep", sleeps)
        options.setdefault("timeout", 5)
        base = base_url or httpserver.url_for("/").rstrip("/")
        return elkapi.Client(KEY, base, **options)

    return make


def serve(httpserver: HTTPServer, path: str, method: str, script: Script) -> Script:
    httpserver.expect_request(path, method=method).respond_with_handler(script)
    return script


# --- the retry table -------------------------------------------------------------------------


def test_failure_1_a_429_on_create_is_retried_after_retry_after(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps
) -> None:
    script = serve(
        httpserver, CREATE_PATH, "POST", Script(answer(429, **{"Retry-After": "1"}), ok())
    )
    task = make_client().create_video_generation(prompt="a heron")
    assert task.id == TASK_ID
    assert len(script.requests) == 2 and sleeps == [1.0]


@pytest.mark.parametrize("status", [408, 409, 500, 502, 503, 504])
def test_a_post_is_not_retried_on_a_status_that_may_have_started_work(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps, status: int
) -> None:
    script = serve(httpserver, CREATE_PATH, "POST", Script(answer(status)))
    with pytest.raises(elkapi.ApiError) as raised:
        make_client().create_video_generation(prompt="p")
    assert raised.value.status_code == status and raised.value.attempts == 1
    assert len(script.requests) == 1 and sleeps == []


def test_a_429_on_post_is_retried_up_to_max_retries(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps
) -> None:
    script = serve(httpserver, CREATE_PATH, "POST", Script(answer(429)))
    with pytest.raises(elkapi.RateLimitError) as raised:
        make_client(max_retries=3).create_video_generation(prompt="p")
    assert len(script.requests) == 4 and raised.value.attempts == 4 and len(sleeps) == 3


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("max_retries", [0, 2, 4])
def test_a_get_is_retried_on_statuses_that_may_heal_up_to_max_retries(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps, status: int, max_retries: int
) -> None:
    script = serve(httpserver, TASK_PATH, "GET", Script(answer(status)))
    with pytest.raises(elkapi.ApiError) as raised:
        make_client(retry=RetryPolicy(max_retries=max_retries)).retrieve_video(TASK_ID)
    assert len(script.requests) == max_retries + 1 == raised.value.attempts
    assert len(sleeps) == max_retries


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_get_is_not_retried_on_errors_that_cannot_heal(
    httpserver: HTTPServer, make_client: Any, status: int
) -> None:
    script = serve(httpserver, TASK_PATH, "GET", Script(answer(status)))
    with pytest.raises(elkapi.ApiError):
        make_client().retrieve_video(TASK_ID)
    assert len(script.requests) == 1


def test_a_get_recovers_when_a_retry_succeeds(httpserver: HTTPServer, make_client: Any) -> None:
    script = serve(httpserver, TASK_PATH, "GET", Script(answer(502), answer(503), ok()))
    assert make_client().retrieve_video(TASK_ID).id == TASK_ID
    assert len(script.requests) == 3


@pytest.mark.parametrize("misbehave", [drop, hang(1.0)], ids=["dropped", "read-timeout"])
def test_a_post_whose_body_went_out_is_sent_exactly_once(
    raw_servers: Any, sleeps: Sleeps, misbehave: Any
) -> None:
    server = raw_servers([misbehave, reply(200, QUEUED)])
    client = elkapi.Client(KEY, server.url, timeout=elkapi.Timeout(1, 0.2), sleep=sleeps)
    with pytest.raises(elkapi.TransportError) as raised:
        client.create_video_generation(prompt="p")
    error = raised.value
    assert len(server.requests) == 1 and sleeps == []
    assert error.request_sent and error.attempts == 1
    assert "may have started" in str(error) and b'"prompt":"p"' in server.requests[0]


@pytest.mark.parametrize("misbehave", [drop, hang(0.5)], ids=["dropped", "read-timeout"])
def test_a_get_is_retried_after_a_dropped_connection_or_timeout(
    raw_servers: Any, sleeps: Sleeps, misbehave: Any
) -> None:
    server = raw_servers([misbehave, reply(200, QUEUED)])
    client = elkapi.Client(KEY, server.url, timeout=elkapi.Timeout(1, 0.2), sleep=sleeps)
    assert client.retrieve_video(TASK_ID).id == TASK_ID
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_a_refused_connection_sends_nothing_and_even_a_post_is_retried(sleeps: Sleeps) -> None:
    client = elkapi.Client(KEY, f"http://127.0.0.1:{closed_port()}", timeout=2, sleep=sleeps)
    with pytest.raises(elkapi.TransportError) as raised:
        client.create_video_generation(prompt="p")
    assert raised.value.request_sent is False and raised.value.attempts == 3 and len(sleeps) == 2
    assert "may have started" not in str(raised.value)


def test_a_post_retried_after_a_refused_connection_reaches_the_server_once(
    raw_servers: Any, sleeps: Sleeps
) -> None:
    server = raw_servers([reply(200, QUEUED)])
    refused = {"left": 1}

    def flaky(request: elkapi.HttpRequest, timeout: float) -> elkapi.HttpResponse:
        if refused["left"]:
            refused["left"] -= 1
            raise elkapi.TransportError("connection refused", request_sent=False)
        return elkapi.default_transport(request, timeout)

    client = elkapi.Client(KEY, server.url, transport=flaky, sleep=sleeps)
    assert client.create_video_generation(prompt="p").id == TASK_ID
    assert len(server.requests) == 1 and len(sleeps) == 1


def test_an_idempotent_operation_is_retried_like_a_get() -> None:
    api = ApiSpec(user_agent="t/1", validator=Validator({}, {}))
    for idempotent, expected in ((True, 3), (False, 1)):
        operation = OperationSpec(api=api, operation_id="put", method="POST", path="/x")
        operation = OperationSpec(**{**operation.__dict__, "idempotent": idempotent})
        transport = MockTransport(lambda request: HttpResponse(503, {}, b""))
        client = BaseClient("k", "http://h", transport=transport, sleep=lambda s: None)
        request = HttpRequest("POST", "http://h/x", {}, b"{}")
        with pytest.raises(ServerError):
            client._call(operation, request, partial(parse_response, operation, dict))
        assert len(transport.requests) == expected


# --- backoff and Retry-After -----------------------------------------------------------------


def test_retry_after_as_an_http_date_is_honoured(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    serve(httpserver, TASK_PATH, "GET", Script(answer(503, **{"Retry-After": when}), ok()))
    make_client().retrieve_video(TASK_ID)
    assert len(sleeps) == 1 and 27 <= sleeps[0] <= 30


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3600"}, 5.0),
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "soon"}, 0.5),
    ],
)
def test_retry_after_is_honoured_up_to_the_cap(
    httpserver: HTTPServer,
    make_client: Any,
    sleeps: Sleeps,
    headers: dict[str, str],
    expected: float,
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(429, **headers), ok()))
    policy = RetryPolicy(max_retry_after=5.0, initial_backoff=0.5, jitter=0)
    make_client(retry=policy).retrieve_video(TASK_ID)
    assert sleeps == [expected]


def test_backoff_doubles_up_to_its_maximum(
    httpserver: HTTPServer, make_client: Any, sleeps: Sleeps
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(502)))
    policy = RetryPolicy(max_retries=5, initial_backoff=0.5, max_backoff=3.0, jitter=0)
    with pytest.raises(elkapi.ServerError):
        make_client(retry=policy).retrieve_video(TASK_ID)
    assert sleeps == [0.5, 1.0, 2.0, 3.0, 3.0]


@given(
    retry=st.integers(1, 40),
    initial=st.floats(0, 10),
    ceiling=st.floats(0, 60),
    jitter=st.floats(0, 1),
    fraction=st.floats(0, 1, exclude_max=True),
)
def test_backoff_stays_within_its_bounds(
    retry: int, initial: float, ceiling: float, jitter: float, fraction: float
) -> None:
    policy = RetryPolicy(initial_backoff=initial, max_backoff=ceiling, jitter=jitter)
    base = min(ceiling, initial * 2.0 ** (retry - 1))
    assert base * (1 - jitter) - 1e-9 <= policy.backoff(retry, fraction) <= base + 1e-9


@given(seconds=st.integers(0, 10**6))
def test_retry_after_reads_seconds_and_dates(seconds: int) -> None:
    assert retry_after({"Retry-After": str(seconds)}) == seconds
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + seconds, usegmt=True)
    assert retry_after({"retry-after": date}, now=now) == pytest.approx(seconds, abs=1)


# --- redirects -------------------------------------------------------------------------------


def test_failure_3_a_redirect_to_another_origin_does_not_carry_the_key(
    httpserver: HTTPServer, make_client: Any
) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        received = serve(other, "/elsewhere", "GET", Script(ok(POLLED["completed"])))
        location = other.url_for("/elsewhere")
        first = serve(httpserver, TASK_PATH, "GET", Script(answer(302, Location=location)))
        task = make_client().retrieve_video(TASK_ID)
    finally:
        other.stop()
    assert task.status == "completed"
    assert first.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert len(received.requests) == 1 and "Authorization" not in received.requests[0].headers


def test_a_redirect_on_the_same_origin_keeps_the_key(
    httpserver: HTTPServer, make_client: Any
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(308, Location="/v1/videos/moved")))
    moved = serve(httpserver, "/v1/videos/moved", "GET", Script(ok()))
    assert make_client().retrieve_video(TASK_ID).id == TASK_ID
    assert moved.requests[0].headers["Authorization"] == f"Bearer {KEY}"


def test_a_redirect_from_https_to_http_is_refused() -> None:
    transport = elkapi.MockTransport(
        lambda request: elkapi.HttpResponse(301, {"location": "http://api.example.test/v1/x"}, b"")
    )
    client = elkapi.Client(KEY, "https://api.example.test", transport=transport)
    with pytest.raises(elkapi.RedirectError) as raised:
        client.retrieve_video(TASK_ID)
    assert raised.value.location == "http://api.example.test/v1/x"
    assert "https to http" in str(raised.value) and len(transport.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_failure_4_a_redirected_post_raises_redirect_error_naming_location(
    httpserver: HTTPServer, make_client: Any, status: int
) -> None:
    target = f"http://elsewhere.test/submit?token={KEY}"
    script = serve(httpserver, CREATE_PATH, "POST", Script(answer(status, Location=target)))
    with pytest.raises(elkapi.RedirectError) as raised:
        make_client().create_video_generation(prompt="p")
    error = raised.value
    assert isinstance(error, elkapi.ElkapiError) and error.status_code == status
    assert "http://elsewhere.test/submit?token=***" in str(error) and KEY not in str(error)
    assert error.location == "http://elsewhere.test/submit?token=***"
    assert len(script.requests) == 1


def test_redirects_stop_after_five_hops(httpserver: HTTPServer, make_client: Any) -> None:
    script = serve(httpserver, TASK_PATH, "GET", Script(answer(302, Location=TASK_PATH)))
    with pytest.raises(elkapi.RedirectError) as raised:
        make_client().retrieve_video(TASK_ID)
    assert "more than 5 redirects" in str(raised.value)
    assert len(script.requests) == 6


def test_a_redirect_without_location_is_an_api_error(
    httpserver: HTTPServer, make_client: Any
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(302)))
    with pytest.raises(elkapi.ApiError) as raised:
        make_client().retrieve_video(TASK_ID)
    assert raised.value.status_code == 302


# --- waiting ---------------------------------------------------------------------------------


def test_failure_2_the_waiter_survives_a_502_and_a_dropped_connection(
    raw_servers: Any, sleeps: Sleeps
) -> None:
    server = raw_servers(
        [
            reply(200, QUEUED),
            reply(502, {"error": {"message": "bad gateway"}}),
            drop,
            reply(200, POLLED["inProgress"]),
            reply(200, POLLED["completed"]),
        ]
    )
    # No retries inside each call: the waiter alone must ride out the failures.
    client = elkapi.Client(KEY, server.url, max_retries=0, sleep=sleeps)
    seen: list[elkapi.VideoTask] = []
    final = client.wait_for_video(TASK_ID, poll_interval=0.01, on_progress=seen.append)
    assert final.status == "completed"
    assert [task.status for task in seen] == ["queued", "in_progress", "completed"]
    assert len(server.requests) == 5 and len(sleeps) == 4


@pytest.mark.parametrize("status", [401, 403, 404, 400])
def test_the_waiter_stops_at_once_on_errors_that_cannot_heal(
    raw_servers: Any, sleeps: Sleeps, status: int
) -> None:
    server = raw_servers([reply(200, QUEUED), reply(status, {"error": {"message": "no"}})])
    client = elkapi.Client(KEY, server.url, sleep=sleeps)
    with pytest.raises(elkapi.ApiError) as raised:
        client.wait_for_video(TASK_ID, poll_interval=0.01, timeout=5)
    assert raised.value.status_code == status
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_the_waiter_gives_up_at_its_deadline_with_the_last_state(raw_servers: Any) -> None:
    server = raw_servers([reply(200, QUEUED), reply(503, {"error": {"message": "busy"}})])
    client = elkapi.Client(KEY, server.url, max_retries=0)
    with pytest.raises(elkapi.WaitTimeoutError) as raised:
        client.wait_for_video(TASK_ID, poll_interval=0.01, timeout=0.2)
    assert raised.value.last is not None and raised.value.last.status == "queued"
    assert isinstance(raised.value.__cause__, elkapi.ServerError)


# --- timeouts and the body cap ---------------------------------------------------------------


def test_a_trickling_server_cannot_hold_a_call_past_the_read_timeout(
    raw_servers: Any, sleeps: Sleeps
) -> None:
    server = raw_servers([trickle])
    client = elkapi.Client(
        KEY, server.url, timeout=elkapi.Timeout(connect=1, read=0.3), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(elkapi.TransportError) as raised:
        client.retrieve_video(TASK_ID)
    assert time.monotonic() - started < 1.5
    assert raised.value.request_sent and "timed out" in str(raised.value)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_body_over_the_cap_is_refused(raw_servers: Any, sleeps: Sleeps, declared: bool) -> None:
    big = b"x" * 5000
    raw = reply(200, big) if declared else b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big
    server = raw_servers([raw])
    client = elkapi.Client(KEY, server.url, max_response_bytes=1024, sleep=sleeps)
    with pytest.raises(elkapi.ResponseTooLargeError) as raised:
        client.retrieve_video(TASK_ID)
    assert raised.value.limit == 1024 and len(server.requests) == 1 and sleeps == []


def test_a_body_within_the_cap_is_read(raw_servers: Any) -> None:
    server = raw_servers(
        [b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + json.dumps(QUEUED).encode()]
    )
    assert elkapi.Client(KEY, server.url).retrieve_video(TASK_ID).id == TASK_ID


# --- the key, path segments, request ids -----------------------------------------------------


def test_failure_5_a_server_echoing_the_key_never_gets_it_shown(
    httpserver: HTTPServer, make_client: Any
) -> None:
    def echo(request: Request) -> Response:
        token = request.headers["Authorization"]
        body = {"error": {"message": f"bad token {token}", "type": token}, "seen": [{"t": token}]}
        return answer(401, body, **{"X-Echo": token, "X-Request-Id": "req-7"})

    httpserver.expect_request(TASK_PATH).respond_with_handler(echo)
    with pytest.raises(elkapi.AuthenticationError) as raised:
        make_client().retrieve_video(TASK_ID)
    error = raised.value
    shown = [str(error), repr(error), error.message, repr(error.body), repr(error.headers)]
    assert all(KEY not in text for text in shown), shown
    assert error.message == "bad token Bearer ***" and error.headers["x-echo"] == "Bearer ***"
    assert error.request_id == "req-7"


def test_a_success_body_echoing_the_key_is_scrubbed_from_validation_errors(
    httpserver: HTTPServer, make_client: Any
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(ok({**QUEUED, "progress": KEY})))
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        make_client().retrieve_video(TASK_ID)
    assert KEY not in str(raised.value) and all(KEY not in str(e) for e in raised.value.errors)


def test_a_status_echoing_the_key_is_kept_but_never_logged(
    httpserver: HTTPServer, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A string status the spec does not list is read leniently and logged as a warning.
    serve(httpserver, TASK_PATH, "GET", Script(ok({**QUEUED, "status": KEY})))
    caplog.set_level(logging.WARNING, logger="elkapi")
    assert make_client().retrieve_video(TASK_ID).status == KEY
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "status" in warnings[0] and "***" in warnings[0]
    assert KEY not in caplog.text


@pytest.mark.parametrize("task_id", [".", ".."])
def test_failure_6_dot_segments_are_refused(task_id: str) -> None:
    transport = elkapi.MockTransport(lambda request: elkapi.HttpResponse(200, {}, b""))
    with pytest.raises(elkapi.RequestValidationError) as raised:
        elkapi.Client(KEY, transport=transport).retrieve_video(task_id)
    assert [(e.path, e.rule) for e in raised.value.errors] == [("task_id", "path-segment")]
    assert transport.requests == []


@given(task_id=st.text(min_size=1).filter(lambda text: text not in (".", "..")))
def test_any_other_task_id_stays_in_its_segment(task_id: str) -> None:
    import urllib.parse

    url = elkapi.build_retrieve_video(api_key=KEY, task_id=task_id).url
    prefix = elkapi.DEFAULT_BASE_URL + "/v1/videos/"
    assert url.startswith(prefix)
    tail = url[len(prefix) :]
    assert "/" not in tail and "?" not in tail and "#" not in tail
    assert urllib.parse.unquote(tail) == task_id


@pytest.mark.parametrize("header", ["X-Request-Id", "X-Oneapi-Request-Id", "Request-Id"])
def test_errors_carry_the_request_id(httpserver: HTTPServer, make_client: Any, header: str) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(404, **{header: "req-42"})))
    with pytest.raises(elkapi.NotFoundError) as raised:
        make_client().retrieve_video(TASK_ID)
    assert raised.value.request_id == "req-42" and raised.value.attempts == 1


# --- raw responses, options, logging ---------------------------------------------------------


def test_raw_responses_give_status_headers_body_and_parse(
    httpserver: HTTPServer, make_client: Any
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(200, QUEUED, **{"X-Request-Id": "r1"})))
    raw = make_client().with_raw_response.retrieve_video(TASK_ID)
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "r1"
    assert raw.request_id == "r1" and json.loads(raw.body) == QUEUED
    assert raw.parse().id == TASK_ID


def test_a_raw_error_response_is_returned_and_raises_on_parse(
    httpserver: HTTPServer, make_client: Any
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(404)))
    raw = make_client().with_raw_response.retrieve_video(TASK_ID)
    assert raw.status_code == 404
    with pytest.raises(elkapi.NotFoundError):
        raw.parse()


def test_with_options_changes_retries_for_one_call(
    httpserver: HTTPServer, make_client: Any
) -> None:
    script = serve(httpserver, TASK_PATH, "GET", Script(answer(503)))
    client = make_client()
    with pytest.raises(elkapi.ServerError):
        client.with_options(max_retries=0).retrieve_video(TASK_ID)
    assert len(script.requests) == 1 and client.retry.max_retries == 2


def test_each_attempt_is_logged_without_the_key(
    httpserver: HTTPServer, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    serve(httpserver, TASK_PATH, "GET", Script(answer(503), ok()))
    caplog.set_level(logging.DEBUG, logger="elkapi")
    make_client().retrieve_video(TASK_ID)
    lines = [r.getMessage() for r in caplog.records if r.name == "elkapi"]
    assert len(lines) == 2
    assert "GET" in lines[0] and TASK_PATH in lines[0] and "HTTP 503" in lines[0]
    assert "retrying: HTTP 503" in lines[0] and "HTTP 200" in lines[1]
    assert all(KEY not in line for line in caplog.text.splitlines())
