"""What the generator refuses, each shown on a small inline spec, with the place named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.loader import SpecError
from codegen.parser import parse
from codegen.parser.names import snake_case
from tests.support.inline import document, generated, post

OBJECT = {"type": "object", "properties": {"name": {"type": "string"}}}


def listing(**parameter: Any) -> dict[str, Any]:
    return {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [{"name": "sku", "in": "query", "schema": {}, **parameter}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"style": "deepObject"}, "only style 'form' with the default explode is supported"),
        ({"style": "pipeDelimited"}, "only style 'form' with the default explode is supported"),
        (
            {"in": "header", "explode": True},
            "only style 'simple' with the default explode is supported",
        ),
        ({"in": "cookie"}, "parameters in 'cookie' are not supported"),
    ],
)
def test_unsupported_parameters_are_refused(parameter: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse(document(paths=listing(**parameter)), "inline")
    assert raised.value.problems == [f"paths./items.get.parameters[0]: {message}"]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "object", "patternProperties": {"^a": {}}}, "patternProperties"),
        ({"type": "string", "pattern": "\\p{L}"}, "pattern"),
        ({"type": "string", "nullable": True}, "nullable"),
        ({"type": "strng"}, "unknown type"),
        ({"$ref": "#/components/schemas/Nope"}, "points at nothing"),
    ],
)
def test_unsupported_schemas_are_refused_with_the_place_named(
    tmp_path: Path, schema: dict[str, Any], message: str
) -> None:
    body = {"type": "object", "properties": {"extra": schema}}
    with (
        pytest.raises(SpecError) as raised,
        generated(
            document(
                schemas={"Body": body}, paths=post({"$ref": "#/components/schemas/Body"}, OBJECT)
            ),
            tmp_path,
        ),
    ):
        pass
    assert message in str(raised.value)
    assert "extra" in str(raised.value) or "Nope" in str(raised.value)


def test_unknown_vendor_keywords_are_ignored() -> None:
    body = {"type": "object", "x-internal-note": "ours", "properties": {}}
    api = parse(document(schemas={"Body": body}), "inline")
    assert api.schemas["Body"] == {"type": "object", "properties": {}}


@given(name=st.from_regex(r"[a-z][a-zA-Z]{0,12}", fullmatch=True))
def test_operation_ids_become_snake_case_functions(name: str) -> None:
    converted = snake_case(name)
    assert converted.isidentifier() and converted == converted.lower()
    assert converted.replace("_", "") == name.lower()
