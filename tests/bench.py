"""``make bench``: the generated client beside its peers, measured side by side in one run.

``python -m tests.bench [--rounds N] [--sizes 50,200,1000]`` prints one
Markdown table: the time per body of building a request (validate, serialise,
headers) and of parsing a response, for ``elkapi`` and for its peers on the
same bodies (``json`` alone as the floor, ``jsonschema``, ``fastjsonschema``,
a pydantic v2 model made by datamodel-code-generator); the import time of
``elkapi`` (alone, and with what building and parsing load) and of ``json``
in fresh processes; and ``python -m codegen`` on
the project spec and on synthetic specs of many operations. Every number is
the median of ``--rounds`` rounds with the min-max beside it (the contenders
of a table take their rounds in turn), and every ratio compares numbers from
this one run, never from another machine or day.

The peers are dev dependencies only: the generated package needs none of them.
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from tests.contract import cases
from tests.contract import spec as spec_module

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-bench-0123456789abcdef"
BODY = "CreateVideoGenerationRequest"
TASK = "VideoTask"
# What a program that builds requests and reads responses (no client) imports.
BUILD_PATH = "build_create_video_generation, parse_retrieve_video_response"


@dataclass(frozen=True)
class Timing:
    """Seconds per item: the median of the rounds, and their min and max."""

    median: float
    low: float
    high: float

    def cell(self, unit: float = 1e-6, suffix: str = "µs") -> str:
        """``12.3 µs (11.9-13.0)``."""
        return f"{self.median / unit:.1f} {suffix} ({self.low / unit:.1f}-{self.high / unit:.1f})"


_ROUND_SECONDS = 0.1
"""The most one round of one contender takes."""


def timed(
    contenders: dict[str, Callable[[Any], object]],
    items: Sequence[Any],
    rounds: int,
    calls: int = 20_000,
) -> dict[str, Timing]:
    """Per-item time of each contender over ``items``, rounds taken in turn.

    Each round makes about ``calls`` calls of one contender, or fewer where
    they would take more than ``_ROUND_SECONDS`` (a slow peer); round ``n`` of
    every contender runs before round ``n + 1`` of any, so a machine that
    slows down or speeds up during the run moves them all alike.
    """
    repeats: dict[str, int] = {}
    for name, work in contenders.items():  # warm up caches and lazy imports, and calibrate
        started = time.perf_counter()
        for item in items:
            work(item)
        one_pass = max(time.perf_counter() - started, 1e-9)
        repeats[name] = max(1, min(calls // max(len(items), 1), int(_ROUND_SECONDS / one_pass)))
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, work in contenders.items():
            repeat = repeats[name]
            for item in items:  # untimed: the caches the previous contender left are refilled
                work(item)
            gc.collect()  # as timeit does: no collection of another's garbage in a round
            gc.disable()
            try:
                started = time.perf_counter()
                for _ in range(repeat):
                    for item in items:
                        work(item)
                taken = time.perf_counter() - started
            finally:
                gc.enable()
            samples[name].append(taken / (repeat * len(items)))
    return {
        name: Timing(statistics.median(taken), min(taken), max(taken))
        for name, taken in samples.items()
    }


def request_bodies(spec: spec_module.Spec) -> list[dict[str, Any]]:
    """The docs' example bodies and the suite's other valid bodies, as keyword arguments."""
    declared = set(spec.schemas[BODY]["properties"])
    found = [c.body for c in cases.acceptance_cases(spec)]
    return [
        {k: v for k, v in body.items() if k in declared} for body in found if isinstance(body, dict)
    ]


def response_bodies(spec: spec_module.Spec) -> list[bytes]:
    """The documented task responses, encoded."""
    values = [e.value for op in spec.operations for e in op.response_examples]
    return [json.dumps(v).encode() for v in values if isinstance(v, dict) and "status" in v]


def _defs_schema(spec: spec_module.Spec, name: str) -> dict[str, Any]:
    """Component ``name`` as a standalone JSON Schema, its references under ``$defs``."""
    text = json.dumps(spec.schemas).replace("#/components/schemas/", "#/$defs/")
    return {"$ref": f"#/$defs/{name}", "$defs": json.loads(text)}


def pydantic_model(spec: spec_module.Spec, name: str, folder: Path) -> Any:
    """The pydantic v2 model datamodel-code-generator makes for component ``name``."""
    from datamodel_code_generator import PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, InputFileType

    schema = _defs_schema(spec, name)
    schema["title"] = f"{name}Root"
    module = folder / f"peer_{name.lower()}.py"
    generate(
        json.dumps(schema),
        input_file_type=InputFileType.JsonSchema,
        output=module,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_310,
        disable_timestamp=True,
        formatters=[],
    )
    sys.path.insert(0, str(folder))
    loaded = importlib.import_module(module.stem)
    model = getattr(loaded, name, None) or getattr(loaded, f"{name}Root")
    model.model_rebuild()
    return model


# Every import a ``-c`` program made once the interpreter was up: after ``site``, at depth 0.
_TOP_IMPORT = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\S.*)$")


def import_time(code: str, runs: int) -> Timing:
    """Cumulative ``-X importtime`` of what ``code`` imports (its top-level imports), fresh.

    For ``import json`` that is the ``json`` line alone; for code that imports
    more on first use (a lazy package's ``__getattr__``) it is each of those
    imports too. Bytecode is cached as for any installed package (in a folder
    of its own, one unmeasured run first): otherwise, under
    ``PYTHONDONTWRITEBYTECODE``, the package would be compiled on every run
    while the standard library is not, and compiling is not importing.
    """
    with tempfile.TemporaryDirectory() as cache:
        environment = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPATH": str(ROOT / "generated"),
            "PYTHONPYCACHEPREFIX": cache,
        }
        samples = []
        for run in range(runs + 1):
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", code],
                capture_output=True,
                text=True,
                env=environment,
                check=True,
            )
            lines = done.stderr.splitlines()
            started = [i for i, line in enumerate(lines) if line.endswith("| site")]
            assert started, "no import line for site"
            tops = [m for line in lines[started[-1] + 1 :] if (m := _TOP_IMPORT.match(line))]
            assert tops, f"no import line for {code!r}"
            if run:  # the first run fills the bytecode cache
                samples.append(sum(int(m.group(1)) for m in tops) * 1e-6)
    return Timing(statistics.median(samples), min(samples), max(samples))


def synthetic_spec(spec_path: Path, operations: int, folder: Path) -> Path:
    """The project spec with ``operations`` more task reads, each on a path of its own."""
    document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    template = copy.deepcopy(document["paths"]["/v1/videos/{task_id}"]["get"])
    for key in [k for k in template if k.startswith("x-")]:
        del template[key]
    for number in range(operations):
        operation = copy.deepcopy(template)
        operation["operationId"] = f"retrieveThing{number}"
        document["paths"][f"/v1/things{number}/{{task_id}}"] = {"get": operation}
    path = folder / f"synthetic-{operations}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def generate_time(spec_path: Path, rounds: int) -> Timing:
    """Wall time of ``python -m codegen`` on ``spec_path`` in a fresh process."""
    samples = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "codegen", "--spec", str(spec_path), "--out", out],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            samples.append(time.perf_counter() - started)
    return Timing(statistics.median(samples), min(samples), max(samples))


def _rows(
    title: str,
    contenders: dict[str, Callable[[Any], object]],
    items: Sequence[Any],
    rounds: int,
    calls: int,
) -> list[str]:
    timings = timed(contenders, items, rounds, calls)
    ours = timings[next(name for name in timings if name.startswith("elkapi"))].median
    lines = [f"| {title} ({len(items)} bodies) | time per body, median (min-max) | ratio to ours |"]
    lines.append("|---|---|---|")
    for name, timing in timings.items():
        lines.append(f"| {name} | {timing.cell()} | {timing.median / ours:.2f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=25, help="rounds per measurement")
    parser.add_argument(
        "--sizes", default="50,200,1000", help="operations of the synthetic specs (comma-separated)"
    )
    parser.add_argument("--calls", type=int, default=20_000, help="calls per round and contender")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "generated"))
    elkapi = importlib.import_module("elkapi")
    spec = spec_module.load()
    bodies = request_bodies(spec)
    answers = response_bodies(spec)
    body_schema, task_schema = _defs_schema(spec, BODY), _defs_schema(spec, TASK)
    body_check = jsonschema.Draft202012Validator(body_schema).validate
    task_check = jsonschema.Draft202012Validator(task_schema).validate
    fast_body = fastjsonschema.compile(body_schema)
    fast_task = fastjsonschema.compile(task_schema)
    with tempfile.TemporaryDirectory() as folder:
        body_model = pydantic_model(spec, BODY, Path(folder))
        task_model = pydantic_model(spec, TASK, Path(folder))

        def jsonschema_build(body: Any) -> bytes:
            body_check(body)
            return json.dumps(body).encode()

        def fast_build(body: Any) -> bytes:
            fast_body(body)
            return json.dumps(body).encode()

        def jsonschema_parse(raw: bytes) -> Any:
            data = json.loads(raw)
            task_check(data)
            return data

        def fast_parse(raw: bytes) -> Any:
            data = json.loads(raw)
            fast_task(data)
            return data

        build = elkapi.build_create_video_generation
        parse = elkapi.parse_retrieve_video_response
        lines = [f"Measured {time.strftime('%Y-%m-%d')} on Python {sys.version.split()[0]}.", ""]
        lines += _rows(
            "building a request",
            {
                "elkapi.build_create_video_generation": lambda b: build(api_key=KEY, **b),
                "json.dumps alone (the floor)": lambda b: json.dumps(b).encode(),
                "pydantic v2 model_validate + model_dump_json": lambda b: body_model.model_validate(
                    b
                ).model_dump_json(exclude_unset=True),
                "fastjsonschema validate + json.dumps": fast_build,
                "jsonschema validate + json.dumps": jsonschema_build,
            },
            bodies,
            args.rounds,
            args.calls,
        )
        lines.append("")
        lines += _rows(
            "parsing a response",
            {
                "elkapi.parse_retrieve_video_response": lambda r: parse(200, {}, r),
                "json.loads alone (the floor)": json.loads,
                "pydantic v2 model_validate_json": task_model.model_validate_json,
                # The like-for-like peer: json.loads, then validation and models in Rust.
                "pydantic v2 model_validate(json.loads)": lambda r: task_model.model_validate(
                    json.loads(r)
                ),
                "json.loads + fastjsonschema validate": fast_parse,
                "json.loads + jsonschema validate": jsonschema_parse,
            },
            answers,
            args.rounds,
            args.calls,
        )
    ours, floor = import_time("import elkapi", args.rounds), import_time("import json", args.rounds)
    building = import_time(f"from elkapi import {BUILD_PATH}", args.rounds)
    lines += [
        "",
        "| import in a fresh process (`-X importtime`, cumulative) | median (min-max) | ratio |",
        "|---|---|---|",
        f"| `import elkapi` | {ours.cell(1e-3, 'ms')} | {ours.median / floor.median:.1f}x json |",
        f"| `from elkapi import {BUILD_PATH}` | {building.cell(1e-3, 'ms')} | "
        f"{building.median / floor.median:.1f}x json |",
        f"| `import json` | {floor.cell(1e-3, 'ms')} | 1.0 |",
        "",
        "| `python -m codegen` | wall time, median (min-max) | per operation |",
        "|---|---|---|",
    ]
    spec_path = ROOT / "spec" / "openapi.yaml"
    project = generate_time(spec_path, max(1, min(3, args.rounds)))
    count = len(spec.operations)
    lines.append(
        f"| project spec ({count} operations) | {project.cell(1, 's')} | "
        f"{project.median / count * 1e3:.0f} ms |"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",") if s):
            path = synthetic_spec(spec_path, size, Path(folder))
            taken = generate_time(path, 1 if size > 200 else min(3, args.rounds))
            total = size + count
            lines.append(
                f"| synthetic spec ({total} operations) | {taken.cell(1, 's')} | "
                f"{taken.median / total * 1e3:.0f} ms |"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
