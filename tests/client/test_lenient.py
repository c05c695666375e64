"""Parsed tasks keep what they do not know: unknown properties and unlisted enum values.

Lenient (the default): a property the spec does not list lands in the model's
``extra`` mapping, unchanged; a value of the right JSON type that an ``enum``
or ``const`` does not list is kept and logged as a warning. ``strict=True``
refuses the latter as before. A missing required property or a wrong type is
an error either way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import elkapi
from elkapi._decode import to_json
from elkapi.params import VideoModel
from tests.contract import spec
from tests.contract.strategies import JSON_VALUES, valid

TASK = "VideoTask"
KEY = "sk-lenient-test-key"
SPEC = spec.load()
PROPERTIES = set(SPEC.schemas[TASK]["properties"])
REQUIRED = list(SPEC.schemas[TASK]["required"])
STATUSES = list(SPEC.schemas["TaskStatus"]["enum"])
JSON_HEADERS = {"Content-Type": "application/json"}
PARSERS = [elkapi.parse_create_video_generation_response, elkapi.parse_retrieve_video_response]
QUEUED = SPEC.submission().examples("response")["submitted"]
COMPLETED = SPEC.operation("retrieveVideo").examples("response")["completed"]
# Made-up, may clash with nothing the spec declares: new statuses and new fields.
UNKNOWN_STATUSES = st.text(max_size=12).filter(lambda s: s not in STATUSES)
NEW_NAMES = st.text(min_size=1, max_size=10).filter(lambda k: k not in PROPERTIES)
EXTRAS = st.dictionaries(NEW_NAMES, JSON_VALUES, min_size=1, max_size=4)


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@given(task=valid(TASK), extras=EXTRAS, parse=st.sampled_from(PARSERS))
def test_properties_the_spec_does_not_list_are_kept_exactly(
    task: dict[str, Any], extras: dict[str, Any], parse: Any
) -> None:
    declared = {k: v for k, v in task.items() if k in PROPERTIES}
    body = {**extras, **declared}
    for strict in (False, True):
        parsed = parse(200, JSON_HEADERS, encode(body), strict=strict)
        assert parsed.extra == extras
        assert all(
            getattr(parsed, name) == value
            for name, value in declared.items()
            if not dataclasses.is_dataclass(getattr(parsed, name))
        )
        assert to_json(parsed) == body


@given(task=valid(TASK), extras=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=3))
def test_nested_models_keep_their_unknown_properties_too(
    task: dict[str, Any], extras: dict[str, Any]
) -> None:
    error = {"message": "upstream refused", "code": 7}
    nested = {**{k: v for k, v in extras.items() if k not in error}, **error}
    body = {**task, "status": "failed", "error": nested}
    parsed = elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(body))
    assert parsed.error is not None
    assert parsed.error.extra == {k: v for k, v in nested.items() if k not in error}
    assert (parsed.error.message, parsed.error.code) == ("upstream refused", 7)
    assert to_json(parsed)["error"] == nested


def test_a_property_named_extra_is_an_unknown_property_like_any_other() -> None:
    parsed = elkapi.parse_retrieve_video_response(
        200, JSON_HEADERS, encode({**QUEUED, "extra": 1, "region": "cn"})
    )
    assert parsed.extra == {"extra": 1, "region": "cn"}


def test_equality_and_repr_include_what_was_kept() -> None:
    plain = elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(QUEUED))
    more = elkapi.parse_retrieve_video_response(
        200, JSON_HEADERS, encode({**QUEUED, "region": "cn"})
    )
    assert plain.extra == {} and plain != more
    assert more == elkapi.parse_retrieve_video_response(
        200, JSON_HEADERS, encode({**QUEUED, "region": "cn"})
    )
    assert "extra={'region': 'cn'}" in repr(more) and "extra={}" in repr(plain)
    # A task built by hand has no unknown properties, and equals its parsed twin.
    fields = {k: v for k, v in QUEUED.items() if k in PROPERTIES}
    assert elkapi.VideoTask(**fields) == plain


@given(status=UNKNOWN_STATUSES, parse=st.sampled_from(PARSERS))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_an_unknown_status_parses_leniently_and_is_refused_strictly(
    status: str, parse: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = encode({**QUEUED, "status": status})
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="elkapi"):
        assert parse(200, JSON_HEADERS, body).status == status
    warnings = [r for r in caplog.records if r.name == "elkapi"]
    assert len(warnings) == 1 and "status" in warnings[0].getMessage()
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        parse(200, JSON_HEADERS, body, strict=True)
    assert [(e.path, e.rule) for e in raised.value.errors] == [("status", "enum")]


def test_an_unknown_object_kind_is_kept_but_a_wrong_type_is_not() -> None:
    kept = elkapi.parse_retrieve_video_response(
        200, JSON_HEADERS, encode({**QUEUED, "object": "video.v2"})
    )
    assert kept.object == "video.v2"
    for value in (7, None, ["video"], {"kind": "video"}):
        for strict in (False, True):
            with pytest.raises(elkapi.ResponseValidationError) as raised:
                elkapi.parse_retrieve_video_response(
                    200, JSON_HEADERS, encode({**QUEUED, "object": value}), strict=strict
                )
            assert [e.path for e in raised.value.errors] == ["object"]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("status", [0, 1.5, True, None, [], {"s": "queued"}])
def test_a_status_of_the_wrong_type_fails_in_both_modes(status: Any, strict: bool) -> None:
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(
            200, JSON_HEADERS, encode({**QUEUED, "status": status}), strict=strict
        )
    assert [(e.path, e.rule) for e in raised.value.errors] == [("status", "type")]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("name", REQUIRED)
def test_missing_required_fields_fail_in_both_modes(name: str, strict: bool) -> None:
    # Even beside an unknown status that lenient mode would keep.
    body = {k: v for k, v in {**QUEUED, "status": "unknown"}.items() if k != name}
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(body), strict=strict)
    rules = {(e.path, e.rule) for e in raised.value.errors}
    unknown = {("status", "enum")} if strict and name != "status" else set()
    assert rules == {(name, "required")} | unknown


@pytest.mark.parametrize("strict", [False, True])
def test_the_identity_and_echo_rules_stay_errors(strict: bool) -> None:
    body = encode({**QUEUED, "task_id": QUEUED["id"] + "x", "status": "unknown"})
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, body, strict=strict)
    assert ("task_id", "x-equal-properties") in [(e.path, e.rule) for e in raised.value.errors]
    other: VideoModel = "doubao-seedance-2-0-fast-260128"
    assert QUEUED["model"] != other
    request = elkapi.build_create_video_generation(api_key="k", prompt="p", model=other)
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_create_video_generation_response(
            200, JSON_HEADERS, encode(QUEUED), request=request, strict=strict
        )
    assert [(e.path, e.rule) for e in raised.value.errors] == [("model", "x-echo")]


def test_a_completed_task_still_needs_its_url() -> None:
    # The conditional rules are judged as written: an unknown status requires nothing more,
    # and `completed` still requires metadata.url.
    broken = {**COMPLETED, "metadata": {}}
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(broken))
    assert ("metadata.url", "required") in [(e.path, e.rule) for e in raised.value.errors]


class Script:
    """Answers each GET of the task with the next status, then the last one forever."""

    def __init__(self, statuses: list[str]) -> None:
        self.statuses: Iterator[str] = iter(statuses)
        self.last = statuses[-1]

    def __call__(self, request: elkapi.HttpRequest) -> elkapi.HttpResponse:
        status = next(self.statuses, self.last)
        task = COMPLETED if status == "completed" else {**QUEUED, "status": status}
        return elkapi.HttpResponse(200, {"content-type": "application/json"}, encode(task))


WAITED = ["queued", "unknown", "unknown", "in_progress", "unknown", "completed"]


def test_wait_for_video_keeps_polling_through_an_unknown_status() -> None:
    transport = elkapi.MockTransport(Script(WAITED))
    client = elkapi.Client(KEY, transport=transport, sleep=lambda seconds: None)
    seen: list[str] = []
    done = client.wait_for_video(QUEUED["id"], on_progress=lambda task: seen.append(task.status))
    assert done.status == "completed" and len(transport.requests) == len(WAITED)
    assert seen == ["queued", "unknown", "in_progress", "unknown", "completed"]


def test_the_async_wait_keeps_polling_through_an_unknown_status() -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    transport = elkapi.MockTransport(Script(WAITED))
    client = elkapi.AsyncClient(KEY, transport=transport, sleep=no_sleep)
    seen: list[str] = []

    async def wait() -> elkapi.VideoTask:
        return await client.wait_for_video(
            QUEUED["id"], on_progress=lambda t: seen.append(t.status)
        )

    assert asyncio.run(wait()).status == "completed"
    assert seen == ["queued", "unknown", "in_progress", "unknown", "completed"]


def test_waiting_on_an_unknown_status_times_out_like_any_unfinished_one() -> None:
    client = elkapi.Client(KEY, transport=elkapi.MockTransport(Script(["unknown"])))
    with pytest.raises(elkapi.WaitTimeoutError) as raised:
        client.wait_for_video(QUEUED["id"], poll_interval=0.001, timeout=0.02)
    assert raised.value.last is not None and raised.value.last.status == "unknown"


@pytest.mark.parametrize("kind", ["blocking", "async"])
def test_a_strict_client_refuses_what_a_lenient_one_keeps(kind: str) -> None:
    unknown = encode({**QUEUED, "status": "unknown"})
    transport = elkapi.MockTransport(
        lambda request: elkapi.HttpResponse(200, {"content-type": "application/json"}, unknown)
    )
    if kind == "blocking":
        client = elkapi.Client(KEY, transport=transport)
        assert client.retrieve_video(QUEUED["id"]).status == "unknown"
        for strict in (
            elkapi.Client(KEY, transport=transport, strict=True),
            client.with_options(strict=True),
        ):
            with pytest.raises(elkapi.ResponseValidationError) as raised:
                strict.retrieve_video(QUEUED["id"])
            assert [e.rule for e in raised.value.errors] == ["enum"]
    else:
        aclient = elkapi.AsyncClient(KEY, transport=transport)
        assert asyncio.run(aclient.retrieve_video(QUEUED["id"])).status == "unknown"
        with pytest.raises(elkapi.ResponseValidationError):
            asyncio.run(aclient.with_options(strict=True).retrieve_video(QUEUED["id"]))
