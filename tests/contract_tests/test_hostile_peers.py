"""The mock and the conformance runner against hostile peers on loopback.

A hostile server costs the runner one rule, never the run or the machine,
and never the key; a hostile client cannot hold the mock. Every server here
stops by itself (``hostile.LIFETIME``), and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract import conformance
from tests.contract.mock import MockApi, serve
from tests.contract.runner import NoAnswer, Target
from tests.contract.server import QuickServer
from tests.contract.spec import ROOT
from tests.support import hostile_peers as hostile
from tests.support.conformance_runs import run_conformance
from tests.support.hostile_peers import RawServer

SECRET = "sk-live-" + "9d" * 16
# Two probes that each send one request of their own: the run must judge both.
RULES = ("json.malformed", "auth.wrong-token.downloadVideoContent")
SUBMIT = "/v1/video/generations"


@pytest.fixture
def servers() -> Iterator[list[RawServer]]:
    """The raw servers a test starts, stopped after it."""
    started: list[RawServer] = []
    yield started
    for server in started:
        server.stop()


def start(
    servers: list[RawServer], behaviour: hostile.Behaviour, *, passes_key_check: bool = True
) -> RawServer:
    server = RawServer(behaviour, passes_key_check)
    servers.append(server)
    return server


def suite(
    target: Target, tmp_path: Path, rules: tuple[str, ...] = RULES
) -> tuple[int, list[str], list[str], ET.Element, float]:
    """Run the selected rules in-process: status, stdout, stderr, the JUnit root, seconds."""
    started = time.monotonic()
    run = run_conformance(target, tmp_path, rules=rules, errors_apart=True)
    elapsed = time.monotonic() - started
    return run.status, run.out, run.err, run.junit(), elapsed


def verdicts(junit: ET.Element) -> dict[str, tuple[str, str]]:
    """Rule id -> (fail / skip / pass, the reason given)."""
    found = {}
    for case in junit.iter("testcase"):
        for kind in ("failure", "skipped"):
            element = case.find(kind)
            if element is not None:
                found[case.attrib["name"]] = (kind, element.attrib.get("message", ""))
                break
        else:
            found[case.attrib["name"]] = ("pass", "")
    return found


# The runner against hostile servers.


def test_a_redirect_to_another_origin_is_judged_not_followed_and_gets_no_key(
    servers: list[RawServer], tmp_path: Path
) -> None:
    elsewhere = start(servers, lambda client, head: hostile.answer(client, 200, b"{}"))
    redirecting = start(servers, hostile.redirect(elsewhere.url), passes_key_check=False)
    status, out, err, junit, _ = suite(Target(redirecting.url, SECRET, 5), tmp_path)
    assert elsewhere.heads == [], "the other origin got a request (and perhaps the key)"
    assert len(redirecting.heads) >= 1 + len(RULES), "every rule sent its own request"
    found = verdicts(junit)
    assert set(found) == set(RULES) and status == conformance.FAILED
    for rule in RULES:
        kind, reason = found[rule]
        assert kind == "failure" and "HTTP 307" in reason, (rule, reason)
    assert SECRET not in "\n".join(out + err) + ET.tostring(junit, encoding="unicode")


def test_an_endless_body_is_cut_at_the_cap_and_fails_the_rule_that_asked(
    servers: list[RawServer], tmp_path: Path
) -> None:
    server = start(servers, hostile.endless)
    cap = 1024 * 1024
    target = Target(server.url, SECRET, 5, max_response_bytes=cap)
    status, _out, err, junit, _ = suite(target, tmp_path)
    found = verdicts(junit)
    assert status == conformance.FAILED and err == [], "one rule's answer must not stop the run"
    for rule in RULES:
        kind, reason = found[rule]
        assert kind == "failure", (rule, kind)
        assert f"over the {cap} bytes allowed" in reason and "no answer from " in reason


def test_the_cap_is_a_typed_error_of_the_one_request(servers: list[RawServer]) -> None:
    server = start(servers, hostile.endless)
    target = Target(server.url, SECRET, 5, max_response_bytes=64 * 1024)
    with pytest.raises(NoAnswer, match=r"the answer is over the 65536 bytes allowed") as raised:
        target.send("POST", SUBMIT, b"{}")
    assert raised.value.curl.startswith("curl ") and SECRET not in str(raised.value)
    assert target.requests == 1


def test_a_broken_answer_that_says_timed_out_is_not_blamed_on_the_deadline(
    servers: list[RawServer],
) -> None:
    """A failure is classed by what happened, not by words the server chose to send."""

    def says_timed_out(client: socket.socket, head: hostile.Head) -> None:
        client.sendall(b"HTTP/1.1 abc timed out timeout\r\n\r\n")

    server = start(servers, says_timed_out)
    target = Target(server.url, SECRET, 5, timeout=30.0)
    with pytest.raises(NoAnswer) as raised:
        target.send("POST", SUBMIT, b"{}")
    assert "--request-timeout" not in str(raised.value), raised.value


@pytest.mark.parametrize(
    "behaviour",
    [hostile.slow_headers(0.1), hostile.slow_body(0.1)],
    ids=["trickled status line and headers", "trickled body"],
)
def test_a_trickled_answer_fails_the_rule_at_the_request_deadline(
    servers: list[RawServer], tmp_path: Path, behaviour: hostile.Behaviour
) -> None:
    server = start(servers, behaviour)
    target = Target(server.url, SECRET, 5, timeout=1.0)
    status, _out, err, junit, elapsed = suite(target, tmp_path)
    found = verdicts(junit)
    assert status == conformance.FAILED and err == [], err
    for rule in RULES:
        kind, reason = found[rule]
        assert kind == "failure" and "1s deadline" in reason, (rule, reason)
    # One second per rule, and generous slack for a loaded machine: far below the
    # 20 s the server would trickle for.
    assert elapsed < 10, f"took {elapsed:.1f}s"


def test_a_hang_up_after_the_key_check_fails_the_rule_not_the_run(
    servers: list[RawServer], tmp_path: Path
) -> None:
    server = start(servers, hostile.hang_up)
    status, _out, err, junit, _ = suite(Target(server.url, SECRET, 5), tmp_path)
    found = verdicts(junit)
    assert status == conformance.FAILED and err == []
    assert {rule: kind for rule, (kind, _) in found.items()} == dict.fromkeys(RULES, "failure")
    assert all("no answer from" in reason for _, reason in found.values())


def test_the_key_check_unanswered_still_cannot_run(
    servers: list[RawServer], tmp_path: Path
) -> None:
    server = start(servers, hostile.hang_up, passes_key_check=False)
    status, out, err, junit, _ = suite(Target(server.url, SECRET, 5), tmp_path)
    assert status == conformance.CANNOT_RUN and out == []
    assert len(err) == 1 and err[0].startswith("could not run: no answer from GET")
    assert [case.attrib["name"] for case in junit] == ["could-not-run"]


def test_the_run_deadline_stops_the_run_and_the_report_says_why(
    servers: list[RawServer], tmp_path: Path
) -> None:
    server = start(servers, hostile.slow_body(0.1))
    target = Target(server.url, SECRET, 5, timeout=30.0, run_deadline=1.5)
    rules = ("json.malformed", "auth", "poll.unknown-id")
    status, out, err, junit, elapsed = suite(target, tmp_path, rules)
    assert elapsed < 10, f"took {elapsed:.1f}s against a run deadline of 1.5s"
    assert status == conformance.FAILED and err == []
    found = verdicts(junit)
    failed = [rule for rule, (kind, _) in found.items() if kind == "failure"]
    skipped = [rule for rule, (kind, _) in found.items() if kind == "skipped"]
    assert len(failed) == 1, "the rule the deadline cut fails; the rest are skipped"
    assert "the run's deadline of 1.5s passed" in found[failed[0]][1]
    assert "poll.unknown-id" in skipped and len(skipped) == len(found) - 1
    assert all(found[rule][1].startswith("not run: the run's deadline") for rule in skipped)
    assert any(line.startswith("stopped before every rule ran") for line in out)
    assert junit.find("properties/property[@name='stopped']") is not None


def test_the_target_repr_hides_the_key() -> None:
    assert SECRET not in repr(Target("http://127.0.0.1:9", SECRET, 5))


# The mock against hostile clients.


def _get(url: str, timeout: float = 5.0) -> int:
    """The status of a GET with the mock's key."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {SECRET}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def _raw(url: str, data: bytes, timeout: float = 5.0) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)), timeout=timeout)
    client.sendall(data)
    return client


