"""The generated validator agrees with jsonschema (ECMA-262 patterns) on arbitrary JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from elkapi._spec import API
from elkapi._validation import json_type_of
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
