"""An empty 2xx body of a download is accepted only where the spec documents no content."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.runtime._client import BaseClient
from codegen.runtime._download import may_be_empty, parse_binary_response
from codegen.runtime._http import HttpRequest, HttpResponse, MockTransport
from codegen.runtime._operation import ApiSpec, OperationSpec
from codegen.runtime._validation import Validator
from codegen.runtime.errors import ResponseValidationError

EXPORT = OperationSpec(
    api=ApiSpec(user_agent="", validator=Validator({}, {})),
    operation_id="exportThing",
    method="GET",
    path="/things/export",
    auth=False,
    responses={"200": None, "204": None, "404": {"type": "object"}},
    media_types={"200": ("text/csv",)},
)


@pytest.mark.parametrize(
    ("status", "empty"), [(204, True), (200, False), (201, False), (404, False)]
)
def test_only_a_status_documented_without_content_may_be_empty(status: int, empty: bool) -> None:
    assert may_be_empty(EXPORT, status) is empty


def test_the_parser_returns_a_documented_empty_body_and_refuses_another() -> None:
    assert parse_binary_response(EXPORT, 204, {}, b"") == b""
    with pytest.raises(ResponseValidationError, match="HTTP 200 is documented with a body"):
        parse_binary_response(EXPORT, 200, {"content-type": "text/csv"}, b"")


def test_a_download_of_a_documented_empty_answer_writes_an_empty_file(tmp_path: Path) -> None:
    client = Keyless(
        None, "https://api.test", transport=MockTransport(lambda _: HttpResponse(204, {}, b""))
    )
    request = HttpRequest("GET", "https://api.test/things/export", {})
    saved = client._download(EXPORT, request, _parse, tmp_path / "out.csv", None)
    assert saved.size == 0 and (tmp_path / "out.csv").read_bytes() == b""


class Keyless(BaseClient):
    requires_key = False


def _parse(status_code: int, headers: dict[str, str], body: bytes) -> bytes:
    return parse_binary_response(EXPORT, status_code, headers, body)
