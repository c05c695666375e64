"""Property tests of the response side: parsers against the spec's response rules."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elkapi
from elkapi._decode import to_json
from elkapi.params import VideoModel
from tests.contract import oracle, spec
from tests.contract.strategies import JSON_VALUES, Violation, valid, violations

TASK = "VideoTask"
JSON_HEADERS = {"Content-Type": "application/json"}
PARSERS = [elkapi.parse_create_video_generation_response, elkapi.parse_retrieve_video_response]
TASK_VIOLATIONS = violations(TASK)
DECLARED = set(spec.load().schemas[TASK]["properties"])
LENIENT_RULES = {"enum", "const"}
CREATE = spec.load().operation("createVideoGeneration")
RETRIEVE = spec.load().operation("retrieveVideo")


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@given(task=valid(TASK), parse=st.sampled_from(PARSERS))
def test_valid_tasks_parse_into_typed_objects(task: dict[str, Any], parse: Any) -> None:
    parsed = parse(200, JSON_HEADERS, encode(task))
    assert isinstance(parsed, elkapi.VideoTask)
    # Every property comes back: declared ones in their fields, the rest in `extra`,
    # nested models alike.
    assert to_json(parsed) == task
    for field in dataclasses.fields(elkapi.VideoTask):
        if field.name == "extra":
            assert parsed.extra == {k: v for k, v in task.items() if k not in DECLARED}
        elif field.name not in task:
            assert getattr(parsed, field.name) is None, field.name
        elif not dataclasses.is_dataclass(getattr(parsed, field.name)):
            assert getattr(parsed, field.name) == task[field.name], field.name
    assert parse(200, JSON_HEADERS, encode(task), strict=True) == parsed


def test_the_documented_examples_parse() -> None:
    for name, example in [
        *CREATE.examples("response").items(),
        *RETRIEVE.examples("response").items(),
    ]:
        parsed = elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(example))
        assert parsed.id == example["id"], name
        assert parsed.status == example["status"], name
    completed = elkapi.parse_retrieve_video_response(
        200, JSON_HEADERS, encode(RETRIEVE.examples("response")["completed"])
    )
    assert completed.metadata is not None and completed.metadata["url"].startswith("https://")


@pytest.mark.slow
@pytest.mark.parametrize("violation", TASK_VIOLATIONS, ids=lambda v: v.id)
def test_each_response_rule_broken_alone_is_reported(violation: Violation) -> None:
    @given(task=violation.values, parse=st.sampled_from(PARSERS))
    def check(task: Any, parse: Any) -> None:
        with pytest.raises(elkapi.ResponseValidationError) as raised:
            parse(200, JSON_HEADERS, encode(task), strict=True)
        assert raised.value.status_code == 200
        assert any(e.path == violation.field for e in raised.value.errors), raised.value
        # Lenient: the same, except for a value an enum or const does not list
        # when it has the right type (that alone is kept as it came).
        try:
            parsed = parse(200, JSON_HEADERS, encode(task))
        except elkapi.ResponseValidationError as error:
            assert any(e.path == violation.field for e in error.errors), error
        else:
            assert {e.rule for e in raised.value.errors} <= LENIENT_RULES, raised.value
            assert to_json(parsed) == task

    check()


@given(task=valid(TASK), other=st.text(min_size=1))
def test_task_id_must_equal_id(task: dict[str, Any], other: str) -> None:
    broken = {**task, "task_id": task["id"] + other}
    assert not oracle.is_valid(TASK, broken)
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(broken))
    assert [(e.path, e.rule) for e in raised.value.errors] == [("task_id", "x-equal-properties")]


@given(task=valid(TASK))
def test_a_completed_task_must_carry_the_video_url(task: dict[str, Any]) -> None:
    broken = {**task, "status": "completed", "metadata": {"other": 1}}
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(broken))
    assert ("metadata.url", "required") in [(e.path, e.rule) for e in raised.value.errors]


@given(task=valid(TASK))
def test_a_failed_task_must_carry_an_error(task: dict[str, Any]) -> None:
    broken = {k: v for k, v in task.items() if k != "error"} | {"status": "failed"}
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_retrieve_video_response(200, JSON_HEADERS, encode(broken))
    assert ("error", "required") in [(e.path, e.rule) for e in raised.value.errors]


@given(
    task=valid(TASK),
    sent=st.sampled_from(["doubao-seedance-2-0-260128", "doubao-seedance-2-0-fast-260128"]),
)
def test_the_model_must_repeat_the_request(task: dict[str, Any], sent: VideoModel) -> None:
    request = elkapi.build_create_video_generation(api_key="k", prompt="p", model=sent)
    body = encode(task)
    if task["model"] == sent:
        elkapi.parse_create_video_generation_response(200, JSON_HEADERS, body, request=request)
        return
    with pytest.raises(elkapi.ResponseValidationError) as raised:
        elkapi.parse_create_video_generation_response(200, JSON_HEADERS, body, request=request)
    assert [(e.path, e.rule) for e in raised.value.errors] == [("model", "x-echo")]


ERROR_STATUSES = st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502, 503])


@given(status=ERROR_STATUSES, message=st.text(min_size=1), code=st.one_of(st.text(), st.integers()))
def test_both_documented_error_shapes_are_read(status: int, message: str, code: Any) -> None:
    for body in (
        {"error": {"message": message, "type": "invalid_request_error", "code": code}},
        {"code": code, "message": message, "data": None},
    ):
        with pytest.raises(elkapi.ApiError) as raised:
            elkapi.parse_retrieve_video_response(status, JSON_HEADERS, encode(body))
        error = raised.value
        assert (error.status_code, error.message, error.code) == (status, message, code)
        assert isinstance(error, elkapi.errors.api_error_class(status))


def near_tasks() -> st.SearchStrategy[Any]:
    """Valid tasks with one key set to arbitrary JSON: near the contract, often outside it."""
    return st.tuples(valid(TASK), st.text(max_size=12), JSON_VALUES).map(
        lambda t: {**t[0], (t[1] if t[1] else "id"): t[2]}
    )


RESPONSE_BODIES = st.one_of(
    st.binary(max_size=64),
    JSON_VALUES.map(encode),
    near_tasks().map(encode),
    st.sampled_from([b"", b"NaN", b"[" * 5000, b'{"id": 1e999}', b"\xff\xfe{}", b"1" * 5000]),
)
HEADERS: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just(JSON_HEADERS),
    st.just({}),
    st.dictionaries(st.sampled_from(["Content-Type", "X"]), st.text(max_size=20)),
)


@given(
    status=st.integers(100, 599),
    headers=HEADERS,
    body=RESPONSE_BODIES,
    parse=st.sampled_from(PARSERS),
    strict=st.booleans(),
)
def test_arbitrary_responses_only_raise_documented_errors(
    status: int, headers: dict[str, str], body: bytes, parse: Any, strict: bool
) -> None:
    try:
        task = parse(status, headers, body, strict=strict)
    except elkapi.ResponseValidationError as error:
        assert 200 <= status < 300 and error.errors
    except elkapi.ApiError as error:
        assert not 200 <= status < 300
        assert error.status_code == status and isinstance(error.message, str) and error.message
    else:
        assert status == 200
        assert isinstance(task, elkapi.VideoTask)
        data = json.loads(body)
        assert to_json(task) == data
        if strict:
            assert oracle.is_valid(TASK, data)
        else:
            # What the lenient parser lets through breaks only enum or const rules.
            assert {e.validator for e in oracle.schema_errors(TASK, data)} <= LENIENT_RULES
