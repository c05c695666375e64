"""The generator: deterministic, standard-library output, any spec, clear refusals."""

from __future__ import annotations

import filecmp
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.loader import load
from codegen.parser import parse
from codegen.render import generate
from tests.contract.spec import DEFAULT_SPEC_PATH as SPEC_PATH
from tests.contract.spec import ROOT

SECOND_SPEC = ROOT / "tests" / "specs" / "inventory.yaml"


def generate_to(spec: Path, out: Path, package: str) -> Path:
    return generate(parse(load(spec), package), out, spec.name)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("second")
    generate_to(SECOND_SPEC, out, "inventory")
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("inventory")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "inventory" or n.startswith("inventory.")]:
            del sys.modules[name]


@pytest.mark.slow
def test_generation_is_deterministic_and_matches_the_committed_package(tmp_path: Path) -> None:
    first = generate_to(SPEC_PATH, tmp_path / "a", "elkapi")
    second = generate_to(SPEC_PATH, tmp_path / "b", "elkapi")
    for other in (second, ROOT / "generated" / "elkapi"):
        comparison = filecmp.dircmp(first, other, ignore=["__pycache__"])
        assert not (comparison.left_only or comparison.right_only or comparison.diff_files)
        for name in comparison.common_files:
            assert (first / name).read_bytes() == (other / name).read_bytes(), name


@pytest.mark.slow
def test_the_generated_package_needs_only_the_standard_library() -> None:
    script = (
        # Every public name: importing the package alone loads none of its modules.
        "import sys; sys.path.insert(0, sys.argv[1]); from elkapi import *; "
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script, str(ROOT / "generated")],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(result.stdout.split())
    assert "elkapi" in loaded
    outside = {m for m in loaded if m not in sys.stdlib_module_names and not m.startswith("_")}
    assert outside == {"elkapi"}


def test_generated_files_hold_no_machine_paths_or_secrets() -> None:
    for path in (ROOT / "generated" / "elkapi").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text and "/tmp/" not in text and "Bearer sk-" not in text, path


def test_second_spec_builds_path_query_and_header_parameters(inventory: Any) -> None:
    request = inventory.build_list_items(
        store_id=7, limit=10, sku=["123-ab", "456-x"], order="desc", x_request_id="r-1"
    )
    assert request.method == "GET"
    assert (
        request.url
        == "https://inventory.example.test/api/v2/stores/7/items?limit=10&sku=123-ab&sku=456-x&order=desc"
    )
    assert request.headers["X-Request-Id"] == "r-1"
    assert "Authorization" not in request.headers  # the operation declares no security
    assert request.body is None


@pytest.mark.parametrize(
    ("arguments", "path", "rule"),
    [
        ({"store_id": 0}, "store_id", "minimum"),
        ({"store_id": 1, "limit": 101}, "limit", "maximum"),
        ({"store_id": 1, "sku": ["1-a"]}, "sku[0]", "pattern"),
        ({"store_id": 1, "sku": ["\u0661\u0662\u0663-a"]}, "sku[0]", "pattern"),  # \d is ASCII
        ({"store_id": 1, "sku": ["123-a", "123-b", "123-c", "123-d"]}, "sku", "maxItems"),
        ({"store_id": 1, "x_request_id": "x" * 37}, "x_request_id", "maxLength"),
        ({"store_id": True}, "store_id", "type"),
        ({"store_id": 1, "order": "random"}, "order", "enum"),
    ],
)
def test_second_spec_refuses_bad_parameters(
    inventory: Any, arguments: dict[str, Any], path: str, rule: str
) -> None:
    with pytest.raises(inventory.RequestValidationError) as raised:
        inventory.build_list_items(**arguments)
    assert [(e.path, e.rule) for e in raised.value.errors] == [(path, rule)]


GOOD_ITEM = {
    "name": "Dune",
    "price": 9.5,
    "tags": ["sf"],
    "details": {"kind": "book", "isbn": "9780441013593"},
}


