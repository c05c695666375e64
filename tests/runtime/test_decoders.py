"""The decoders written per model (``_decoders.py``) give exactly what ``decode`` gives.

For every JSON success response with a generated decoder, in the project's
package and in one generated from the OpenAI videos extract: valid values
(drawn from the spec, with unknown properties, and with integers turned into
integer-valued floats here and there, as a server may send them) decode to
equal models with equal attributes, nested models too, each value of the
same type (``1 == 1.0``, so ``==`` alone would miss an int left a float).
"""

from __future__ import annotations

import dataclasses
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import elkapi
from tests.contract import spec as spec_module
from tests.contract.strategies import valid_for
from tests.support.inline import document, generated, generated_from, post

ROOT = Path(__file__).resolve().parents[2]
OPENAI = ROOT / "tests" / "specs" / "real" / "openai-videos.yaml"


@pytest.fixture(scope="module")
def openai_package() -> Iterator[ModuleType]:
    with tempfile.TemporaryDirectory() as folder, generated_from(OPENAI, Path(folder)) as package:
        yield package


def _decoded_responses(package: ModuleType) -> list[tuple[Any, Any, Any, Any]]:
    """(schema, predicate, model, decoder) of every response with a generated decoder."""
    found = []
    for name in sorted(dir(package.operations)):
        operation = getattr(package.operations, name)
        if type(operation).__name__ != "OperationSpec":
            continue
        for status, (model, decoder) in operation.response_decoders.items():
            schema = operation.responses[status]
            found.append((schema, operation.response_checks[status], model, decoder))
    return found


def _floated(value: Any, chance: random.Random) -> Any:
    """``value`` with some of its integers (not booleans) made integer-valued floats."""
    if isinstance(value, dict):
        return {key: _floated(item, chance) for key, item in value.items()}
    if isinstance(value, list):
        return [_floated(item, chance) for item in value]
    if type(value) is int and abs(value) < 2**53 and chance.random() < 0.5:
        return float(value)
    return value


def _same(got: Any, expected: Any) -> bool:
    """Equal, of the same types all the way down, dataclasses compared by ``vars``."""
    if type(got) is not type(expected):
        return False
    if dataclasses.is_dataclass(got):
        return _same(vars(got), vars(expected))
    if isinstance(got, dict):
        return got.keys() == expected.keys() and all(_same(got[k], expected[k]) for k in got)
    if isinstance(got, list):
        return len(got) == len(expected) and all(map(_same, got, expected))
    return bool(got == expected)


def _agrees(package: ModuleType, spec: spec_module.Spec, data: st.DataObject) -> None:
    responses = _decoded_responses(package)
    assert responses
    schema, check, model, decoder = data.draw(st.sampled_from(responses))
    raw = schema
    if "$ref" in schema and not schema["$ref"].startswith("#"):
        raw = {"$ref": f"#/components/schemas/{schema['$ref']}"}
    value = data.draw(valid_for(raw, spec=spec))
    value = _floated(value, data.draw(st.randoms(use_true_random=False)))
    assume(isinstance(value, dict) and check(value))
    expected = package._decode.decode(model, value)
    got = decoder(value)
    assert got == expected
    assert vars(got) == vars(expected)
    assert _same(got, expected), (value, vars(got), vars(expected))


@pytest.mark.slow
@settings(max_examples=300)
@given(data=st.data())
def test_the_project_decoders_give_what_decode_gives(data: st.DataObject) -> None:
    _agrees(elkapi, spec_module.load(), data)


@pytest.mark.slow
@settings(max_examples=300)
@given(data=st.data())
def test_the_openai_videos_decoders_give_what_decode_gives(
    openai_package: ModuleType, data: st.DataObject
) -> None:
    _agrees(openai_package, spec_module.load(OPENAI), data)


def test_the_quick_read_uses_the_decoder_of_the_model_asked_for_only() -> None:
    operation = elkapi.operations.RETRIEVE_VIDEO
    body = b'{"id": "v", "task_id": "v", "object": "video", "model": "m", "status": "queued",'
    body += b' "progress": 1.0, "created_at": 2, "error": {"message": "x", "code": 3.0}}'
    task = elkapi._read.parse_response(operation, elkapi.VideoTask, 200, {}, body)
    assert type(task.progress) is int and type(task.error.code) is int
    assert operation.quick_reads[200][1:] == (elkapi.VideoTask, elkapi._decoders.video_task)
    as_dict = elkapi._read.parse_response(operation, dict, 200, {}, body)
    assert type(as_dict) is dict and as_dict["progress"] == 1.0


INLINE_SCHEMAS: dict[str, Any] = {
    "Part": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "weight": {"type": "number"}},
    },
    "Aliased": {
        "type": "object",
        "required": ["class"],
        "properties": {"class": {"type": "string"}, "count": {"type": "integer"}},
    },
    "Circle": {
        "type": "object",
        "required": ["radius"],
        "properties": {"radius": {"type": "integer"}},
        "additionalProperties": False,
    },
    "Square": {
        "type": "object",
        "required": ["side"],
        "properties": {"side": {"type": "number"}},
        "additionalProperties": False,
    },
    "Thing": {
        "type": "object",
        "required": ["id", "parts"],
        "properties": {
            "id": {"type": "integer"},
            "ratio": {"type": ["number", "null"]},
            "code": {"type": ["string", "integer"]},
            "scale": {"type": ["string", "number"]},
            "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
            "by_name": {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/Part"},
            },
            "tags": {"type": "array", "items": {"type": "string"}},
            "counts": {"type": "array", "items": {"type": "integer"}},
            "aliased": {"$ref": "#/components/schemas/Aliased"},
            "shape": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Circle"},
                    {"$ref": "#/components/schemas/Square"},
                ]
            },
            "label": {"type": "string", "default": "none"},
        },
    },
}


@pytest.fixture(scope="module")
def inline_package() -> Iterator[ModuleType]:
    spec = document(
        schemas=INLINE_SCHEMAS,
        paths=post({"type": "object"}, {"$ref": "#/components/schemas/Thing"}),
    )
    with tempfile.TemporaryDirectory() as folder, generated(spec, Path(folder)) as package:
        yield package


@pytest.mark.slow
@settings(max_examples=300)
@given(data=st.data())
def test_the_decoders_of_an_inline_spec_of_every_kind_give_what_decode_gives(
    inline_package: ModuleType, data: st.DataObject
) -> None:
    spec = spec_module.Spec(Path("inline.yaml"), document(schemas=INLINE_SCHEMAS))
    _agrees(inline_package, spec, data)
