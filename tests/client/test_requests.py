"""Property tests of the request side: builder, client and mock against the spec's rules."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elkapi
from tests.contract import oracle, spec
from tests.contract.mock import MockApi
from tests.contract.rules import Lifecycle
from tests.contract.strategies import Violation, valid, violations
from tests.support.keys import API_KEY
from tests.support.submissions import known_fields, post_raw

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


IMAGES = ["https://example.com/a.png", "https://example.com/b.jpg"]
MEDIA = [
    {
        "type": "image_url",
        "image_url": {"url": "https://example.com/first.png"},
        "role": "first_frame",
    },
    {"type": "audio_url", "audio_url": {"url": "https://example.com/music.mp3"}},
]


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


@pytest.mark.slow
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


def adapter_payload(body: dict[str, Any]) -> dict[str, Any]:
    """The payload new-api's Doubao adapter forwards for ``body``, written out by hand.

    Kept apart from the spec's ``x-upstream`` (which the mock interprets) so
    the two can disagree: images become image_url items, metadata is merged
    in (metadata.content replacing them, metadata.model ignored), seconds
    overrides the duration, text items go and the prompt comes last.
    """
    metadata = body.get("metadata", {})
    payload: dict[str, Any] = {k: v for k, v in metadata.items() if k != "model"}
    payload["model"] = body.get("model", DEFAULT_MODEL)
    images = [{"type": "image_url", "image_url": {"url": u}} for u in body.get("images", [])]
    content = metadata.get("content", images)
    text = {"type": "text", "text": body["prompt"]}
    payload["content"] = [item for item in content if item.get("type") != "text"] + [text]
    if "seconds" in body:
        payload["duration"] = int(body["seconds"])
    return payload


@given(body=valid(BODY))
def test_upstream_payload_follows_the_real_adapter(
    body: dict[str, Any], client: elkapi.Client, mock_api: MockApi
) -> None:
    fields = known_fields(body)
    task = client.create_video_generation(**fields)
    assert mock_api.tasks[task.id].upstream == adapter_payload(fields)


@given(body=valid(BODY), images=st.lists(st.sampled_from(IMAGES), min_size=1, max_size=3))
def test_images_with_metadata_content_are_refused_by_the_builder(
    body: dict[str, Any], images: list[str]
) -> None:
    fields = known_fields(body)
    metadata = {**fields.get("metadata", {}), "content": MEDIA}
    transport = elkapi.MockTransport(lambda request: elkapi.HttpResponse(500, {}, b""))
    client = elkapi.Client(API_KEY, transport=transport)
    with pytest.raises(elkapi.RequestValidationError) as raised:
        client.create_video_generation(**{**fields, "images": images, "metadata": metadata})
    assert transport.requests == [], "a refused body was sent"
    [error] = raised.value.errors
    assert (error.path, error.rule) == ("images", "x-exclusive")
    assert "metadata.content" in error.message and "dropped" in error.message


@pytest.mark.slow
@given(body=valid(BODY), images=st.lists(st.sampled_from(IMAGES), min_size=1, max_size=3))
def test_the_gateway_drops_images_when_metadata_content_is_given(
    body: dict[str, Any], images: list[str], base_url: str, mock_api: MockApi
) -> None:
    """What the builder protects against: sent raw, the mock accepts and loses the images."""
    raw = {**body, "images": images, "metadata": {**body.get("metadata", {}), "content": MEDIA}}
    status, reply = post_raw(base_url, json.dumps(raw).encode())
    assert status == 200, reply
    upstream = mock_api.tasks[json.loads(reply)["id"]].upstream
    assert upstream == adapter_payload(raw)
    assert [i for i in upstream["content"] if i["type"] == "image_url"] == MEDIA[:1]


def test_metadata_model_never_overrides_the_model(client: elkapi.Client, mock_api: MockApi) -> None:
    task = client.create_video_generation(
        prompt="a fox",
        model="doubao-seedance-2-0-fast-260128",
        metadata={"model": "some-other-model"},  # type: ignore[typeddict-unknown-key]
    )
    assert mock_api.tasks[task.id].upstream["model"] == "doubao-seedance-2-0-fast-260128"
    assert task.model == "doubao-seedance-2-0-fast-260128"


@given(seconds=st.integers(4, 15), duration=st.integers(4, 15))
def test_seconds_overrides_metadata_duration(
    seconds: int, duration: int, client: elkapi.Client, mock_api: MockApi
) -> None:
    task = client.create_video_generation(
        prompt="a fox", seconds=str(seconds), metadata={"duration": duration}
    )
    assert mock_api.tasks[task.id].upstream["duration"] == seconds