@pytest.mark.parametrize(
    ("change", "path", "rule"),
    [
        ({"colour": "red"}, "colour", "additionalProperties"),
        ({"price": 0}, "price", "exclusiveMinimum"),
        ({"tags": ["a", "a"]}, "tags", "uniqueItems"),
        ({"tags": []}, "tags", "minItems"),
        ({"name": ""}, "name", "minLength"),
        ({"details": {"kind": "book", "isbn": "123"}}, "details.isbn", "pattern"),
        ({"details": {"kind": "music", "minutes": 0}}, "details.minutes", "exclusiveMinimum"),
        ({"details": {"kind": "film"}}, "details.kind", "discriminator"),
        ({"details": {"isbn": "9780441013593"}}, "details.kind", "required"),
    ],
)
def test_second_spec_refuses_bad_bodies(
    inventory: Any, change: dict[str, Any], path: str, rule: str
) -> None:
    with pytest.raises(inventory.RequestValidationError) as raised:
        inventory.build_create_item(api_key="k", store_id=1, **{**GOOD_ITEM, **change})
    assert (path, rule) in [(e.path, e.rule) for e in raised.value.errors], raised.value


def test_second_spec_parses_responses_and_errors(inventory: Any) -> None:
    request = inventory.build_create_item(api_key="k", store_id=1, **GOOD_ITEM)
    assert request.json() == GOOD_ITEM and request.headers["Authorization"] == "Bearer k"
    item = inventory.parse_create_item_response(
        201, {}, json.dumps({"id": "i1", "name": "Dune", "price": 9}).encode()
    )
    assert isinstance(item, inventory.Item) and item.price == 9.0 and isinstance(item.price, float)
    page = inventory.parse_list_items_response(
        200,
        {},
        json.dumps({"items": [{"id": "i", "name": "n", "price": 1}], "next": None}).encode(),
    )
    assert isinstance(page.items[0], inventory.Item)
    with pytest.raises(inventory.BadRequestError) as raised:
        inventory.parse_create_item_response(400, {}, b'{"detail": "bad price", "status": 400}')
    assert raised.value.message == "bad price" and raised.value.code == 400
    with pytest.raises(inventory.ResponseValidationError):
        inventory.parse_create_item_response(201, {}, b'{"id": "i1"}')


@pytest.mark.slow
def test_second_spec_package_is_clean_under_mypy_strict(inventory: Any) -> None:
    folder = Path(inventory.__file__).parent
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


SMOKE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import elkapi, elkapi.__main__
request = elkapi.build_create_video_generation(api_key="k", prompt="x", metadata={"duration": 8})
assert request.json() == {"model": elkapi.operations.CREATE_VIDEO_GENERATION.body_defaults["model"],
                          "prompt": "x", "metadata": {"duration": 8}}
try:
    elkapi.build_create_video_generation(api_key="k", prompt="x", metadata={"duration": 16})
except elkapi.RequestValidationError as error:
    assert [(e.path, e.rule) for e in error.errors] == [("metadata.duration", "oneOf")]
else:
    raise AssertionError("not refused")
task = {"id": "a", "task_id": "a", "object": "video", "model": "m", "status": "failed",
        "progress": 100, "created_at": 1, "error": {"message": "no", "code": 3}}
parsed = elkapi.parse_retrieve_video_response(200, {}, json.dumps(task).encode())
assert parsed.error is not None and parsed.error.code == 3
print("ok")
"""


def find_python(version: str) -> tuple[str, dict[str, str]] | None:
    """An interpreter for ``version`` and the environment to run it in, or None."""
    candidate = shutil.which(f"python{version}")
    environments = [dict(os.environ)]
    pyenv = shutil.which("pyenv")
    if pyenv:
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
        )
        installed = [v for v in listed.stdout.split() if v.startswith(version + ".")]
        environments += [{**os.environ, "PYENV_VERSION": v} for v in installed]
    for env in environments:
        if candidate is None:
            break
        probe = subprocess.run(
            [candidate, "-c", "print(1)"], env=env, capture_output=True, text=True, check=False
        )
        if probe.stdout.strip() == "1":
            return candidate, env
    return None


@pytest.mark.slow
@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_the_generated_package_runs_on_other_pythons(version: str) -> None:
    found = find_python(version)
    if found is None:
        pytest.skip(f"no python{version} on this machine")
    interpreter, env = found
    result = subprocess.run(
        [interpreter, "-I", "-c", SMOKE, str(ROOT / "generated")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.stdout.strip() == "ok", result.stderr
