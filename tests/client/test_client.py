"""The generated Client against the mock: auth, the docs' examples, polling, waiting, secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

import elkapi
from tests.contract import spec
from tests.contract.mock import OUTCOME_KEY, MockApi
from tests.contract.rules import MISSING, Lifecycle
from tests.contract.strategies import valid
from tests.support.keys import API_KEY

SPEC = spec.load()
CREATE = SPEC.operation("createVideoGeneration")
_LIFECYCLE = SPEC.lifecycle("VideoTask")
assert _LIFECYCLE is not None, "the spec declares the task's x-lifecycle"
LIFECYCLE: Lifecycle = _LIFECYCLE


@pytest.mark.parametrize("name", sorted(CREATE.examples()))
def test_the_docs_examples_build_send_and_parse(name: str, client: elkapi.Client) -> None:
    example = CREATE.examples()[name]
    request = elkapi.build_create_video_generation(api_key=API_KEY, **example)
    assert request.json() == example
    task = client.create_video_generation(**example)
    assert task.status == LIFECYCLE.initial and task.model == example["model"]


@pytest.mark.parametrize("token", ["", "wrong-key", API_KEY + "x"])
def test_wrong_or_missing_keys_are_refused(token: str, base_url: str) -> None:
    from tests.support.submissions import post_raw

    status, body = post_raw(base_url, json.dumps({"prompt": "p"}).encode(), token=token or None)
    assert status == 401
    with pytest.raises(elkapi.AuthenticationError):
        elkapi.parse_create_video_generation_response(status, {}, body)
    if token:
        with pytest.raises(elkapi.AuthenticationError):
            elkapi.Client(token, base_url).create_video_generation(prompt="p")


@pytest.mark.parametrize("via", ["retrieve_video", "retrieve_video_generation"])
def test_an_unknown_task_is_refused_as_new_api_does(client: elkapi.Client, via: str) -> None:
    with pytest.raises(elkapi.BadRequestError) as raised:
        getattr(client, via)("task_does_not_exist")
    assert raised.value.code == "task_not_exist" and raised.value.message
    with pytest.raises(elkapi.BadRequestError):
        client.wait_for_video("task_does_not_exist", poll_interval=0.001, timeout=5)


def test_both_query_routes_return_the_same_task(client: elkapi.Client) -> None:
    task = client.create_video_generation(prompt="a heron")
    final = client.wait_for_video(task.id, via="retrieve_video_generation", poll_interval=0.001)
    assert final.status in LIFECYCLE.terminal
    assert client.retrieve_video(task.id) == client.retrieve_video_generation(task.id)


def test_the_waiter_refuses_an_unknown_route(client: elkapi.Client) -> None:
    with pytest.raises(elkapi.RequestValidationError) as raised:
        client.wait_for_video("task_x", via="retrieve_videos")  # type: ignore[arg-type]
    assert [(e.path, e.rule) for e in raised.value.errors] == [("via", "enum")]


@given(body=valid("CreateVideoGenerationRequest"))
def test_polling_moves_forward_to_completion(body: dict[str, Any], client: elkapi.Client) -> None:
    from tests.support.submissions import expected_duration, known_fields

    fields = known_fields(body)
    task = client.create_video_generation(**fields)
    status, states = task.status, []
    while status not in LIFECYCLE.terminal:
        polled = client.retrieve_video(task.id)
        assert polled.id == task.id and polled.task_id == task.id
        assert polled.status in LIFECYCLE.reachable(status), (status, polled.status)
        status = polled.status
        states.append(polled)
        assert len(states) <= len(LIFECYCLE.transitions)
    final = states[-1]
    assert final.status == "completed"
    assert final.metadata and final.metadata["url"].startswith("https://")
    duration = expected_duration(fields)
    if duration is not MISSING and duration != -1:
        assert final.seconds == str(duration)


def test_wait_for_video_reports_each_change_and_returns_the_final_task(
    client: elkapi.Client,
) -> None:
    task = client.create_video_generation(prompt="a heron", seconds="6")
    seen: list[elkapi.VideoTask] = []
    final = client.wait_for_video(task.id, poll_interval=0.001, timeout=10, on_progress=seen.append)
    assert final.status == "completed" and final.seconds == "6"
    assert [t.status for t in seen] == LIFECYCLE.path_to_end()[1:]
    assert seen[-1] == final


def test_wait_for_video_returns_a_failed_task(client: elkapi.Client) -> None:
    # OUTCOME_KEY is a pass-through key the spec allows (additionalProperties)
    # but the generated TypedDict cannot name.
    task = client.create_video_generation(prompt="p", metadata={OUTCOME_KEY: "failed"})  # type: ignore[misc]
    final = client.wait_for_video(task.id, poll_interval=0.001, timeout=10)
    assert final.status == "failed" and final.error is not None and final.error.message


def test_wait_for_video_times_out_with_the_last_state() -> None:
    queued = CREATE.examples("response")["submitted"]

    def always_queued(request: elkapi.HttpRequest, timeout: float) -> elkapi.HttpResponse:
        return elkapi.HttpResponse(
            200, {"content-type": "application/json"}, json.dumps(queued).encode()
        )

    client = elkapi.Client(API_KEY, transport=always_queued)
    with pytest.raises(elkapi.WaitTimeoutError) as raised:
        client.wait_for_video(queued["id"], poll_interval=0.001, timeout=0.05)
    assert raised.value.last.status == "queued"


def test_the_api_key_never_shows(client: elkapi.Client, mock_api: MockApi) -> None:
    request = elkapi.build_create_video_generation(api_key=API_KEY, prompt="p")
    assert API_KEY not in repr(request) and API_KEY not in repr(client)
    secret = "sk-live-\nsecret"
    with pytest.raises(elkapi.RequestValidationError) as raised:
        elkapi.build_create_video_generation(api_key=secret, prompt="p")
    assert secret not in str(raised.value) and "sk-live" not in str(raised.value)
    assert [e.path for e in raised.value.errors] == ["api_key"]
    with pytest.raises(elkapi.AuthenticationError) as denied:
        elkapi.Client("sk-wrong-key", client.base_url).retrieve_video("x")
    assert "sk-wrong-key" not in str(denied.value) and "sk-wrong-key" not in repr(denied.value.body)


def test_an_unreachable_server_is_a_transport_error() -> None:
    client = elkapi.Client(API_KEY, "http://127.0.0.1:9", timeout=2)
    with pytest.raises(elkapi.TransportError):
        client.retrieve_video("task_x")


@pytest.mark.parametrize("task_id", ["a/b", "../x", "id with space", "ü?#"])
def test_path_parameters_are_percent_encoded(task_id: str) -> None:
    request = elkapi.build_retrieve_video(api_key=API_KEY, task_id=task_id)
    tail = request.url.rsplit("/", 1)[1]
    assert "/" not in tail and "?" not in tail and "#" not in tail and " " not in tail
    with pytest.raises(elkapi.RequestValidationError):
        elkapi.build_retrieve_video(api_key=API_KEY, task_id="")
