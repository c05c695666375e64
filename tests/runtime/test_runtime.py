"""The runtime, tested where it stands (``codegen.runtime``) and as every package holds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codegen.render import runtime_files
from codegen.runtime._build import build_request
from codegen.runtime._http import HttpRequest, HttpResponse, MockTransport
from codegen.runtime._operation import ApiSpec, Echo, OperationSpec
from codegen.runtime._read import parse_response
from codegen.runtime._validation import Validator
from codegen.runtime.errors import Error, ResponseValidationError

ROOT = Path(__file__).resolve().parents[2]
API = ApiSpec(user_agent="thing/1 (python)", validator=Validator({}, {}))
CREATE = OperationSpec(
    api=API,
    operation_id="createThing",
    method="POST",
    path="/things",
    body={"type": "object", "properties": {"name": {"type": "string"}, "size": {}}},
    body_type="Thing",
    responses={"200": {"type": "object"}},
    echo=(Echo("name", "/name"), Echo("size", "/size", optional=True)),
)


def test_every_package_holds_the_runtime_unchanged() -> None:
    names = [path.name for path in runtime_files()]
    assert names == [
        "LICENSE",
        "_async.py",
        "_bodies.py",
        "_build.py",
        "_client.py",
        "_deadline.py",
        "_decode.py",
        "_download.py",
        "_http.py",
        "_json.py",
        "_log.py",
        "_operation.py",
        "_output.py",
        "_paging.py",
        "_printable.py",
        "_read.py",
        "_redirects.py",
        "_retry.py",
        "_secrets.py",
        "_steps.py",
        "_validation.py",
        "_waiting.py",
        "errors.py",
    ]
    for source in runtime_files():
        copied = ROOT / "generated" / "elkapi" / source.name
        assert copied.read_bytes() == source.read_bytes(), source.name


def test_no_runtime_module_is_long_enough_to_hold_two_jobs() -> None:
    # One module per job (issue 19): past this size a module has taken on a second one.
    lines = {
        source.name: len(source.read_text(encoding="utf-8").splitlines())
        for source in runtime_files()
        if source.suffix == ".py"
    }
    assert max(lines.values()) <= 700, {name: n for name, n in lines.items() if n > 700}


def test_the_runtime_imports_nothing_generated() -> None:
    for source in runtime_files():
        text = source.read_text(encoding="utf-8")
        for generated in ("_spec", "operations", "models", "params", "client"):
            assert f"from .{generated} import" not in text, (source.name, generated)


def test_requests_carry_the_api_user_agent() -> None:
    request = build_request(CREATE, api_key="k", base_url="http://h", params={}, fields={})
    assert request.headers["User-Agent"] == "thing/1 (python)"
    assert request.headers["Authorization"] == "Bearer k"


def reply(data: object) -> HttpResponse:
    return HttpResponse(200, {"content-type": "application/json"}, json.dumps(data).encode())


@pytest.mark.parametrize(
    ("sent", "answer", "problems"),
    [
        ({"name": "a", "size": 1}, {"name": "a", "size": 1}, []),
        ({"name": "a", "size": 1}, {"name": "a"}, []),
        ({"name": "a"}, {"size": 3}, ['name: must repeat the request\'s /name "a" (got nothing)']),
        ({"name": "a", "size": 1}, {"name": "a", "size": 2}, ["size: must repeat"]),
        ({}, {}, []),
    ],
)
def test_echoes_must_repeat_the_request_and_only_optional_ones_may_be_absent(
    sent: dict[str, object], answer: dict[str, object], problems: list[str]
) -> None:
    request = build_request(CREATE, api_key="k", base_url="http://h", params={}, fields=sent)
    response = reply(answer)
    if not problems:
        parse_response(CREATE, dict, 200, response.headers, response.body, request)
        return
    with pytest.raises(ResponseValidationError) as raised:
        parse_response(CREATE, dict, 200, response.headers, response.body, request)
    assert [e.rule for e in raised.value.errors] == ["x-echo"]
    assert all(str(raised.value.errors[0]).startswith(p) for p in problems)
    assert isinstance(raised.value, Error)


def test_the_mock_transport_records_what_is_sent_and_answers_from_its_handler() -> None:
    transport = MockTransport(lambda request: reply({"url": request.url}))
    request = HttpRequest("GET", "http://h/x", {"Authorization": "Bearer secret"})
    answer = transport(request, 1.0)
    assert json.loads(answer.body) == {"url": "http://h/x"}
    assert transport.requests == [request]
    assert "secret" not in repr(transport.requests)
