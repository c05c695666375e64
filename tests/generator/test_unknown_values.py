"""Any spec's response models keep unknown properties, and type enums as open."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.inline import document, generated, post
from tests.support.type_check import mypy_strict

LEVEL = {"type": "integer", "enum": [1, 2], "description": "How loud."}
PART = {
    "type": "object",
    "required": ["role"],
    "properties": {"role": {"enum": ["lead", "extra"]}},
    "additionalProperties": False,
}
THING = {
    "type": "object",
    "required": ["kind", "level"],
    "properties": {
        "kind": {"const": "thing"},
        "level": {"$ref": "#/components/schemas/Level"},
        "mood": {"anyOf": [{"enum": ["calm", "busy"]}, {"type": "null"}]},
        "extra": {"type": "string", "description": "A property named like the extra field."},
        "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
    },
}
SPEC = document(
    schemas={"Level": LEVEL, "Part": PART, "Thing": THING},
    paths=post({"type": "object"}, {"$ref": "#/components/schemas/Thing"}),
)
VALID = {"kind": "thing", "level": 1, "mood": None, "extra": "e", "parts": [{"role": "lead"}]}


def parse(package: Any, body: dict[str, Any], strict: bool = False) -> Any:
    return package.parse_create_thing_response(200, {}, json.dumps(body).encode(), strict=strict)


def test_the_extra_field_steps_aside_for_a_property_of_that_name(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        names = [f.name for f in dataclasses.fields(package.Thing)]
        assert names[-1] == "extra_" and "extra" in names
        assert [f.name for f in dataclasses.fields(package.Part)] == ["role", "extra_"]
        body = {**VALID, "new": [1], "parts": [{"role": "lead", "colour": "red"}]}
        thing = parse(package, body)
        assert thing.extra == "e" and thing.extra_ == {"new": [1]}
        # Part forbids other properties: only a lenient read keeps one.
        assert thing.parts[0].extra_ == {"colour": "red"}
        text = Path(package.operations.__file__).read_text()
        assert "kept\n    in each model's ``extra_``" in text


@pytest.mark.parametrize(
    ("change", "path", "rule"),
    [
        ({"level": 3}, "level", "enum"),
        ({"kind": "thing.v2"}, "kind", "const"),
        ({"mood": "sleepy"}, "mood", "anyOf"),
        ({"parts": [{"role": "cameo"}]}, "parts[0].role", "enum"),
        ({"parts": [{"role": "lead", "colour": "red"}]}, "parts[0].colour", "additionalProperties"),
    ],
)
def test_unlisted_values_are_kept_leniently_and_refused_strictly(
    tmp_path: Path, change: dict[str, Any], path: str, rule: str
) -> None:
    with generated(SPEC, tmp_path) as package:
        body = {**VALID, **change}
        thing = parse(package, body)
        assert package._decode.to_json(thing) == {k: v for k, v in body.items() if v is not None}
        with pytest.raises(package.ResponseValidationError) as raised:
            parse(package, body, strict=True)
        assert [(e.path, e.rule) for e in raised.value.errors] == [(path, rule)]


@pytest.mark.parametrize(
    "change", [{"level": "3"}, {"level": 1.5}, {"kind": 1}, {"mood": 2}, {"parts": [{}]}]
)
def test_wrong_types_and_missing_fields_fail_either_way(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    with generated(SPEC, tmp_path) as package:
        for strict in (False, True):
            with pytest.raises(package.ResponseValidationError):
                parse(package, {**VALID, **change}, strict)


@pytest.mark.slow
def test_open_annotations_keep_the_literal_and_pass_mypy_strict(tmp_path: Path) -> None:
    with generated(SPEC, tmp_path) as package:
        assert package.__file__ is not None
        text = (Path(package.__file__).parent / "models.py").read_text()
        assert "Level: TypeAlias = Literal[1, 2]" in text
        for line in (
            "kind: Literal['thing'] | str",
            "level: Level | int",
            "mood: Literal['calm', 'busy'] | str | None = None",
            "role: Literal['lead', 'extra'] | str",
            "extra_: dict[str, Any] = _field(",
        ):
            assert line.replace("'", '"') in text, line
        checked = mypy_strict(
            f"import {package.__name__} as p\n"
            "thing = p.parse_create_thing_response(200, {}, b'{}', strict=True)\n"
            "level: int = thing.level\n"
            "kind: str = thing.kind\n"
            "unknown: dict[str, object] = thing.extra_\n"
            "named: str | None = thing.extra\n",
            tmp_path,
            tmp_path / "out",
        )
        assert checked.returncode == 0, checked.stdout
