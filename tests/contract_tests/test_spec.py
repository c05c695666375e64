"""The hand-written spec itself: valid OpenAPI 3.1, and its examples obey its own schemas."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests.contract import oracle, spec

SPEC = spec.load()


def test_the_spec_is_valid_openapi_3_1() -> None:
    validate(SPEC.document)


def all_examples() -> list[tuple[str, str, object]]:
    """Every documented example of every operation, request and response."""
    found = []
    for op in SPEC.operations:
        if op.request_examples:
            assert op.body_schema is not None, op.operation_id
            found += [
                (f"{op.operation_id}.request.{e.name}", op.body_schema, e.value)
                for e in op.request_examples
            ]
        if op.response_examples:
            assert op.success_schema is not None, op.operation_id
            found += [
                (f"{op.operation_id}.response.{e.name}", op.success_schema, e.value)
                for e in op.response_examples
            ]
    return found


def test_every_documented_request_example_is_covered() -> None:
    names = {where for where, _, _ in all_examples()}
    for op in SPEC.operations:
        for example in op.request_examples:
            assert f"{op.operation_id}.request.{example.name}" in names
    assert len([n for n in names if ".request." in n]) >= 8


@pytest.mark.parametrize(
    ("where", "schema", "example"), all_examples(), ids=[e[0] for e in all_examples()]
)
def test_every_example_obeys_its_schema(where: str, schema: str, example: object) -> None:
    assert oracle.schema_errors(schema, example) == []


def test_the_docs_sample_response_is_there() -> None:
    submitted = SPEC.operation("createVideoGeneration").examples("response")["submitted"]
    assert submitted["id"] == submitted["task_id"] == "task_abc123"
