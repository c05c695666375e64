"""``python -m codegen``: its version; without one of its dependencies, with a package name
Python cannot import safely, or with a folder in the way it did not make, one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import INSTALL, REQUIREMENTS
from codegen.output import MARKER, MARKER_TEXT
from tests.contract.spec import ROOT
from tests.support.documents import spec_version

# Hides the module named by argv[1] (as an uninstalled one), then runs `python -m codegen`.
HIDDEN = """
import runpy, sys
sys.modules[sys.argv[1]] = None
sys.argv = ["codegen", *sys.argv[2:]]
runpy.run_module("codegen", run_name="__main__", alter_sys=True)
"""


def run_without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDDEN, module, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=60,
    )


def test_the_codegen_extra_names_every_requirement() -> None:
    assert INSTALL == "pip install 'elkapi-contract[codegen]'"
    assert sorted(REQUIREMENTS.values()) == [
        "datamodel-code-generator",
        "jinja2",
        "pyyaml",
        "ruff",
    ]


@pytest.mark.parametrize("module", sorted(REQUIREMENTS))
@pytest.mark.parametrize("args", [("--help",), ("--spec", "spec/openapi.yaml", "--out", "x")])
def test_a_missing_dependency_is_one_clear_line(module: str, args: tuple[str, ...]) -> None:
    result = run_without(module, *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"python -m codegen: missing {REQUIREMENTS[module]}; "
        f"install the generator's dependencies: {INSTALL}"
    ]
    assert not (ROOT / "x").exists()


def test_with_every_dependency_help_works() -> None:
    result = run_without("not_a_dependency_of_codegen", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m codegen")


@pytest.mark.slow
def test_codegen_reports_its_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"python -m codegen {spec_version()}"


SPEC = ROOT / "spec" / "openapi.yaml"


def codegen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        ("class", "is a Python keyword, which no import statement can name"),
        ("None", "is a Python keyword, which no import statement can name"),
        ("json", "is a standard-library module, which the package would shadow (and break itself)"),
        ("os", "is a standard-library module, which the package would shadow (and break itself)"),
        ("__init__", "is a dunder name, which Python reserves"),
        ("__main__", "is a dunder name, which Python reserves"),
        (
            "élan",
            "must be an ASCII Python identifier (letters, digits, _; not starting with a digit)",
        ),
        (
            "my-api",
            "must be an ASCII Python identifier (letters, digits, _; not starting with a digit)",
        ),
        (
            "2api",
            "must be an ASCII Python identifier (letters, digits, _; not starting with a digit)",
        ),
    ],
)
def test_a_package_name_python_cannot_import_safely_is_refused_in_one_line(
    tmp_path: Path, package: str, problem: str
) -> None:
    result = codegen("--spec", str(SPEC), "--out", str(tmp_path), "--package", package)
    assert result.returncode == 2
    assert result.stderr == f"python -m codegen: --package {package!r} {problem}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_soft_keyword_names_a_package(tmp_path: Path) -> None:
    # `match` (like `case`, `type`, `_`) is an identifier everywhere an import names one.
    result = codegen("--spec", str(SPEC), "--out", str(tmp_path), "--package", "match")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "match" / MARKER).read_text(encoding="utf-8") == MARKER_TEXT


@pytest.mark.slow
def test_out_leaves_a_folder_it_did_not_make_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "api"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own work", encoding="utf-8")
    result = codegen("--spec", str(SPEC), "--out", str(tmp_path), "--package", "api")
    assert result.returncode == 1
    assert result.stderr == (
        f"python -m codegen: {mine} exists and was not made by the generator (no {MARKER} "
        "file): not replaced; remove it or choose another --out or --package\n"
    )
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "my own work"


@pytest.mark.slow
def test_out_replaces_what_it_made_and_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    first = codegen("--spec", str(SPEC), "--out", str(tmp_path), "--package", "api")
    assert first.returncode == 0, first.stderr
    stale = tmp_path / "api" / "stale.py"
    stale.write_text("# from an older spec\n", encoding="utf-8")
    again = codegen("--spec", str(SPEC), "--out", str(tmp_path), "--package", "api")
    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert (tmp_path / "api" / MARKER).read_text(encoding="utf-8") == MARKER_TEXT


def test_the_committed_package_carries_the_marker() -> None:
    # `make generate` replaces generated/elkapi only because it carries the marker.
    assert (ROOT / "generated" / "elkapi" / MARKER).read_bytes() == MARKER_TEXT.encode()


@pytest.mark.parametrize("problem", ["missing", "waiter"])
def test_a_refusal_quoting_spec_text_is_one_line_with_controls_escaped(
    tmp_path: Path, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text from the spec or its file name in a refusal cannot fake a line or reach the terminal."""
    from codegen.__main__ import main

    folder = tmp_path / "a\x1b[2J\nraise SystemExit"
    folder.mkdir()
    spec = folder / "spec.json"
    if problem == "waiter":
        get = {
            "operationId": "getThing",
            "x-waiter": {"alternatives": ["nope"]},
            "responses": {"200": {"description": "ok"}},
        }
        document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}
        spec.write_text(json.dumps({**document, "paths": {"/a": {"get": get}}}), encoding="utf-8")
    assert main(["--spec", str(spec), "--out", str(tmp_path / "out"), "--package", "p"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err, err
    assert "\\x1b[2J\\nraise SystemExit" in err
