"""Every ```python block of README.md type-checks under ``mypy --strict`` and runs.

Each block is written to a file of its own and run as a script by this
interpreter, with ``PYTHONPATH=generated`` (as the README says) and the key
and server in ``ELKAPI_API_KEY`` and ``ELKAPI_BASE_URL``, pointing at the
bundled mock, whose tasks finish on their first poll. A block whose fence
reads ```python no-run is type-checked but not run: only for an example that
cannot run here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mypy import api as mypy_api

from tests.contract.mock import MockApi, serve
from tests.contract.spec import ROOT

README = ROOT / "README.md"
KEY = "readme-key-2b9e"
FENCE = re.compile(r"^```python(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class Block:
    """One ```python block: where it starts, what its fence says, its code."""

    line: int
    info: tuple[str, ...]
    code: str

    @property
    def name(self) -> str:
        return f"readme_line_{self.line}"

    @property
    def runs(self) -> bool:
        return "no-run" not in self.info


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of ``text``, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        start = index
        while lines[index] != "```":
            index += 1
        code = "\n".join(lines[start:index]) + "\n"
        blocks.append(Block(start, tuple(opening["info"].split()), code))
        index += 1
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each block as ``<folder>/readme_line_N.py``."""
    folder = tmp_path_factory.mktemp("readme")
    for block in BLOCKS:
        (folder / f"{block.name}.py").write_text(block.code, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def environment() -> Iterator[dict[str, str]]:
    """What a reader's shell would hold: the mock's key and URL, and PYTHONPATH=generated.

    A proxy on a closed loopback port catches any request to another host:
    it fails at once instead of leaving the machine.
    """
    server = serve(MockApi(api_key=KEY, steps_per_poll=100))
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ELKAPI_", "PYTHON")) and "proxy" not in name.lower()
    }
    try:
        yield {
            **kept,
            "ELKAPI_API_KEY": KEY,
            "ELKAPI_BASE_URL": server.url_for("/").rstrip("/"),
            "PYTHONPATH": str(ROOT / "generated"),
            "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
            "no_proxy": "127.0.0.1,localhost",
        }
    finally:
        server.stop()


def test_every_python_block_is_found() -> None:
    text = README.read_text(encoding="utf-8")
    fences = [line for line in text.splitlines() if line.startswith("```python")]
    assert len(BLOCKS) == len(fences) >= 4
    assert sum(not block.runs for block in BLOCKS) <= 1, "keep no-run blocks rare"


@pytest.mark.slow
def test_the_blocks_pass_mypy_strict(folder: Path) -> None:
    files = sorted(str(path) for path in folder.glob("*.py"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MYPYPATH", str(ROOT / "generated"))
        out, err, status = mypy_api.run(["--strict", "--python-version", "3.10", *files])
    assert status == 0, out + err


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in BLOCKS if b.runs], ids=lambda b: b.name)
def test_the_block_runs(block: Block, folder: Path, environment: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, str(folder / f"{block.name}.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, f"README.md line {block.line}:\n{block.code}\n{result.stderr}"
