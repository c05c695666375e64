"""Type-check a snippet against a generated package with ``mypy --strict``, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def mypy_strict(code: str, folder: Path, path: Path) -> subprocess.CompletedProcess[str]:
    snippet = folder / "snippet.py"
    snippet.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", str(snippet)],
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(path), "PATH": ""},
    )
