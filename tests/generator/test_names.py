"""Names: any spec name maps to a valid, readable, collision-free Python name."""

from __future__ import annotations

import json
import keyword
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.parser import TAKEN_OPERATION_NAMES, names, parse
from codegen.runtime._async import AsyncBaseClient
from codegen.runtime._client import BaseClient
from tests.support.inline import document, generated
from tests.support.type_check import mypy_strict

CONVERTERS = (names.snake, names.field, names.pascal)


def is_plain_identifier(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)


@given(st.text())
def test_any_string_becomes_an_ascii_identifier_deterministically(raw: str) -> None:
    for convert in CONVERTERS:
        name = convert(raw)
        assert is_plain_identifier(name), (convert.__name__, raw, name)
        assert convert(raw) == name
    assert not names.field(raw)[0].isupper() and names.pascal(raw)[0].isupper()
    assert names.snake(raw) not in names.RESERVED_SNAKE


@given(st.lists(st.text(max_size=8), max_size=12), st.sets(st.text(max_size=6), max_size=4))
def test_a_set_of_names_gets_distinct_names_avoiding_the_taken_ones(
    raws: list[str], taken: set[str]
) -> None:
    for convert in CONVERTERS:
        chosen = names.assign(raws, convert, taken)
        assert set(chosen) == set(raws)
        assert len(set(chosen.values())) == len(chosen)
        assert not set(chosen.values()) & taken
        assert all(is_plain_identifier(name) for name in chosen.values())
        assert names.assign(raws, convert, taken) == chosen
        for raw, name in chosen.items():
            if convert(raw) == raw and raw not in taken:
                assert name == raw  # a name already fine is never displaced


@given(st.from_regex(r"[a-z][a-zA-Z]{0,12}", fullmatch=True))
def test_readable_names_stay_as_they_are(name: str) -> None:
    assert names.field(name) == name or keyword.iskeyword(name) or name in names.RESERVED_SNAKE
    assert names.pascal(name[0].upper() + name[1:]) == name[0].upper() + name[1:]


def test_examples() -> None:
    table = {
        "Error-2": ("error_2", "Error2"),
        "class": ("class_", "Class"),
        "2d": ("n2d", "N2d"),
        "get-thing.v2": ("get_thing_v2", "GetThingV2"),
        "X-Request-Id": ("x_request_id", "XRequestId"),
        "createVideoGeneration": ("create_video_generation", "CreateVideoGeneration"),
        "café": ("cafe", "Cafe"),
        "名前": ("u540d_u524d", "U540dU524d"),
        "None": ("none", "NoneModel"),
        "": ("value", "Model"),
    }
    for raw, (snake, pascal) in table.items():
        assert (names.snake(raw), names.pascal(raw)) == (snake, pascal), raw
    assert names.assign(["Error-2", "Error2", "error"], names.pascal) == {
        "Error-2": "Error2V2",
        "Error2": "Error2",
        "error": "Error",
    }
    assert names.assign(["a b", "a_b", "class"], names.field) == {
        "a b": "a_b_2",
        "a_b": "a_b",
        "class": "class_",
    }


def test_operation_names_avoid_every_client_attribute() -> None:
    for client in (BaseClient, AsyncBaseClient):
        public = {name for name in dir(client) if not name.startswith("_")}
        assert public <= TAKEN_OPERATION_NAMES, public - TAKEN_OPERATION_NAMES


REF = "#/components/schemas/"
TRICKY_SCHEMAS: dict[str, Any] = {
    "Error-2": {
        "type": "object",
        "required": ["class", "message"],
        "properties": {
            "class": {"type": "string"},
            "2d": {"type": "integer"},
            "message": {"type": "string"},
            "a b": {"type": "string"},
            "a_b": {"type": "string"},
            "kind": {"enum": ["a-b", "1", ""]},
            "str": {"type": "string"},
            "None": {"type": "boolean"},
        },
    },
    "Error2": {"type": "object", "properties": {"x": {"type": "string"}}},
    "Client": {"type": "object", "properties": {"id": {"type": "string"}}},
    "class": {
        "type": "object",
        "properties": {"class": {"type": "integer"}, "2d": {"type": "integer"}},
    },
}


def json_content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF + name}}}