def _head(method: str, path: str, extra: str = "") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {SECRET}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


def _answer(client: socket.socket) -> bytes:
    data = b""
    while chunk := client.recv(65536):
        data += chunk
    return data


def test_the_mock_answers_others_while_a_client_holds_a_half_sent_request() -> None:
    server = serve(MockApi(api_key=SECRET))
    try:
        url = server.url_for("/").rstrip("/")
        with _raw(url, b"GET /v1/videos/task_x HT"):
            started = time.monotonic()
            # task_not_exist: the mock answered.
            assert _get(url + "/v1/videos/task_unknown") == 400
            assert time.monotonic() - started < 5
    finally:
        server.stop()


def test_the_mock_closes_a_connection_idle_past_its_timeout() -> None:
    server = serve(MockApi(api_key=SECRET), idle_timeout=0.5)
    try:
        url = server.url_for("/").rstrip("/")
        with _raw(url, b"GET /v1/videos/task_x HT", timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(100) == b"", "the half-sent request gets no answer, only closed"
            assert 0.4 < time.monotonic() - started < 5
    finally:
        server.stop()


def test_the_server_closes_a_request_trickled_past_its_whole_deadline() -> None:
    """A byte just inside the idle timeout each time still cannot hold a thread for ever."""
    server = QuickServer(idle_timeout=0.5, request_seconds=1.0)
    server.expect_request(re.compile(".*")).respond_with_data("ok")
    server.start()
    try:
        with socket.create_connection((server.host, server.port), timeout=10) as client:
            started, answer = time.monotonic(), b""
            for byte in b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                if time.monotonic() - started > 8:
                    break
                try:
                    client.sendall(bytes([byte]))
                    time.sleep(0.2)
                except OSError:  # closed by the server: what the test waits for
                    break
            with contextlib.suppress(OSError):
                answer = client.recv(100)
            assert b"ok" not in answer
            assert time.monotonic() - started < 5, "closed near the 1 s deadline, not held"
    finally:
        server.stop()


def test_the_mock_refuses_a_huge_body_without_reading_it() -> None:
    server = serve(MockApi(api_key=SECRET))
    try:
        url = server.url_for("/").rstrip("/")
        # 100 MB announced, not a byte of it sent: the answer comes anyway.
        with _raw(url, _head("POST", SUBMIT, "Content-Length: 100000000\r\n")) as client:
            started = time.monotonic()
            answer = _answer(client)
            assert time.monotonic() - started < 5
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line.split()[1] == b"413", status_line
        error = json.loads(rest.partition(b"\r\n\r\n")[2])
        assert "100000000 bytes is over the 1048576 bytes allowed" in json.dumps(error)
    finally:
        server.stop()


def test_the_mock_refuses_a_chunked_body_once_past_the_cap() -> None:
    server = serve(MockApi(api_key=SECRET), max_body_bytes=1000)
    try:
        url = server.url_for("/").rstrip("/")
        chunk = b"x" * 600
        framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        body = framed * 2 + b"0\r\n\r\n"
        with _raw(url, _head("POST", SUBMIT, "Transfer-Encoding: chunked\r\n") + body) as client:
            answer = _answer(client)
        assert answer.split(b"\r\n", 1)[0].split()[1] == b"413"
    finally:
        server.stop()


def test_the_mock_cuts_a_body_that_never_arrives_at_the_idle_timeout() -> None:
    server = serve(MockApi(api_key=SECRET), idle_timeout=0.5)
    try:
        url = server.url_for("/").rstrip("/")
        head = _head("POST", SUBMIT, "Content-Length: 100\r\n") + b'{"mod'
        with _raw(url, head, timeout=10) as client:
            started = time.monotonic()
            answer = _answer(client)
            assert time.monotonic() - started < 5
        assert answer.split(b"\r\n", 1)[0].split()[1] == b"408"
        assert b"request body not sent within 0.5s" in answer
    finally:
        server.stop()


def test_concurrent_clients_each_get_a_task_of_their_own() -> None:
    api = MockApi(api_key=SECRET)
    server = serve(api)
    body = json.dumps({"model": "doubao-seedance-2-0-260128", "prompt": "p"}).encode()
    ids: list[str] = []
    try:
        url = server.url_for("/").rstrip("/")

        def submit() -> None:
            for _ in range(5):
                request = urllib.request.Request(
                    url + SUBMIT,
                    body,
                    {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as answer:
                    ids.append(json.loads(answer.read())["id"])

        threads = [threading.Thread(target=submit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        server.stop()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert set(api.tasks) == set(ids) and len(api.upstream_log) == 40


# The command line's limits.


@pytest.mark.slow
def test_the_command_line_limits_reach_the_run(servers: list[RawServer], tmp_path: Path) -> None:
    server = start(servers, hostile.slow_headers(0.1))
    env = {k: v for k, v in os.environ.items() if k != "ELKAPI_API_KEY"}
    env["ELKAPI_API_KEY"] = SECRET
    limits = ["--request-timeout", "1", "--deadline", "30", "--max-response-bytes", "4096"]
    command = [sys.executable, "-m", "tests.contract.conformance", "--base-url", server.url]
    started = time.monotonic()
    result = subprocess.run(
        [*command, "--rules", "json.malformed", *limits, "--report", str(tmp_path / "r.xml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == conformance.FAILED, result.stderr
    assert time.monotonic() - started < 20
    assert "1-second read timeout (the 1s deadline, --request-timeout)" in result.stdout
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--deadline", "0"),
        ("--deadline", "soon"),
        ("--request-timeout", "-1"),
        ("--request-timeout", "inf"),
        ("--max-response-bytes", "0"),
        ("--max-response-bytes", "1.5"),
    ],
)
def test_a_bad_limit_is_refused_in_one_line_naming_the_option_and_value(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        conformance.main([option, value, "--list"])
    assert exited.value.code == conformance.CANNOT_RUN
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert option in error and value in error, error
    # The rule broken, not merely an option argparse does not know.
    assert "must be positive" in error or "is not a" in error, error


def test_the_mock_answers_503_past_its_connection_cap() -> None:
    server = QuickServer(max_connections=1)
    server.expect_request(re.compile(".*")).respond_with_data("ok")
    server.start()
    try:
        url = server.url_for("/").rstrip("/")
        with _raw(url, b"GET / HT"):
            # Once the server has taken the first connection, the one slot is gone.
            deadline, busy = time.monotonic() + 5, b""
            while not busy.startswith(b"HTTP/1.1 503 ") and time.monotonic() < deadline:
                with _raw(url, b"GET / HTTP/1.1\r\nHost: mock\r\n\r\n") as second:
                    busy = _answer(second)
            assert busy.startswith(b"HTTP/1.1 503 "), busy
        # The slot is free again once the first connection is gone (and its thread ended:
        # a thread releases its slot just after its answer went out, hence the retries).
        deadline = time.monotonic() + 5
        while (status := _get(url + "/")) != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status == 200
    finally:
        server.stop()
