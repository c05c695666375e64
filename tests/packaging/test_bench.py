"""`make bench` keeps working: one quick round prints every row of its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_bench_prints_ours_beside_every_peer() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--rounds", "1", "--sizes", "5", "--calls", "50"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    table = done.stdout
    for row in [
        "| elkapi.build_create_video_generation |",
        "| json.dumps alone (the floor) |",
        "| pydantic v2 model_validate + model_dump_json |",
        "| fastjsonschema validate + json.dumps |",
        "| jsonschema validate + json.dumps |",
        "| elkapi.parse_retrieve_video_response |",
        "| `import elkapi` |",
        "| project spec (",
        "| synthetic spec (",
    ]:
        assert row in table, row
    ours = [line for line in table.splitlines() if line.startswith("| elkapi.")]
    assert all(line.endswith("| 1.00 |") for line in ours), ours
