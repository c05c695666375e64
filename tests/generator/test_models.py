"""Data models: a documented default makes a field optional for callers, checked by mypy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.inline import document, generated, post
from tests.support.type_check import mypy_strict

COLOUR = {"type": "string", "enum": ["red", "blue"], "default": "red"}
BODY = {
    "type": "object",
    "required": ["colour", "name"],
    "properties": {
        "colour": {"$ref": "#/components/schemas/Colour"},
        "name": {"type": "string"},
    },
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_default_behind_a_reference_makes_the_field_optional(tmp_path: Path) -> None:
    spec = document(
        schemas={"Colour": COLOUR, "Body": BODY},
        paths=post({"$ref": "#/components/schemas/Body"}, {"type": "object"}),
    )
    with generated(spec, tmp_path) as package:
        assert package.__file__ is not None
        params = Path(package.__file__).parent / "params.py"
        text = params.read_text()
        assert "colour: NotRequired[Colour]" in text and "name: str" in text
        request = package.build_create_thing(api_key="k", name="n")
        assert request.json() == {"colour": "red", "name": "n"}
        checked = mypy_strict(
            f"import {package.__name__} as p\n"
            'p.build_create_thing(api_key="k", name="n")\n'
            'p.Client("k").create_thing(name="n")\n',
            tmp_path,
            tmp_path / "out",
        )
        assert checked.returncode == 0, checked.stdout
        refused = mypy_strict(
            f"import {package.__name__} as p\np.build_create_thing(api_key='k')\n",
            tmp_path,
            tmp_path / "out",
        )
        assert 'Missing named argument "name"' in refused.stdout


@pytest.mark.slow
def test_the_readme_quickstart_passes_mypy_strict(tmp_path: Path) -> None:
    checked = mypy_strict(
        "import elkapi\n"
        'client = elkapi.Client(api_key="...")\n'
        'task = client.create_video_generation(prompt="a cat", seconds="5")\n'
        'request = elkapi.build_create_video_generation(api_key="...", prompt="a cat")\n',
        tmp_path,
        ROOT / "generated",
    )
    assert checked.returncode == 0, checked.stdout
