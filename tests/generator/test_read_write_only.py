"""``readOnly``, ``writeOnly`` and ``deprecated`` properties in requests and responses."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.inline import document, generated, post
from tests.support.type_check import mypy_strict

OWNER = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
    },
}
THING = {
    "type": "object",
    "required": ["id", "name", "password", "owner"],
    "properties": {
        "id": {"type": "string", "readOnly": True, "description": "Set by the server."},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True, "minLength": 8},
        "owner": {"$ref": "#/components/schemas/Owner"},
        "created": {"$ref": "#/components/schemas/Stamp", "readOnly": True},
        "colour": {"type": "string", "deprecated": True, "description": "Use shade."},
        "shade": {"type": "string"},
    },
}
SPEC = document(
    schemas={"Owner": OWNER, "Stamp": {"type": "integer"}, "Thing": THING},
    paths=post({"$ref": "#/components/schemas/Thing"}, {"$ref": "#/components/schemas/Thing"}),
)
SENT = {"name": "n", "password": "secret-1", "owner": {"name": "o"}}
RETURNED = {"id": "t1", "name": "n", "owner": {"id": "o1", "name": "o"}, "created": 1}


def parse(package: Any, body: dict[str, Any], strict: bool = False) -> Any:
    return package.parse_create_thing_response(200, {}, json.dumps(body).encode(), strict=strict)


def test_read_only_properties_are_not_sent_nor_required(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        request = package.build_create_thing(api_key="k", **SENT)
        assert request.json() == SENT
        assert set(package.ThingParams.__annotations__) == {
            "name",
            "password",
            "owner",
            "colour",
            "shade",
        }
        assert set(package.params.OwnerParams.__annotations__) == {"name"}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"id": "mine"}, "id"),
        ({"created": 5}, "created"),
        ({"owner": {"id": "x", "name": "o"}}, "owner.id"),
    ],
)
def test_a_read_only_property_sent_is_refused_by_name(
    tmp_path: Path, change: dict[str, Any], path: str
) -> None:
    with generated(SPEC, tmp_path) as package:
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_thing(api_key="k", **{**SENT, **change})
        assert [(e.path, e.rule) for e in raised.value.errors] == [(path, "readOnly")]
        assert "read-only" in str(raised.value)


def test_write_only_properties_are_not_required_in_responses(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        for strict in (False, True):
            thing = parse(package, RETURNED, strict)
            assert thing.id == "t1" and thing.password is None
        fields = {f.name: f for f in dataclasses.fields(package.Thing)}
        assert fields["password"].default is None
        assert fields["id"].default is dataclasses.MISSING  # read-only: returned, so required
        with pytest.raises(package.ResponseValidationError) as raised:
            parse(package, {k: v for k, v in RETURNED.items() if k != "id"})
        assert [(e.path, e.rule) for e in raised.value.errors] == [("id", "required")]
        # Still a request's required field, and still checked when a response carries it.
        with pytest.raises(package.RequestValidationError, match="password: is required"):
            package.build_create_thing(api_key="k", name="n", owner={"name": "o"})
        with pytest.raises(package.ResponseValidationError, match="password"):
            parse(package, {**RETURNED, "password": "short"})


def test_deprecated_properties_say_so_in_their_docs(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        assert package.__file__ is not None
        folder = Path(package.__file__).parent
        note = "Deprecated: the spec marks this field deprecated. Use shade."
        for module, annotation in (
            ("models.py", "str | None = None"),
            ("params.py", "NotRequired[str]"),
        ):
            text = (folder / module).read_text()
            assert f'colour: {annotation}\n    """{note}"""' in text, module
        assert f"colour: {note}" in " ".join(package.build_create_thing.__doc__.split())


@pytest.mark.slow
def test_the_directed_models_pass_mypy_strict(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        name = package.__name__
        checked = mypy_strict(
            f"import {name} as p\n"
            "client = p.Client('k')\n"
            "thing = client.create_thing(name='n', password='secret-1', owner={'name': 'o'})\n"
            "thing_id: str = thing.id\n"
            "password: str | None = thing.password\n",
            tmp_path,
            tmp_path / "out",
        )
        assert checked.returncode == 0, checked.stdout
        refused = mypy_strict(
            f"import {name} as p\n"
            "c = p.Client('k')\n"
            "c.create_thing(id='x', name='n', password='secret-1', owner={'name': 'o'})\n"
            "c.create_thing(name='n', password='secret-1', owner={'id': 'x', 'name': 'o'})\n",
            tmp_path,
            tmp_path / "out",
        )
        assert refused.stdout.count("error:") == 2, refused.stdout
        assert '"id"' in refused.stdout
