"""The contract tools themselves: independent of the generator, and read from the spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract import cases, checks, conformance, oracle, spec
from tests.contract.mock import MockApi, serve
from tests.contract.runner import Target
from tests.contract.spec import ROOT

KEY = "tools-test-key-7d1e"
TOOLKIT = ROOT / "tests" / "contract"
# Every module of the toolkit, its subpackages' too (``checks.poll``).
MODULES = sorted(
    ".".join(p.relative_to(TOOLKIT).with_suffix("").parts).removesuffix(".__init__")
    for p in TOOLKIT.rglob("*.py")
    if p != TOOLKIT / "__init__.py"
)


@pytest.mark.slow
def test_the_contract_tools_import_neither_the_generator_nor_its_output() -> None:
    """Of codegen, only the spec-independent runtime the runner sends with (and its parents)."""
    script = (
        "import sys, importlib\n"
        f"for name in {MODULES!r}: importlib.import_module('tests.contract.' + name)\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('codegen', 'elkapi'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    imported = set(result.stdout.split())
    assert "codegen.runtime._http" in imported, "the runner sends through the runtime transport"
    allowed = {"codegen", "codegen.runtime"} | {
        f"codegen.runtime.{path.stem}" for path in (ROOT / "codegen" / "runtime").glob("*.py")
    }
    assert imported <= allowed, f"the generator or its output imported: {imported - allowed}"


# The spec with every name the tools could have hard-coded changed: operation
# ids, the end status, the const of `object`, the progress range, and one
# more model. The tools must follow.
RENAMES = [
    ("createVideoGeneration", "submitClip"),
    ("retrieveVideo", "fetchClip"),
    ("downloadVideoContent", "fetchClipFile"),
    ("completed", "succeeded"),
    ("const: video\n", "const: clip\n"),
    ("object: video\n", "object: clip\n"),
    ("maximum: 100\n", "maximum: 1000\n"),
    (
        "        - doubao-seedance-2-0-fast-260128\n",
        "        - doubao-seedance-2-0-fast-260128\n        - other-model-1\n",
    ),
]


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> spec.Spec:
    text = spec.DEFAULT_SPEC_PATH.read_text(encoding="utf-8")
    for old, new in RENAMES:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("spec") / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    return spec.load(path)


def test_operations_are_found_by_what_they_do(renamed: spec.Spec) -> None:
    assert renamed.submission().operation_id == "submitClip"
    assert renamed.retrieval().operation_id == "fetchClip"
    assert [op.operation_id for op in renamed.retrievals()] == ["fetchClip", "fetchClipGeneration"]
    assert [op.operation_id for op in renamed.operations] == [
        "submitClip",
        "fetchClip",
        "fetchClipGeneration",
        "fetchClipFile",
    ]
    assert renamed.retrieval().path_params == ("task_id",)
    assert renamed.submission().needs_bearer


def test_checks_and_cases_read_their_values_from_the_spec(renamed: spec.Spec) -> None:
    registry = checks.registry(renamed)
    assert registry["response.object"].words == 'object is "clip"'
    assert registry["response.progress"].words == "progress is an integer from 0 to 1000"
    assert "poll.succeeded-url" in registry.breaks
    ids = [case.id for case in cases.acceptance_cases(renamed)]
    assert "accepts.model.other-model-1" in ids
    assert ids[:2] == ["accepts.example.textToVideo", "accepts.example.multimodal"]


@pytest.mark.slow
def test_the_suite_passes_against_a_mock_of_another_spec(
    renamed: spec.Spec, tmp_path: Path
) -> None:
    api = MockApi(api_key=KEY, spec=renamed)
    server = serve(api)
    try:
        target = Target(server.url_for("/").rstrip("/"), KEY, 200, submission=renamed.submission())
        lines: list[str] = []
        status = conformance.run(
            target, examples=1, report_path=tmp_path / "r.xml", out=lines.append, spec=renamed
        )
    finally:
        server.stop()
    assert status == 0, "\n".join(line for line in lines if not line.startswith("PASS"))
    assert "PASS  poll.succeeded-url: a succeeded task carries metadata.url" in lines
    task = next(iter(api.tasks.values())).view
    assert task["object"] == "clip" and task["status"] == "succeeded"
    assert oracle.is_valid("VideoTask", task, renamed)


def test_every_named_break_has_words_and_every_acceptance_case_a_valid_body() -> None:
    for check_id, words in checks.registry().breaks.items():
        assert words and check_id == checks.registry()[check_id].id
    body = spec.load().submission().body_schema
    assert body is not None
    for case in cases.acceptance_cases():
        assert oracle.is_valid(body, case.body), case.id
        assert cases.acceptance_case(case.id) is case


def test_a_completed_task_carries_what_its_documented_example_does() -> None:
    api = MockApi(api_key=KEY)
    example = spec.load().retrieval().examples("response")["completed"]
    server = serve(api)
    try:
        target = Target(server.url_for("/").rstrip("/"), KEY, 5)
        created = target.submit(b'{"model": "doubao-seedance-2-0-260128", "prompt": "p"}').json()
        task_id = created["id"]
        states = [target.send("GET", f"/v1/videos/{task_id}").json() for _ in range(3)]
    finally:
        server.stop()
    done = states[-1]
    assert done["status"] == "completed" and done["id"] == task_id
    assert done["metadata"]["url"] == example["metadata"]["url"].replace(example["id"], task_id)
    assert "seconds" not in done  # no duration was asked for: the echo says nothing
    assert done["completed_at"] >= done["created_at"]


def test_steps_per_poll_finishes_a_task_on_its_first_poll() -> None:
    server = serve(MockApi(api_key=KEY, steps_per_poll=100))
    try:
        target = Target(server.url_for("/").rstrip("/"), KEY, 5)
        created = target.submit(b'{"model": "doubao-seedance-2-0-260128", "prompt": "p"}').json()
        assert created["status"] == "queued"
        first = target.send("GET", f"/v1/videos/{created['id']}").json()
    finally:
        server.stop()
    assert first["status"] == "completed" and first["progress"] == 100
    assert first["metadata"]["url"]
