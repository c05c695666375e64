"""The hand-written spec itself: valid OpenAPI 3.1, and its examples obey its own schemas."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests import contract


def test_the_spec_is_valid_openapi_3_1() -> None:
    validate(contract.load_spec())


def all_examples() -> list[tuple[str, str, object]]:
    found = []
    for operation_id in ("createVideoGeneration", "retrieveVideo"):
        op = contract.operation(operation_id)
        if op.body_schema:
            found += [
                (f"{operation_id}.request.{n}", op.body_schema, v) for n, v in op.examples().items()
            ]
        found += [
            (f"{operation_id}.response.{n}", op.success_schema(), v)
            for n, v in op.examples("response").items()
        ]
    return found


@pytest.mark.parametrize(
    ("where", "schema", "example"), all_examples(), ids=[e[0] for e in all_examples()]
)
def test_every_example_obeys_its_schema(where: str, schema: str, example: object) -> None:
    assert contract.schema_errors(schema, example) == []


def test_the_docs_sample_response_is_there() -> None:
    submitted = contract.operation("createVideoGeneration").examples("response")["submitted"]
    assert submitted["id"] == submitted["task_id"] == "task_abc123"
