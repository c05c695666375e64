"""Bad input to the generator: one line naming the file and the problem, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("empty.yaml", "", "the file is empty"),
        ("blank.yaml", "  \n\n", "the file is empty"),
        ("bad.yaml", "openapi: 3.1.0\npaths: [\n", "invalid YAML: "),
        ("tabs.yaml", "a:\n\tb: 1\n", "invalid YAML: "),
        ("bad.json", '{"openapi": "3.1.0",}', "invalid JSON: "),
        ("list.yaml", "- openapi\n- 3.1.0\n", "not a list"),
        ("text.json", '"openapi"', "not text"),
        ("paths.yaml", "openapi: 3.1.0\npaths: [1]\n", "paths: must be a mapping"),
        ("old.yaml", "openapi: 3.0.3\npaths: {}\n", "only OpenAPI 3.1 documents"),
        ("latin1.yaml", b"openapi: '3.1.0'\ninfo: {title: \xe9}\n", "is not UTF-8 text"),
    ],
)
def test_a_bad_spec_file_is_one_line_naming_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str | bytes,
    problem: str,
) -> None:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    assert main(["--spec", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{path}: ") and problem in err, err
    assert "Traceback" not in err


def test_a_missing_spec_file_and_a_folder_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--spec", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nope.yaml'}: no such file\n"
    assert main(["--spec", str(tmp_path), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{tmp_path}: is a directory, not a file\n"


def test_the_yaml_error_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.1.0\ninfo:\n  title: [unclosed\n", encoding="utf-8")
    assert main(["--spec", str(path), "--out", str(tmp_path)]) == 1
    assert "line 4, column 1" in capsys.readouterr().err


@pytest.mark.slow
def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way", encoding="utf-8")
    spec = str(ROOT / "spec" / "openapi.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--spec", spec, "--out", str(blocker), "--package", "p"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"python -m codegen: cannot write {blocker}: ")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
