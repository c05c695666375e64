"""What published specs use: each on a small inline spec that generates, imports and type-checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.inline import document, generated, post
from tests.support.type_check import mypy_strict

REF = "#/components/schemas/"


def type_checks(package: Any, tmp_path: Path, code: str = "") -> None:
    checked = mypy_strict(f"import {package.__name__} as p\n{code}", tmp_path, tmp_path / "out")
    assert checked.returncode == 0, checked.stdout


@pytest.mark.slow
def test_unknown_vendor_keys_are_ignored_everywhere(tmp_path: Path) -> None:
    body = {
        "type": "object",
        "x-internal": True,
        "properties": {"name": {"type": "string", "x-order": 1}},
    }
    paths = post({"$ref": REF + "Body"}, {"$ref": REF + "Thing"}, x_codegen_skip=False)
    operation = paths["/things"]["post"]
    operation["parameters"] = [
        {"name": "q", "in": "query", "schema": {"type": "string"}, "x-example-note": "n"}
    ]
    operation["responses"]["200"]["x-rate-limited"] = True
    operation["requestBody"]["x-body-name"] = "thing"
    spec = document(
        schemas={"Body": body, "Thing": {"type": "object", "x-tags": ["a"]}}, paths=paths
    )
    spec["x-logo"] = {"url": "https://example.test/logo.png"}
    spec["paths"]["/things"]["x-path-note"] = "n"
    spec["info"]["x-audience"] = "public"
    with generated(spec, tmp_path) as package:
        assert package.build_create_thing(api_key="k", q="a", name="n").json() == {"name": "n"}
        type_checks(package, tmp_path, 'p.build_create_thing(api_key="k", name="n")\n')


@pytest.mark.slow
def test_nullable_as_a_type_list_and_as_any_of_null(tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "c": {"anyOf": [{"$ref": REF + "Inner"}, {"type": "null"}]},
        },
    }
    inner = {"type": "object", "properties": {"x": {"type": "integer"}}}
    spec = document(
        schemas={"Thing": thing, "Inner": inner},
        paths=post({"$ref": REF + "Thing"}, {"$ref": REF + "Thing"}),
    )
    with generated(spec, tmp_path) as package:
        request = package.build_create_thing(api_key="k", a=None, b=None, c=None)
        assert request.json() == {"a": None, "b": None, "c": None}
        answer = {"a": None, "b": 2, "c": {"x": 1}}
        parsed = package.parse_create_thing_response(200, {}, json.dumps(answer).encode())
        assert parsed.a is None and parsed.b == 2 and parsed.c.x == 1
        type_checks(
            package,
            tmp_path,
            'p.build_create_thing(api_key="k", a=None, b=None, c=None)\n'
            'p.build_create_thing(api_key="k", a="s", b=1, c={"x": 1})\n',
        )


@pytest.mark.slow
def test_ref_with_sibling_keywords(tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "properties": {
            "size": {"$ref": REF + "Size", "description": "The size.", "maximum": 10},
        },
    }
    size = {"type": "integer", "minimum": 1}
    spec = document(
        schemas={"Thing": thing, "Size": size},
        paths=post({"$ref": REF + "Thing"}, {"$ref": REF + "Thing"}),
    )
    with generated(spec, tmp_path) as package:
        assert package.build_create_thing(api_key="k", size=5).json() == {"size": 5}
        for bad, rule in ((0, "minimum"), (11, "maximum")):
            try:
                package.build_create_thing(api_key="k", size=bad)
            except package.RequestValidationError as error:
                assert [e.rule for e in error.errors] == [rule]
            else:
                raise AssertionError(f"{bad} not refused")
        type_checks(package, tmp_path, 'p.build_create_thing(api_key="k", size=5)\n')


@pytest.mark.slow
def test_formats_defaults_and_annotations(tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "link": {"type": "string", "format": "uri"},
            "blob": {"type": "string", "format": "binary"},
            "count": {"type": "integer", "default": 3},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []},
            "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
        },
    }
    spec = document(
        schemas={"Thing": thing}, paths=post({"$ref": REF + "Thing"}, {"$ref": REF + "Thing"})
    )
    with generated(spec, tmp_path) as package:
        request = package.build_create_thing(api_key="k", at="2024-01-01T00:00:00Z")
        assert request.json() == {"at": "2024-01-01T00:00:00Z"}
        parsed = package.parse_create_thing_response(200, {}, b'{"link": "https://x.test"}')
        assert parsed.link == "https://x.test"
        type_checks(package, tmp_path, 'p.build_create_thing(api_key="k", count=1, mode="b")\n')


@pytest.mark.slow
def test_recursive_schemas_in_requests_and_responses(tmp_path: Path) -> None:
    node = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": REF + "Node"}},
            "parent": {"anyOf": [{"$ref": REF + "Node"}, {"type": "null"}]},
        },
    }
    spec = document(
        schemas={"Node": node}, paths=post({"$ref": REF + "Node"}, {"$ref": REF + "Node"})
    )
    with generated(spec, tmp_path) as package:
        tree = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
        assert package.build_create_thing(api_key="k", **tree).json() == tree
        try:
            package.build_create_thing(api_key="k", name="a", children=[{"children": []}])
        except package.RequestValidationError as error:
            assert [(e.path, e.rule) for e in error.errors] == [("children[0].name", "required")]
        else:
            raise AssertionError("not refused")
        parsed = package.parse_create_thing_response(200, {}, json.dumps(tree).encode())
        assert parsed.children[0].children[0].name == "c"
        assert isinstance(parsed.children[0], package.Node)
        type_checks(
            package,
            tmp_path,
            'n = p.Client("k").create_thing(name="a", children=[{"name": "b"}])\n'
            "assert n.children is None or n.children[0].name\n",
        )


@pytest.mark.slow
def test_a_deprecated_operation_warns_and_says_so(tmp_path: Path) -> None:
    paths = post({"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "object"})
    paths["/things"]["post"]["deprecated"] = True
    with generated(document(paths=paths), tmp_path) as package:
        assert "Deprecated" in package.build_create_thing.__doc__
        assert "Deprecated" in (package.Client.create_thing.__doc__ or "")
        with pytest.warns(DeprecationWarning, match="createThing is deprecated"):
            package.build_create_thing(api_key="k", a="x")
        type_checks(package, tmp_path, 'p.build_create_thing(api_key="k", a="x")\n')


@pytest.mark.slow
def test_array_query_parameters_exploded_or_not(tmp_path: Path) -> None:
    array = {"type": "array", "items": {"type": "string"}}
    paths = {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {"name": "tag", "in": "query", "schema": array},
                    {"name": "id", "in": "query", "style": "form", "explode": False}
                    | {"schema": array},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    with generated(document(paths=paths), tmp_path) as package:
        request = package.build_list_items(api_key="k", tag=["a", "b"], id=["1", "2"])
        assert request.url.endswith("/items?tag=a&tag=b&id=1%2C2")
        assert package.build_list_items(api_key="k", id=[]).url.endswith("/items")
        type_checks(package, tmp_path, 'p.build_list_items(api_key="k", id=["1"])\n')
