"""``python -m codegen``: its version, and without one of its dependencies one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from codegen.__main__ import INSTALL, REQUIREMENTS
from tests.contract.spec import ROOT
from tests.packaging.test_distribution import spec_version

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
