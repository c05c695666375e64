"""The compiled predicates (``_checks.py``) decide exactly what the interpreted Validator decides.

A request predicate says True exactly when ``json_errors`` finds nothing and
the request-direction Validator finds no error; a response predicate exactly
when the response-direction Validator finds no error. Checked on arbitrary
JSON, on values shaped by each schema, on the suite's near misses, on
values that JSON cannot carry (tuples, NaN, non-string keys), and on valid
values with one part replaced by such a value; for the project spec, the
OpenAI videos extract and an inline spec that uses every keyword the
generator accepts (both directions each).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import elkapi
from elkapi import _checks
from elkapi._validation import json_errors
from tests.contract import spec as spec_module
from tests.contract.strategies import JSON_VALUES, valid_for, violations
from tests.support.inline import document, generated, generated_from

ROOT = Path(__file__).resolve().parents[2]
ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, (), ("a",), b"x", {1: "a"}, {None: 1}]),
    st.builds(tuple, st.lists(JSON_VALUES, max_size=2)),
    st.sets(st.integers(), max_size=2),
)
"""Python values JSON cannot carry: the request predicates refuse them, as json_errors does."""

RICH = document(
    schemas={
        "Node": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "id": {"type": "string", "readOnly": True},
                "secret": {"type": "string", "writeOnly": True},
            },
        },
        "Shape": {
            "oneOf": [
                {"$ref": "#/components/schemas/Circle"},
                {"$ref": "#/components/schemas/Square"},
            ],
            "discriminator": {"propertyName": "kind"},
        },
        "Circle": {
            "type": "object",
            "required": ["kind", "r"],
            "properties": {
                "kind": {"const": "Circle"},
                "r": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
            },
            "additionalProperties": False,
        },
        "Square": {
            "type": "object",
            "required": ["kind", "side"],
            "properties": {"kind": {"const": "Square"}, "side": {"type": "integer"}},
            "additionalProperties": {"type": "boolean"},
            "minProperties": 2,
            "maxProperties": 4,
        },
        "Thing": {
            "type": "object",
            "required": ["node", "id"],
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "node": {"$ref": "#/components/schemas/Node"},
                "shape": {"$ref": "#/components/schemas/Shape"},
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "uniqueItems": True,
                    "minItems": 1,
                    "maxItems": 3,
                },
                "nullable": {"type": ["string", "null"], "enum": ["a", "b", None]},
                "mixed": {"enum": [1, 2.5, "x", True, None, [1], {"a": 1}]},
                "count": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
                "whole": {
                    "allOf": [{"type": "number", "exclusiveMaximum": 100}, {"not": {"const": 7}}]
                },
                "free": {},
                "picky": {
                    "if": {"type": "string"},
                    "then": {"minLength": 2},
                    "else": {"type": "integer"},
                },
                "exactly": {"const": {"a": [1, 2]}},
                # An "if" with an "else" and no "then", alone, negated and counted by oneOf.
                "elsewise": {
                    "type": "object",
                    "if": {"required": ["a"]},
                    "else": {"required": ["b"]},
                },
                "negated": {
                    "type": "object",
                    "not": {
                        "type": "object",
                        "if": {"required": ["a"]},
                        "else": {"required": ["b"]},
                    },
                },
                "counted": {
                    "oneOf": [
                        {"type": "object", "if": {"required": ["a"]}, "else": {"required": ["b"]}},
                        {"type": "object", "required": ["b"]},
                    ]
                },
                "number": {"enum": [1, 0.0]},
                # "if" conditions written out as one expression: with no type (a
                # non-object satisfies it, and then "then" must hold), and with an
                # optional property (an object without it satisfies it).
                "loose": {"if": {"required": ["a"]}, "then": {"type": "object", "required": ["b"]}},
                "keyed": {
                    "type": "object",
                    "if": {"properties": {"k": {"const": 1}, "n": {"type": "integer"}}},
                    "then": {"required": ["m"]},
                },
                # Patterns matching a few strings only, with a type and without.
                "version": {"type": "string", "pattern": "^v[12](\\.0)?$"},
                "letter": {"pattern": "^(?:a|b)$"},
                "filled": {"type": "string", "pattern": "\\S"},
                # Several length or range rules where the type is not only string or
                # number: every rule holds, not any one of them.
                "sized": {"type": ["string", "null"], "minLength": 2, "maxLength": 3},
                "loosely_sized": {"minLength": 2, "maxLength": 3, "pattern": "^a"},
                "bounded": {"minimum": 100, "exclusiveMinimum": 0},
                "ranged": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                # A required key the properties do not declare is an extra one: an integer.
                "undeclared": {
                    "type": "object",
                    "required": ["a", "x"],
                    "properties": {"a": {"type": "string"}},
                    "additionalProperties": {"type": "integer"},
                },
            },
            "x-equal-properties": [["copy", "original"]],
            # On a property required in responses only (read-only): a request lacks it.
            "if": {"required": ["id"], "properties": {"id": {"const": 1}}},
            "then": {"required": ["tags"]},
        },
    },
    paths={
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
)


def _predicates(package: ModuleType) -> Iterator[tuple[str, Any, Callable[[Any], bool]]]:
    """(direction, schema, predicate) for every body and JSON success response of ``package``."""
    operations = package.operations
    for name in dir(operations):
        operation = getattr(operations, name)
        if type(operation).__name__ != "OperationSpec":
            continue
        for body in operation.bodies():
            if body.check is not None:
                yield "request", body.schema, body.check
        for status, check in operation.response_checks.items():
            yield "response", operation.responses[status], check


def _agrees(package: ModuleType, direction: str, schema: Any, check: Any, value: Any) -> None:
    validator = package._spec.API.validator
    if direction == "request":
        expected = not list(json_errors(value)) and not validator.for_requests.errors(schema, value)
    else:
        expected = not validator.for_responses.errors(schema, value)
    assert check(value) is expected, (direction, schema, value)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replaced(value[head], tuple(rest), new)
    return copy


@st.composite
def near(draw: st.DrawFn, base: st.SearchStrategy[Any]) -> Any:
    """A value from ``base`` with one part (maybe itself) replaced by odd or arbitrary JSON."""
    value = draw(base)
    path = draw(st.sampled_from(list(_paths(value))))
    return _replaced(value, path, draw(st.one_of(ODD_VALUES, JSON_VALUES)))


PROJECT_SPEC = spec_module.load()
PROJECT = list(_predicates(elkapi))
NEAR_MISSES = [v.values for v in violations("CreateVideoGenerationRequest")] + [
    v.values for v in violations("VideoTask")
]


@pytest.mark.slow
@settings(max_examples=400)
@given(data=st.data(), index=st.integers(0, len(PROJECT) - 1))
def test_project_predicates_agree_with_the_validator(data: st.DataObject, index: int) -> None:
    direction, schema, check = PROJECT[index]
    raw = {"$ref": f"#/components/schemas/{schema['$ref']}"} if "$ref" in schema else schema
    shaped = valid_for(raw, spec=PROJECT_SPEC)
    value = data.draw(st.one_of(JSON_VALUES, ODD_VALUES, shaped, near(shaped), *NEAR_MISSES))
    _agrees(elkapi, direction, schema, check, value)


def test_every_component_the_project_validates_has_a_predicate() -> None:
    assert {"is_create_video_generation_request_in_request", "is_video_task_in_response"} <= set(
        dir(_checks)
    )
    assert len(PROJECT) == 4  # the body of create, and the task that three operations return


@pytest.fixture(scope="module")
def rich_package() -> Iterator[ModuleType]:
    with tempfile.TemporaryDirectory() as folder, generated(RICH, Path(folder)) as package:
        yield package


@pytest.fixture(scope="module")
def openai_package() -> Iterator[ModuleType]:
    path = ROOT / "tests" / "specs" / "real" / "openai-videos.yaml"
    with tempfile.TemporaryDirectory() as folder, generated_from(path, Path(folder)) as package:
        yield package


IF_ELSE_VALUES = st.sampled_from([{}, {"a": 1}, {"b": 1}, {"a": 1, "b": 2}, "x"])
RICH_OPTIONAL: dict[str, st.SearchStrategy[Any]] = {
    "id": st.integers(0, 2),
    "shape": st.one_of(
        st.fixed_dictionaries({"kind": st.just("Circle"), "r": st.floats(-1, 11)}),
        st.fixed_dictionaries(
            {"kind": st.just("Square"), "side": st.integers()},
            optional={"x": st.booleans(), "y": st.booleans(), "z": JSON_VALUES},
        ),
    ),
    "tags": st.lists(st.sampled_from(["a", "b"]), max_size=4),
    "nullable": st.sampled_from(["a", "c", None]),
    "mixed": st.sampled_from([1, 1.0, True, 2.5, "x", None, [1], [1.0], {"a": 1}, 0]),
    "count": st.one_of(st.none(), st.integers(-2, 2), st.floats(-1, 2)),
    "whole": st.sampled_from([7, 7.0, 99.5, 100, -1]),
    "free": JSON_VALUES,
    "picky": st.sampled_from(["a", "ab", 1, 1.5]),
    "exactly": st.sampled_from([{"a": [1, 2]}, {"a": [1.0, 2]}, {"a": [True, 2]}]),
    "number": st.sampled_from([1, 0, 1.0, True, False, "1"]),
    "elsewise": IF_ELSE_VALUES,
    "negated": IF_ELSE_VALUES,
    "counted": IF_ELSE_VALUES,
    "loose": st.sampled_from([{}, {"a": 1}, {"a": 1, "b": 2}, "x", [1], "a"]),
    "keyed": st.sampled_from([{}, {"k": 1}, {"k": 2}, {"k": 1, "m": 0}, {"m": 0}, {"n": 1.5}]),
    "undeclared": st.sampled_from(
        [{"a": "s", "x": 1}, {"a": "s", "x": "s"}, {"a": "s"}, {"a": "s", "x": 1, "y": "s"}]
    ),
    "version": st.sampled_from(["v1", "v1.0", "v2.0", "v3", "v1.", "xv1", 1]),
    "letter": st.sampled_from(["a", "b", "c", "ab", 1, None, ["a"]]),
    "filled": st.sampled_from(["", " ", "\u3000\t", " a ", "\x1c", "\x85", 1]),
    "sized": st.sampled_from(["a", "ab", "abcd", None, 1]),
    "loosely_sized": st.sampled_from(["a", "ab", "ba", "abcd", 1, None]),
    "bounded": st.sampled_from([1.0, 0, 100, 150, "x"]),
    "ranged": st.sampled_from([0, 1, 5, 6, None, 2.0]),
    "copy": st.sampled_from(["a", 1]),
    "original": st.sampled_from(["a", 1.0]),
}
SHAPED_RICH: st.SearchStrategy[Any] = st.fixed_dictionaries(
    {"node": st.fixed_dictionaries({"name": st.sampled_from(["a", "abc", "A", ""])})},
    optional=RICH_OPTIONAL,
)
# One property at a time beside a valid node: a value the other properties do not
# already spoil, so each property's own rule decides.
ONE_RICH_PROPERTY: st.SearchStrategy[Any] = st.one_of(
    *(
        st.builds(lambda value, name=name: {"node": {"name": "a"}, name: value}, values)
        for name, values in RICH_OPTIONAL.items()
    )
)


@settings(max_examples=400)
@given(data=st.data())
def test_predicates_of_an_inline_spec_using_every_keyword_agree(
    rich_package: ModuleType, data: st.DataObject
) -> None:
    predicates = list(_predicates(rich_package))
    assert [p[0] for p in predicates] == ["request", "response"]
    direction, schema, check = data.draw(st.sampled_from(predicates))
    value = data.draw(
        st.one_of(JSON_VALUES, ODD_VALUES, SHAPED_RICH, near(SHAPED_RICH), ONE_RICH_PROPERTY)
    )
    _agrees(rich_package, direction, schema, check, value)


@pytest.mark.slow
@settings(max_examples=300)
@given(data=st.data())
def test_predicates_of_the_openai_videos_extract_agree(
    openai_package: ModuleType, data: st.DataObject
) -> None:
    spec = spec_module.load(ROOT / "tests" / "specs" / "real" / "openai-videos.yaml")
    predicates = list(_predicates(openai_package))
    direction, schema, check = data.draw(st.sampled_from(predicates))
    raw = {"$ref": f"#/components/schemas/{schema['$ref']}"} if "$ref" in schema else schema
    try:
        shaped = valid_for(raw, spec=spec)
    except Exception:  # a schema the strategies cannot shape: arbitrary values still apply
        shaped = JSON_VALUES
    value = data.draw(st.one_of(JSON_VALUES, ODD_VALUES, shaped, near(shaped)))
    _agrees(openai_package, direction, schema, check, value)


def _nested_conditions(levels: int) -> dict[str, Any]:
    """``if a then (if a then ... ) else b``, ``levels`` deep: each ``then`` is written in place."""
    schema: dict[str, Any] = {"required": ["c"]}
    for _ in range(levels):
        schema = {"if": {"required": ["a"]}, "then": schema, "else": {"required": ["b"]}}
    return {"type": "object", **schema}


@pytest.mark.slow
def test_conditions_nested_deeper_than_python_indents_still_compile() -> None:
    deep = document(
        schemas={"Deep": _nested_conditions(120)},
        paths={
            "/deep": {
                "post": {
                    "operationId": "sendDeep",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Deep"}}
                        },
                    },
                    "responses": {"204": {"description": "done"}},
                }
            }
        },
    )
    with tempfile.TemporaryDirectory() as folder, generated(deep, Path(folder)) as package:
        ((direction, schema, check),) = _predicates(package)
        for value in [{}, {"a": 1}, {"a": 1, "c": 1}, {"b": 1}, {"a": 1, "b": 1}, [], (1,)]:
            _agrees(package, direction, schema, check, value)
