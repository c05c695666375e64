"""Property tests of the request side: builder, client and mock against the spec's rules."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elkapi
from tests.conftest import API_KEY
from tests.contract import oracle, spec
from tests.contract.mock import MockApi
from tests.contract.rules import MISSING, Lifecycle
from tests.contract.strategies import Violation, valid, violations

SPEC = spec.load()
BODY = "CreateVideoGenerationRequest"
CREATE = SPEC.operation("createVideoGeneration")
BODY_SCHEMA = SPEC.resolve(spec.ref(BODY))
DECLARED = set(BODY_SCHEMA["properties"])
DEFAULT_MODEL = SPEC.resolve(BODY_SCHEMA["properties"]["model"])["default"]
_LIFECYCLE = SPEC.lifecycle("VideoTask")
assert _LIFECYCLE is not None, "the spec declares the task's x-lifecycle"
LIFECYCLE: Lifecycle = _LIFECYCLE
VIOLATIONS = violations(BODY)
# The rows of the documented contract: each must have at least one refusal case.
DOCUMENTED_FIELDS = [
    "model",
    "prompt",
    "images[]",
    "seconds",
    "metadata",
    "metadata.duration",
    "metadata.ratio",
    "metadata.resolution",
    "metadata.generate_audio",
    "metadata.watermark",
    "metadata.seed",
    "metadata.content[].type",
    "metadata.content[].role",
    "metadata.content[].image_url.url",
    "metadata.content[].video_url.url",
    "metadata.content[].audio_url.url",
]


def known_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The body's declared top-level fields: what a caller passes as keyword arguments."""
    return {key: value for key, value in body.items() if key in DECLARED}


def normalized(path: str) -> str:
    """``metadata.content[3].role`` -> ``metadata.content[].role``."""
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[")
        elif char == "]":
            depth -= 1
            out.append("]")
        elif depth == 0:
            out.append(char)
    return "".join(out)


def post_raw(base_url: str, body: bytes, token: str | None = API_KEY) -> tuple[int, bytes]:
    """POST ``body`` untouched by the builder; return status and body."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        base_url + CREATE.path, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_every_documented_field_has_refusal_cases() -> None:
    covered = {v.field for v in VIOLATIONS}
    assert set(DOCUMENTED_FIELDS) <= covered, set(DOCUMENTED_FIELDS) - covered


@given(body=valid(BODY))
def test_valid_bodies_build_exactly_as_given(body: dict[str, Any]) -> None:
    fields = known_fields(body)
    request = elkapi.build_create_video_generation(api_key=API_KEY, **fields)
    assert request.method == CREATE.method
    assert request.url == elkapi.DEFAULT_BASE_URL + CREATE.path
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    # Nothing "fixed": the body is the caller's fields plus only the documented default.
    assert request.json() == {"model": DEFAULT_MODEL, **fields}


@given(body=valid(BODY))
def test_valid_bodies_come_back_as_tasks_that_obey_every_rule(
    body: dict[str, Any], client: elkapi.Client, mock_api: MockApi
) -> None:
    fields = known_fields(body)
    before = time.time()
    task = client.create_video_generation(**fields)
    assert isinstance(task, elkapi.VideoTask)
    assert task.id and task.task_id == task.id
    assert task.object == "video"
    assert task.model == fields.get("model", DEFAULT_MODEL)
    assert task.status == LIFECYCLE.initial
    assert isinstance(task.progress, int) and 0 <= task.progress <= 100
    assert isinstance(task.created_at, int) and abs(task.created_at - before) < 86400
    as_json = {k: v for k, v in dataclasses.asdict(task).items() if v is not None}
    assert oracle.is_valid("VideoTask", as_json)
    assert task.id in mock_api.tasks


@given(body=valid(BODY))
def test_the_mock_ignores_unknown_top_level_fields(body: dict[str, Any], base_url: str) -> None:
    status, reply = post_raw(base_url, json.dumps({**body, "x_unknown_field": [1]}).encode())
    assert status == 200, reply
    assert oracle.is_valid("VideoTask", json.loads(reply))


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: v.id)
def test_each_rule_broken_alone_is_refused_by_builder_and_mock(
    violation: Violation, base_url: str, mock_api: MockApi
) -> None:
    @given(body=violation.values)
    def check(body: Any) -> None:
        if violation.field:
            _check_builder(violation, body)
        forwarded = len(mock_api.upstream_log)
        status, reply = post_raw(base_url, json.dumps(body).encode())
        assert status == 400, (status, reply)
        with pytest.raises(elkapi.BadRequestError) as raised:
            elkapi.parse_create_video_generation_response(status, {}, reply)
        assert raised.value.message
        assert len(mock_api.upstream_log) == forwarded, "a refused body was forwarded"

    check()


def _check_builder(violation: Violation, body: dict[str, Any]) -> None:
    kwargs = known_fields(body)
    if violation.rule == "required" and violation.field == "model":
        # The documented default fills it in; the mock still refuses it raw.
        built = elkapi.build_create_video_generation(api_key=API_KEY, **kwargs)
        assert built.json()["model"] == DEFAULT_MODEL
        return
    sent: list[elkapi.HttpRequest] = []

    def transport(request: elkapi.HttpRequest, timeout: float) -> elkapi.HttpResponse:
        sent.append(request)
        raise AssertionError("a request was sent despite a validation error")

    client = elkapi.Client(API_KEY, transport=transport)
    with pytest.raises(elkapi.RequestValidationError) as raised:
        client.create_video_generation(**kwargs)
    assert sent == [], "a request was sent despite a validation error"
    fields = {violation.field, violation.tag_field} - {""}
    named = [e for e in raised.value.errors if normalized(e.path) in fields]
    assert named, f"no error names {violation.field}: {raised.value}"
    assert any(e.rule in violation.rules for e in named), (violation.rules, named)
    assert all(str(e).startswith(e.path + ": ") for e in named)
    assert violation.field.split("[")[0].split(".")[0] in str(raised.value)


def expected_duration(body: dict[str, Any]) -> Any:
    """The documented effective duration: ``seconds`` overrides ``metadata.duration``."""
    if "seconds" in body:
        return int(body["seconds"])
    return body.get("metadata", {}).get("duration", MISSING)


@given(body=valid(BODY))
def test_upstream_payload_follows_the_documented_rules(
    body: dict[str, Any], client: elkapi.Client, mock_api: MockApi
) -> None:
    fields = known_fields(body)
    task = client.create_video_generation(**fields)
    upstream = mock_api.tasks[task.id].upstream
    metadata = fields.get("metadata", {})
    duration = expected_duration(fields)
    if duration is MISSING:
        assert "duration" not in upstream
    else:
        assert upstream["duration"] == duration
    images = fields.get("images", [])
    content = upstream["content"]
    assert content[: len(images)] == [
        {"type": "image_url", "image_url": {"url": u}} for u in images
    ]
    assert content[len(images) : -1] == metadata.get("content", [])
    assert content[-1] == {"type": "text", "text": fields["prompt"]}
    assert upstream["model"] == fields.get("model", DEFAULT_MODEL)
    for key, value in metadata.items():
        if key not in ("duration", "content"):
            assert upstream[key] == value, key


@given(seconds=st.integers(4, 15), duration=st.integers(4, 15))
def test_seconds_overrides_metadata_duration(
    seconds: int, duration: int, client: elkapi.Client, mock_api: MockApi
) -> None:
    task = client.create_video_generation(
        prompt="a fox", seconds=str(seconds), metadata={"duration": duration}
    )
    assert mock_api.tasks[task.id].upstream["duration"] == seconds
