"""Responses beyond one JSON model: text, no content, and a model per 2xx status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.parser import parse
from tests.support.inline import document, generated

A = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
B = {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}


def get(responses: dict[str, Any]) -> dict[str, Any]:
    """``GET /things`` (``getThing``) with ``responses``."""
    return {"/things": {"get": {"operationId": "getThing", "responses": responses}}}


def json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "json", "content": {"application/json": {"schema": schema}}}


TEXT = {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}
SEVERAL = get(
    {
        "200": json_response({"$ref": "#/components/schemas/A"}),
        "202": json_response({"$ref": "#/components/schemas/B"}),
        "204": {"description": "nothing"},
    }
)


def answer(package: Any, status: int, body: bytes, content_type: str = "application/json") -> Any:
    return package.Client(
        api_key="k",
        transport=package.MockTransport(
            lambda request: package.HttpResponse(status, {"content-type": content_type}, body)
        ),
    )


@pytest.mark.slow
def test_a_text_response_returns_str(tmp_path: Path) -> None:
    with generated(document(paths=get({"200": TEXT})), tmp_path) as package:
        client = answer(package, 200, "héllo\n".encode("latin-1"), "text/plain; charset=latin-1")
        assert client.get_thing() == "héllo\n"
        assert package.parse_get_thing_response(200, {}, "ü".encode()) == "ü"
        request = package.build_get_thing(api_key="k")
        assert request.headers["Accept"] == "text/plain, application/json"
        with pytest.raises(package.ResponseValidationError, match="is not text in"):
            package.parse_get_thing_response(200, {"content-type": "text/plain"}, b"\xff")
        source = (tmp_path / "out" / package.__name__ / "operations.py").read_text()
        assert ") -> str:" in source


def test_a_204_returns_none(tmp_path: Path) -> None:
    spec = get({"204": {"description": "deleted"}})
    with generated(document(paths=spec), tmp_path) as package:
        assert answer(package, 204, b"").get_thing() is None
        with pytest.raises(package.NotFoundError):
            answer(package, 404, b"{}").get_thing()


def test_several_2xx_statuses_pick_their_model_by_status(tmp_path: Path) -> None:
    spec = document(schemas={"A": A, "B": B}, paths=SEVERAL)
    (op,) = parse(spec, "inline").operations
    assert op.success_models == ("A", "B")
    with generated(spec, tmp_path) as package:
        first = answer(package, 200, json.dumps({"a": "x", "b": 1}).encode()).get_thing()
        second = answer(package, 202, json.dumps({"a": "x", "b": 1}).encode()).get_thing()
        # Both bodies fit both models: the status, not the shape, decides.
        assert isinstance(first, package.A) and first.a == "x"
        assert isinstance(second, package.B) and second.b == 1
        assert answer(package, 204, b"").get_thing() is None
        with pytest.raises(package.ResponseValidationError):
            answer(package, 202, json.dumps({"a": "x"}).encode()).get_thing()
        with pytest.raises(package.ResponseValidationError, match="not a documented"):
            answer(package, 201, b"{}").get_thing()
        source = (tmp_path / "out" / package.__name__ / "client.py").read_text()
        assert ") -> A | B | None:" in source


@pytest.mark.slow
def test_the_kinds_type_check(tmp_path: Path) -> None:
    spec = document(
        schemas={"A": A, "B": B},
        paths={**SEVERAL, "/text": {"get": {"operationId": "getText", "responses": {"200": TEXT}}}},
    )
    with generated(spec, tmp_path) as package:
        name = package.__name__
        user = tmp_path / "out" / "use.py"
        user.write_text(
            f"import {name}\n"
            f"client = {name}.Client(api_key='k')\n"
            f"thing: {name}.A | {name}.B | None = client.get_thing()\n"
            "text: str = client.get_text()\n",
            encoding="utf-8",
        )
        checked = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", str(user)],
            capture_output=True,
            text=True,
            cwd=tmp_path / "out",
            check=False,
        )
        assert checked.returncode == 0, checked.stdout
