"""The installed distribution: one version everywhere, the console command, the licence."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import codegen
import elkapi
import elkapi.__main__
from elkapi import _spec
from tests.contract.spec import ROOT
from tests.support.documents import spec_version

DISTRIBUTION = "elkapi-contract"


def test_one_version_everywhere() -> None:
    version = spec_version()
    installed = metadata.version(DISTRIBUTION)
    assert installed == version, (
        f"the installed metadata says {installed}, the spec {version}: "
        "reinstall with `.venv/bin/pip install --no-deps -e .` (make pytest does)"
    )
    assert elkapi.__version__ == version
    assert codegen.__version__ == version
    assert _spec.API.user_agent == f"elkapi/{version} (python)"


def test_the_elkapi_command_is_the_generated_cli() -> None:
    (script,) = metadata.entry_points(group="console_scripts", name="elkapi")
    assert script.value == "elkapi.__main__:main"
    assert script.dist is not None and script.dist.name == DISTRIBUTION
    assert script.load() is elkapi.__main__.main


@pytest.mark.slow
def test_the_elkapi_command_names_itself() -> None:
    installed = Path(sys.executable).parent / "elkapi"
    runs = {"elkapi": [str(installed)], "python -m elkapi": [sys.executable, "-m", "elkapi"]}
    for name, command in runs.items():
        result = subprocess.run(
            [*command, "--help"], capture_output=True, text=True, check=False, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: {name} [-h]")


def test_the_licence_is_mit_and_ships_in_the_package() -> None:
    assert metadata.metadata(DISTRIBUTION)["License-Expression"] == "MIT"
    licence = ROOT / "generated" / "elkapi" / "LICENSE"
    assert licence.read_bytes() == (ROOT / "codegen" / "runtime" / "LICENSE").read_bytes()
    text = licence.read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the elkapi-contract authors" in text
