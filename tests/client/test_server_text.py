"""Server text in error messages is shown escaped and bounded: a status line, headers, bodies.

Whatever the server puts in a reason phrase, a ``Location``, a ``Content-Type``,
an error body or a task's status, the message of the error the client raises
holds only printable characters (a terminal escape arrives as the text
``\\x1b``, never as the byte) and stays a few lines long.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elkapi
from codegen.runtime._http import HttpRequest, HttpTransport
from codegen.runtime._printable import SHOWN_CHARACTERS, printable
from codegen.runtime.errors import TransportError
from tests.contract import spec
from tests.support.servers import RawServer

KEY = "sk-text-Hb7Kw2Qz9Lp4"
QUEUED = spec.load().submission().examples("response")["submitted"]
TASK_ID = QUEUED["id"]
# A screen clear, a window title set with its bell, a bidi override, a C1 control (CSI).
HOSTILE = "\x1b[2J\x1b]0;owned\x07\u202e\x9b31m"
LONG = "x" * 20_000
# Error messages join a few pieces of server text, each cut to SHOWN_CHARACTERS.
MESSAGE_BOUND = 4 * SHOWN_CHARACTERS
Servers = Callable[[list[Any]], RawServer]


def assert_shown_safely(message: str) -> None:
    hidden = [c for c in message if not c.isprintable()]
    assert hidden == [], f"unescaped characters {hidden!r} in {message!r}"
    assert len(message) <= MESSAGE_BOUND, len(message)


def client_answering(response: elkapi.HttpResponse, **options: Any) -> elkapi.Client:
    return elkapi.Client(
        KEY, "https://api.test", transport=elkapi.MockTransport(lambda _: response), **options
    )


def json_response(status: int, body: Any, **headers: str) -> elkapi.HttpResponse:
    fields = {"content-type": "application/json", **headers}
    return elkapi.HttpResponse(status, fields, json.dumps(body).encode())


# --- the helper ------------------------------------------------------------------------------


@given(st.text(), st.integers(1, 400))
def test_printable_shows_only_printable_characters_within_its_limit(text: str, limit: int) -> None:
    shown = printable(text, limit)
    assert shown.isprintable() and len(shown) <= limit
    if text.isprintable() and len(text) <= limit:
        assert shown == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a\x1bb", "a\\x1bb"), ("line\nfake", "line\\nfake"), ("\u202e", "\\u202e"), ("é ü", "é ü")],
)
def test_printable_writes_controls_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_cuts_at_a_whole_escape() -> None:
    assert printable("ab\x1bcd", 4) == "ab…"


# --- through the client ----------------------------------------------------------------------


def error_message_of(make_error: Callable[[], object]) -> str:
    with pytest.raises(elkapi.ElkapiError) as raised:
        make_error()
    return str(raised.value)


CASES: dict[str, Callable[[Path], object]] = {
    "error message": lambda _: client_answering(
        json_response(404, {"error": {"message": HOSTILE + LONG, "code": "c"}})
    ).retrieve_video(TASK_ID),
    "error code": lambda _: client_answering(
        json_response(400, {"error": {"message": "no", "code": HOSTILE + LONG}})
    ).retrieve_video(TASK_ID),
    "html body": lambda _: client_answering(
        elkapi.HttpResponse(500, {"content-type": "text/html"}, (HOSTILE + LONG).encode()),
        max_retries=0,
    ).retrieve_video(TASK_ID),
    "location": lambda _: client_answering(
        elkapi.HttpResponse(302, {"location": "/moved" + HOSTILE + LONG}, b"")
    ).create_video_generation(prompt="p"),
    "content type": lambda folder: client_answering(
        elkapi.HttpResponse(200, {"content-type": "application/json" + HOSTILE}, b"{}")
    ).download_video_content(TASK_ID, folder / "video.mp4"),
    "task status": lambda _: client_answering(
        json_response(200, {**QUEUED, "status": HOSTILE + LONG})
    ).wait_for_video(TASK_ID, poll_interval=0.01, timeout=0.05),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_server_text_in_an_error_is_escaped_and_bounded(
    case: Callable[[Path], object], tmp_path: Path
) -> None:
    message = error_message_of(lambda: case(tmp_path))
    assert_shown_safely(message)
    assert "owned" in message  # shown, not dropped


def test_the_api_error_keeps_the_server_message_as_it_came() -> None:
    client = client_answering(json_response(404, {"error": {"message": HOSTILE}}))
    with pytest.raises(elkapi.NotFoundError) as raised:
        client.retrieve_video(TASK_ID)
    assert raised.value.message == HOSTILE and HOSTILE not in str(raised.value)


def test_a_status_line_with_controls_is_shown_escaped(raw_servers: Servers) -> None:
    server = raw_servers([f"HTTP/1.1 OK{HOSTILE}\r\n\r\n".encode("latin-1", "replace")])
    client = elkapi.Client(KEY, server.url, timeout=2, max_retries=0)
    message = error_message_of(lambda: client.retrieve_video(TASK_ID))
    assert_shown_safely(message)
    assert "owned" in message  # shown, not dropped


def test_a_proxy_refusal_with_controls_is_shown_escaped(raw_servers: Servers) -> None:
    proxy = raw_servers([f"HTTP/1.1 403 No{HOSTILE}\r\n\r\n".encode("latin-1", "replace")])
    transport = HttpTransport(proxies={"https": proxy.url})
    request = HttpRequest("GET", "https://api.test/v1/videos/x", {})
    with pytest.raises(TransportError) as raised:
        transport(request, 2)
    assert_shown_safely(str(raised.value))
    assert "403" in str(raised.value) and "\\x1b[2J" in str(raised.value)


def test_a_key_in_a_long_download_error_leaves_no_part_behind_at_the_cut(tmp_path: Path) -> None:
    # The body is cut for the message: the key straddles the cut, and must be hidden first.
    body = b"x" * 190 + KEY.encode() + b" more"
    client = client_answering(elkapi.HttpResponse(404, {"content-type": "text/plain"}, body))
    message = error_message_of(lambda: client.download_video_content(TASK_ID, tmp_path / "v"))
    assert KEY[:6] not in message and "***" in message


def test_a_closed_port_still_reads_plainly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = elkapi.Client(KEY, f"http://127.0.0.1:{port}", timeout=1, max_retries=0)
    message = error_message_of(lambda: client.retrieve_video(TASK_ID))
    assert message.startswith(f"GET http://127.0.0.1:{port}/v1/videos/{TASK_ID}: could not connect")


def test_a_key_echoed_in_a_status_line_leaves_no_part_behind_at_the_cut(
    raw_servers: Servers,
) -> None:
    # The status line is cut for the message; the key straddles the cut.
    line = "HTTP/1.1 " + "x" * (SHOWN_CHARACTERS - 19) + KEY  # the key from character 290
    server = raw_servers([f"{line}\r\n\r\n".encode()])
    client = elkapi.Client(KEY, server.url, timeout=2, max_retries=0)
    message = error_message_of(lambda: client.retrieve_video(TASK_ID))
    assert KEY[:6] not in message and "***" in message


def test_a_key_echoed_in_a_download_content_type_leaves_no_part_behind(tmp_path: Path) -> None:
    # The Content-Type is shown cut to a few dozen characters; the key straddles the cut.
    content_type = "application/json; a=" + "x" * 30 + KEY
    client = client_answering(elkapi.HttpResponse(200, {"content-type": content_type}, b"{}"))
    message = error_message_of(lambda: client.download_video_content(TASK_ID, tmp_path / "v"))
    assert "must be video/mp4" in message and KEY[:6] not in message