TRICKY_PATHS: dict[str, Any] = {
    "/things/{thing-id}": {
        "parameters": [
            {"name": "thing-id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "post": {
            "operationId": "get-thing.v2",
            "parameters": [
                {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
                {"name": "class", "in": "query", "schema": {"enum": ["a-b", "1", ""]}},
                {"name": "timeout", "in": "query", "schema": {"type": "integer"}},
            ],
            "requestBody": {"content": json_content("class")},
            "responses": {
                "200": {"description": "ok", "content": json_content("Error-2")},
                "201": {"description": "ok", "content": json_content("Client")},
                "202": {"description": "ok", "content": json_content("Error2")},
            },
        },
    }
}


@pytest.mark.slow
def test_a_spec_of_tricky_names_generates_a_package_that_imports_and_type_checks(
    tmp_path: Path,
) -> None:
    spec = document(schemas=TRICKY_SCHEMAS, paths=TRICKY_PATHS)
    with generated(spec, tmp_path) as package:
        assert {"Error2V2", "Error2", "ClientModel", "Class"} <= set(package.__all__)
        body: Any = {"class": 1, "2d": 2}
        request = package.build_get_thing_v2(
            api_key="k", thing_id="a/b", x_request_id="r", class_="a-b", timeout_=3, **body
        )
        assert request.url.endswith("/things/a%2Fb?class=a-b&timeout=3")
        assert request.headers["X-Request-Id"] == "r"
        assert request.json() == {"class": 1, "2d": 2}
        with_empty = package.build_get_thing_v2(api_key="k", thing_id="t", class_="")
        assert with_empty.url.endswith("?class=")
        answer = {"class": "c", "message": "m", "2d": 4, "a b": "x", "a_b": "y", "None": True}
        parsed = package.parse_get_thing_v2_response(200, {}, json.dumps(answer).encode())
        assert isinstance(parsed, package.Error2V2)
        assert (parsed.class_, parsed.n2d, parsed.a_b_2, parsed.a_b, parsed.none) == (
            "c",
            4,
            "x",
            "y",
            True,
        )
        assert package._decode.to_json(parsed) == answer
        checked = mypy_strict(
            f"import {package.__name__} as p\n"
            'body: p.Class = {"class": 1, "2d": 2}\n'
            'p.build_get_thing_v2(api_key="k", thing_id="t", class_="1", timeout_=1, **body)\n'
            'task: p.Error2V2 | p.ClientModel | p.Error2 = p.Client("k").get_thing_v2("t")\n',
            tmp_path,
            tmp_path / "out",
        )
        assert checked.returncode == 0, checked.stdout
        whole = mypy_strict(f"import {package.__name__}\n", tmp_path, tmp_path / "out")
        assert whole.returncode == 0, whole.stdout


def test_names_that_clash_after_mapping_are_numbered_in_spec_order() -> None:
    paths = {
        "/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}},
        "/b": {"get": {"operationId": "get-a", "responses": {"200": {"description": "ok"}}}},
        "/c": {"get": {"operationId": "send", "responses": {"200": {"description": "ok"}}}},
    }
    api = parse(document(paths=paths), "inline")
    assert [op.name for op in api.operations] == ["get_a", "get_a_2", "send_"]


def test_property_names_with_quotes_and_backslashes_generate_predicates(tmp_path: Path) -> None:
    # Each sub-schema is an object, so each gets a predicate of its own named for the property.
    odd = ['say """hi"""', "a\\N", "u\\u12", "end\\"]
    part = {"type": "object", "properties": {"x": {"type": "integer"}}}
    schemas = {"Odd": {"type": "object", "properties": dict.fromkeys(odd, part)}}
    paths = {
        "/odd": {
            "post": {
                "operationId": "postOdd",
                "requestBody": {"content": json_content("Odd")},
                "responses": {"204": {"description": "done"}},
            }
        }
    }
    with generated(document(schemas=schemas, paths=paths), tmp_path) as package:
        good: Any = {name: {"x": 1} for name in odd}
        assert package.build_post_odd(api_key="k", **good).json() == good
        with pytest.raises(package.RequestValidationError):
            package.build_post_odd(api_key="k", **{odd[1]: {"x": "one"}})
