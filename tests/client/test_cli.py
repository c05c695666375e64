"""The command line against a server that echoes the key and sends control characters.

Whatever the server puts in a task, a header or an error, the command's
output (the JSON on stdout, the URL line, progress and errors on stderr)
never shows the key, and shows a terminal escape as text instead of sending
it to the terminal. The JSON stays JSON: decoding it gives the server's
text back, with the key hidden.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import elkapi.__main__
from tests.contract import spec

KEY = "sk-cli-Wq3Zr8Tn5Lm2Xv7"
EXAMPLES = spec.load().retrieval().examples("response")
TASK_ID = EXAMPLES["completed"]["id"]
HOSTILE = "\x1b[2J\u009b31m\u202e"


class Answers:
    """A pytest-httpserver handler answering from a list (the last answer repeats)."""

    def __init__(self, *answers: Response) -> None:
        self.answers = list(answers)

    def __call__(self, request: Request) -> Response:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def task(example: str, **fields: Any) -> Response:
    body = {**EXAMPLES[example], **fields}
    return Response(json.dumps(body), content_type="application/json")


def run(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("ELKAPI_API_KEY", KEY)
    base_url = httpserver.url_for("/").rstrip("/")
    code = elkapi.__main__.main(["--base-url", base_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_safe(text: str) -> None:
    assert KEY not in text
    assert all(c in "\n\r" or c.isprintable() for c in text), repr(text)


def test_a_task_echoing_the_key_is_printed_without_it_and_without_controls(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    url = f"https://cdn.test/v.mp4?token={KEY}&x={HOSTILE}"
    metadata = {**EXAMPLES["completed"]["metadata"], "url": url}
    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_handler(
        Answers(
            task("inProgress"),
            task("inProgress", status=f"{KEY}{HOSTILE}"),
            task("completed", metadata=metadata, echo=[KEY, HOSTILE]),
        )
    )
    code, out, err = run(
        httpserver, monkeypatch, capsys, "get", TASK_ID, "--wait", "--poll-interval", "0.01"
    )
    assert code == 0, err
    assert_safe(out)
    assert_safe(err)
    *document, url_line = out.strip().splitlines()
    printed = json.loads("\n".join(document))
    hidden_url = url.replace(KEY, "***")
    assert printed["metadata"]["url"] == hidden_url and printed["echo"] == ["***", HOSTILE]
    assert url_line == hidden_url.replace("\x1b", "\\x1b").replace("\u009b", "\\x9b").replace(
        "\u202e", "\\u202e"
    )
    assert "***\\x1b[2J" in err  # the progress line: the status, hidden and escaped


def test_a_download_echoing_the_key_in_its_content_type_is_printed_without_it(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + b"v" * 100
    content_type = f"video/mp4; token={KEY}"
    httpserver.expect_request(f"/v1/videos/{TASK_ID}/content").respond_with_data(
        video, content_type=content_type
    )
    target = tmp_path / "out.mp4"
    code, out, err = run(httpserver, monkeypatch, capsys, "download", TASK_ID, str(target))
    assert code == 0, err
    assert_safe(out + err)
    *document, path = out.strip().splitlines()
    assert json.loads("\n".join(document))["content_type"] == "video/mp4; token=***"
    assert Path(path).read_bytes() == video == target.read_bytes()


def test_an_error_echoing_the_key_is_printed_without_it(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    body = {"error": {"message": f"bad key {KEY}{HOSTILE}", "code": "invalid_api_key"}}
    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_json(body, status=401)
    code, out, err = run(httpserver, monkeypatch, capsys, "get", TASK_ID)
    assert code == 1 and out == ""
    assert_safe(err)
    assert err.startswith("error: HTTP 401 (invalid_api_key): bad key ***\\x1b[2J")


def test_a_key_written_in_two_pieces_is_still_hidden(capsys: Any) -> None:
    from codegen.runtime._output import hidden_from_output

    with hidden_from_output(KEY):
        print(KEY[:5], end="", flush=False)
        print(KEY[5:], "and more")
        print("progress", KEY, end="", flush=True)
    out, _ = capsys.readouterr()
    assert out == "*** and more\nprogress ***"
