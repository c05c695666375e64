"""The generated validator agrees with jsonschema (ECMA-262 patterns) on arbitrary JSON."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elkapi._spec import API
from elkapi._validation import Validator, json_type_of
from tests.contract import oracle, spec
from tests.contract.strategies import JSON_VALUES, valid_for, violations

NAMES = sorted(spec.load().schemas)
BREAKERS = {
    name: [v.values for v in violations(name)]
    for name in ("CreateVideoGenerationRequest", "VideoTask")
}


def candidates(name: str) -> st.SearchStrategy[Any]:
    """Arbitrary JSON, values shaped by the schema (often valid) and known near misses."""
    near = BREAKERS.get(name, [])
    return st.one_of(JSON_VALUES, valid_for(spec.ref(name)), *near)


@pytest.mark.slow
@settings(max_examples=500)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_generated_validator_agrees_with_jsonschema(data: st.DataObject, name: str) -> None:
    value = data.draw(candidates(name))
    expected = oracle.is_valid(name, value)
    errors = API.validator.errors({"$ref": name}, value)
    assert (not errors) == expected, (
        errors,
        [e.message for e in oracle.schema_errors(name, value)],
    )
    assert API.validator.is_valid({"$ref": name}, value) == expected


@given(value=JSON_VALUES)
def test_integers_and_booleans_follow_json_not_python(value: Any) -> None:
    schema = {"type": "integer"}
    expected = oracle.ContractValidator(schema).is_valid(value)
    assert API.validator.is_valid(schema, value) == expected
    assert (json_type_of(value) == "integer") == expected


def test_a_boolean_is_never_an_integer_or_equal_to_one() -> None:
    assert not API.validator.is_valid({"type": "integer"}, True)
    assert not API.validator.is_valid({"const": 1}, True)
    assert not API.validator.is_valid({"enum": [0]}, False)
    assert API.validator.is_valid({"const": 1}, 1.0)


LENIENT_RULES = {"enum", "const", "additionalProperties"}


@pytest.mark.slow
@settings(max_examples=300)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_lenient_reading_forgives_only_unlisted_values_and_forbidden_properties(
    data: st.DataObject, name: str
) -> None:
    value = data.draw(candidates(name))
    strict = API.validator.errors({"$ref": name}, value)
    errors, tolerated = API.validator.lenient_errors({"$ref": name}, value)
    if not strict:
        assert (errors, tolerated) == ([], [])
    if errors:
        assert strict
    else:
        # A union a lenient read accepted reports as the union in a strict one.
        assert {e.rule for e in strict} <= LENIENT_RULES | {"anyOf", "oneOf"}, strict
        assert {e.rule for e in tolerated} <= LENIENT_RULES


def lenient(schema: dict[str, Any], value: Any) -> tuple[list[tuple[str, str]], ...]:
    errors, tolerated = Validator({}, {}).lenient_errors(schema, value)
    return [(e.path, e.rule) for e in errors], [(e.path, e.rule) for e in tolerated]


STATUS = {"enum": ["queued", "done"]}
TAGGED = [
    {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}}},
    {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "b"}}},
]


@pytest.mark.parametrize(
    ("schema", "value", "errors", "tolerated"),
    [
        (STATUS, "new", [], [("", "enum")]),
        (STATUS, 1, [("", "enum")], []),
        (
            {"type": "string", "enum": ["aa"], "minLength": 2},
            "b",
            [("", "minLength")],
            [("", "enum")],
        ),
        ({"enum": [1, 2]}, 2.5, [], [("", "enum")]),
        ({"const": "video"}, None, [("", "const")], []),
        (
            {"type": "object", "properties": {"x": {"const": 1}}, "additionalProperties": False},
            {"x": 2, "y": 0},
            [],
            [("x", "const"), ("y", "additionalProperties")],
        ),
        (
            {"type": "object", "required": ["s"], "properties": {"s": STATUS}},
            {},
            [("s", "required")],
            [],
        ),
        # Conditions are judged strictly: an unlisted status does not pass for "done".
        (
            {
                "properties": {"s": STATUS},
                "if": {"properties": {"s": {"const": "done"}}},
                "then": {"required": ["url"]},
            },
            {"s": "new"},
            [],
            [("s", "enum")],
        ),
        ({"type": "array", "items": STATUS}, ["done", "x"], [], [("[1]", "enum")]),
        # A nullable enum: exactly one branch accepts an unlisted string.
        ({"anyOf": [STATUS, {"type": "null"}]}, "new", [], [("", "enum")]),
        ({"anyOf": [STATUS, {"type": "null"}]}, 3, [("", "anyOf")], []),
        # An unknown tag picks no branch: with more than one, no branch is chosen.
        ({"oneOf": TAGGED}, {"kind": "c"}, [("kind", "discriminator")], []),
    ],
)
def test_what_a_lenient_read_forgives(
    schema: dict[str, Any], value: Any, errors: list[Any], tolerated: list[Any]
) -> None:
    assert lenient(schema, value) == (errors, tolerated)
    strict = Validator({}, {}).errors(schema, value)
    assert bool(strict) == bool(errors or tolerated)


def test_directions_read_read_only_and_write_only_properties() -> None:
    schemas: dict[str, Any] = {
        "Id": {"type": "string", "readOnly": True},
        "Thing": {
            "type": "object",
            "required": ["id", "secret"],
            "properties": {"id": {"$ref": "Id"}, "secret": {"type": "string", "writeOnly": True}},
        },
    }
    validator = Validator(schemas, {})
    thing = {"$ref": "Thing"}
    both = {"id": "t", "secret": "s"}
    # Without a direction, both are plain required properties.
    assert [e.path for e in validator.errors(thing, {})] == ["id", "secret"]
    sent = validator.for_requests
    assert [e.path for e in sent.errors(thing, {"secret": "s"})] == []
    assert [(e.path, e.rule) for e in sent.errors(thing, both)] == [("id", "readOnly")]
    returned = validator.for_responses
    assert returned.errors(thing, {"id": "t"}) == [] and returned.errors(thing, both) == []
    assert [e.path for e in returned.errors(thing, {"secret": "s"})] == ["id"]
    assert validator.for_requests is sent  # made once
