"""Conformance mode against the mock: passes when sound, names each rule broken on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.contract import cases, checks, conformance, runner
from tests.contract.mock import MockApi, serve
from tests.contract.runner import FUZZ_EXAMPLES, Outcome, Status, Target, default_budget
from tests.contract.spec import ROOT
from tests.support.conformance_runs import answering, run_conformance

SECRET = "sk-live-" + "5e" * 16
BREAKS = checks.registry().breaks
GROUPS = [case.group for case in cases.refusal_cases() if case.violations]
# The boundary refusals (fixed bodies); the mock's ``accept:<case id>`` break lets them through.
BOUNDARY = [case.id for case in cases.refusal_cases() if case.bodies]
# Every acceptance case; the mock's ``refuse:<case id>`` break refuses exactly its body.
ACCEPTED = [case.id for case in cases.acceptance_cases()]
# The fuzz phase of each break run but accepts.fuzz's: enough to judge a few answers.
SWEEP_FUZZ_EXAMPLES = 3


def break_cases() -> Iterator[tuple[str, str, set[str]]]:
    """(mock break, the rule that must fail, the rules allowed to fail with it)."""
    for name in BREAKS:
        yield name, name, {name}
    for group in GROUPS:
        if group == "body":
            continue  # an object-less body cannot be let through: the mock needs an object
        field = group.removesuffix(".required")
        kind = "required" if group.endswith(".required") else "validation"
        # Letting anything through at a field also lets through what is wrong beneath it.
        beneath = {
            rule
            for rule in [f"refuses.{g}" for g in GROUPS] + BOUNDARY
            if kind == "validation"
            and rule.removeprefix("refuses.").startswith((field + ".", field + "["))
        }
        yield f"{kind}:{field}", f"refuses.{group}", {f"refuses.{group}"} | beneath
    for rule in ACCEPTED:
        yield f"refuse:{rule}", rule, {rule}
    for case in cases.refusal_cases():
        if case.bodies:
            # The random refusals of the field may draw the same body (seconds "").
            field = case.group.rsplit(".", 1)[0]
            yield f"accept:{case.id}", case.id, {case.id, f"refuses.{field}"}


def run_suite(
    api: MockApi,
    *,
    budget: int = 200,
    examples: int = 1,
    fuzz: int = FUZZ_EXAMPLES,
    tmp_path: Path,
) -> tuple[int, dict[str, Outcome], list[str], Target]:
    server = serve(api)
    try:
        target = Target(server.url_for("/").rstrip("/"), api.api_key, budget)
        lines: list[str] = []
        report = tmp_path / "conformance.xml"
        suite_outcomes: dict[str, Outcome] = {}

        def capture(line: str) -> None:
            lines.append(line)

        status = conformance.run(
            target, examples=examples, fuzz=fuzz, report_path=report, out=capture
        )
        for case in ET.parse(report).getroot():
            verdict: Status = (
                "fail"
                if case.find("failure") is not None
                else "skip"
                if case.find("skipped") is not None
                else "pass"
            )
            suite_outcomes[case.attrib["name"]] = Outcome(case.attrib["name"], "", verdict)
        return status, suite_outcomes, lines, target
    finally:
        server.stop()


def failed(outcomes: dict[str, Outcome]) -> set[str]:
    return {rule for rule, o in outcomes.items() if o.status == "fail"}


@pytest.mark.slow
def test_the_suite_passes_against_the_mock(tmp_path: Path) -> None:
    status, outcomes, lines, target = run_suite(
        MockApi(api_key=SECRET), examples=3, tmp_path=tmp_path
    )
    assert status == 0, "\n".join(lines)
    assert {o.status for o in outcomes.values()} == {"pass"}
    expected = (
        {f"refuses.{g}" for g in GROUPS}
        | set(BOUNDARY)
        | set(ACCEPTED)
        | set(BREAKS)
        | {"response.valid", "poll.valid", "coverage"}
    )
    assert expected <= set(outcomes), expected - set(outcomes)
    fuzzed = min(FUZZ_EXAMPLES, target.budget - len(ACCEPTED))
    assert target.spent == len(ACCEPTED) + fuzzed <= target.budget
    assert f"budget: {target.spent} of {target.budget} accepted submissions spent" in lines
    assert lines[-1] == f"{len(outcomes)} passed, 0 failed, 0 skipped"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("broken", "rule", "allowed"),
    list(break_cases()),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_rule_broken_in_the_mock_fails_that_rule(
    broken: str, rule: str, allowed: set[str], tmp_path: Path
) -> None:
    # Fuzzed bodies only decide accepts.fuzz: the other breaks need few of them.
    status, outcomes, lines, _ = run_suite(
        MockApi(api_key=SECRET, broken=frozenset({broken})),
        fuzz=FUZZ_EXAMPLES if broken == checks.FUZZ else SWEEP_FUZZ_EXAMPLES,
        tmp_path=tmp_path,
    )
    assert status == 1
    assert rule in failed(outcomes), "\n".join(lines)
    assert failed(outcomes) <= allowed, failed(outcomes) - allowed
    failure = next(i for i, line in enumerate(lines) if line.startswith(f"FAIL  {rule}:"))
    reproduce = [line for line in lines[failure : failure + 3] if "reproduce: curl" in line]
    assert all(SECRET not in line for line in lines)
    assert reproduce, f"no curl for {rule}"
    if rule.startswith(checks.AUTH_MISSING_TOKEN):
        assert "Authorization" not in reproduce[0]
    elif not rule.startswith(checks.AUTH_WRONG_TOKEN):
        assert '"Authorization: Bearer $ELKAPI_API_KEY"' in reproduce[0]


@pytest.mark.slow
def test_make_conformance_fails_on_exactly_the_broken_rule(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.contract.conformance",
            "--examples",
            "1",
            "--report",
            str(report),
            "--mock-break",
            "response.task-id",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert [
        line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("FAIL")
    ] == ["FAIL  response.task-id"]
    root = ET.parse(report).getroot()
    assert root.attrib["failures"] == "1"
    assert [c.attrib["name"] for c in root if c.find("failure") is not None] == ["response.task-id"]


@pytest.mark.slow
def test_the_budget_is_spent_on_the_most_important_cases_first(tmp_path: Path) -> None:
    status, outcomes, lines, target = run_suite(
        MockApi(api_key=SECRET), budget=3, tmp_path=tmp_path
    )
    assert status == 0 and target.spent == 3
    accepted = [r for r in outcomes if r.startswith("accepts.")]
    assert [outcomes[r].status for r in accepted[:3]] == ["pass"] * 3
    assert accepted[:2] == ["accepts.example.textToVideo", "accepts.example.multimodal"]
    assert {outcomes[r].status for r in accepted[3:]} == {"skip"}
    assert all(outcomes[r].status == "pass" for r in outcomes if r.startswith("refuses."))
    assert "budget: 3 of 3 accepted submissions spent" in lines


def test_a_server_that_accepts_invalid_bodies_cannot_overspend(tmp_path: Path) -> None:
    api = MockApi(
        api_key=SECRET, broken=frozenset({"auth.wrong-token", "validation:metadata.ratio"})
    )
    status, outcomes, _, target = run_suite(api, budget=2, tmp_path=tmp_path)
    assert status == 1 and target.spent == 2
    assert len(api.tasks) == 2, "the server accepted more submissions than the budget"
    assert {"auth.wrong-token", "refuses.metadata.ratio"} <= failed(outcomes)
    assert outcomes["accepts.example.textToVideo"].status == "skip"


def test_the_default_budget_depends_on_where_the_server_is() -> None:
    assert default_budget("http://127.0.0.1:8080") == 200
    assert default_budget("http://localhost:1") == 200
    assert default_budget("http://[::1]:9") == 200
    assert default_budget("https://api.elkapi.com") == 2
    assert default_budget("http://10.0.0.5") == 2


@pytest.mark.slow
def test_the_key_never_leaks_even_when_a_server_echoes_it(tmp_path: Path) -> None:
    def echo_the_token(request: Request) -> Response:
        return Response(f"denied for {request.headers.get('Authorization')}", status=400)

    with answering(echo_the_token) as url:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.contract.conformance",
                "--base-url",
                url,
                "--examples",
                "1",
                "--report",
                str(tmp_path / "r.xml"),
            ],
            cwd=ROOT,
            env={**os.environ, "ELKAPI_API_KEY": SECRET},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 1
    assert "FAIL" in result.stdout and "$ELKAPI_API_KEY" in result.stdout
    for text in (result.stdout, result.stderr, (tmp_path / "r.xml").read_text()):
        assert SECRET not in text


@pytest.mark.slow
def test_make_conformance_keeps_the_key_out_of_its_output(tmp_path: Path) -> None:
    api = MockApi(api_key=SECRET, broken=frozenset({"response.object"}))
    server = serve(api)
    try:
        result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "conformance",
                f"BASE_URL={server.url_for('/').rstrip('/')}",
                "EXAMPLES=1",
            ],
            cwd=ROOT,
            env={**os.environ, "ELKAPI_API_KEY": SECRET},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    assert result.returncode != 0 and "FAIL  response.object" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    assert SECRET not in (ROOT / "reports" / "conformance.xml").read_text()


# The generated CLI, against the mock as a real process (what `make mock` runs).


@pytest.fixture(scope="module")
def mock_url() -> Iterator[tuple[str, str]]:
    with conformance.mock_process([]) as started:
        yield started


def cli(args: list[str], base_url: str, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ELKAPI_API_KEY"} | {
        "ELKAPI_BASE_URL": base_url
    }
    if key is not None:
        env["ELKAPI_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "elkapi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_cli_create_wait_completes(mock_url: tuple[str, str]) -> None:
    base_url, key = mock_url
    result = cli(
        [
            "create",
            "--prompt",
            "A kitten yawns",
            "--seconds",
            "5",
            "--ratio",
            "16:9",
            "--wait",
            "--poll-interval",
            "0.01",
        ],
        base_url,
        key,
    )
    assert result.returncode == 0, result.stderr
    *document, url = result.stdout.strip().splitlines()
    task = json.loads("\n".join(document))
    assert (
        task["status"] == "completed" and task["seconds"] == "5" and task["task_id"] == task["id"]
    )
    assert url == task["metadata"]["url"]
    assert [line.split()[0] for line in result.stderr.splitlines()] == ["in_progress", "completed"]


@pytest.mark.slow
def test_cli_create_without_wait_prints_the_queued_task(mock_url: tuple[str, str]) -> None:
    base_url, key = mock_url
    result = cli(
        ["create", "--prompt", "p", "--image", "https://example.com/a.png", "--duration", "-1"],
        base_url,
        key,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "queued"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "key", "code", "message"),
    [
        (["create", "--prompt", " "], SECRET, 2, "prompt: must be"),
        (
            ["create", "--prompt", "p", "--ratio", "5:4"],
            SECRET,
            2,
            "metadata.ratio: must be one of",
        ),
        (["create", "--prompt", "p"], None, 2, "ELKAPI_API_KEY"),
        (["get", "task_nope"], SECRET, 1, "task_not_exist"),
        (["get", "task_nope"], "sk-wrong-" + "0" * 20, 1, "401"),
    ],
)
def test_cli_errors_are_clear_and_keyless(
    mock_url: tuple[str, str], args: list[str], key: str | None, code: int, message: str
) -> None:
    base_url, real_key = mock_url
    result = cli(args, base_url, real_key if key == SECRET else key)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert real_key not in result.stderr + result.stdout
    if key:
        assert key not in result.stderr + result.stdout


@pytest.mark.slow
def test_rate_limits_are_waited_out_not_counted_as_refusals(tmp_path: Path) -> None:
    api = MockApi(api_key=SECRET)
    seen = {"count": 0, "limited": 0}

    def every_other_is_limited(request: Request) -> Response:
        seen["count"] += 1
        if seen["count"] % 2:
            seen["limited"] += 1
            return Response("{}", status=429, headers={"Retry-After": "0"})
        return api.handle(request)

    with answering(every_other_is_limited) as url:
        target = Target(url, SECRET, 200)
        run = run_conformance(target, tmp_path)
    status, lines = run.status, run.out
    assert status == 0, "\n".join(line for line in lines if not line.startswith("PASS"))
    assert seen["limited"] > 0 and target.requests == seen["count"]


@pytest.mark.slow
def test_cli_create_wait_download_saves_the_video(
    mock_url: tuple[str, str], tmp_path: Path
) -> None:
    base_url, key = mock_url
    target = tmp_path / "out.mp4"
    args = ["create", "--prompt", "A kitten yawns", "--download", str(target)]
    result = cli([*args, "--poll-interval", "0.01"], base_url, key)
    assert result.returncode == 0, result.stderr
    *document, _url = result.stdout.strip().splitlines()
    task = json.loads("\n".join(document))
    assert task["status"] == "completed"
    assert target.read_bytes()[4:8] == b"ftyp"
    assert f"saved {target} ({target.stat().st_size} bytes)" in result.stderr
    again = cli(["download", task["id"], str(tmp_path / "again.mp4")], base_url, key)
    assert again.returncode == 0, again.stderr
    *saved, path = again.stdout.strip().splitlines()
    assert json.loads("\n".join(saved))["content_type"] == "video/mp4"
    assert Path(path).read_bytes() == target.read_bytes()


@pytest.mark.slow
def test_cli_download_of_a_pending_task_fails_and_writes_nothing(
    mock_url: tuple[str, str], tmp_path: Path
) -> None:
    base_url, key = mock_url
    created = cli(["create", "--prompt", "p"], base_url, key)
    task_id = json.loads(created.stdout)["id"]
    result = cli(["download", task_id, str(tmp_path / "out.mp4")], base_url, key)
    assert result.returncode == 1 and "Task is not completed yet" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_second_run_in_the_process_replays_the_refusal_searches_to_the_same_verdicts(
    tmp_path: Path,
) -> None:
    # The second run replays the bodies the first run's refusal searches drew.
    api = MockApi(api_key=SECRET, broken=frozenset({"validation:prompt"}))
    first = run_suite(api, fuzz=SWEEP_FUZZ_EXAMPLES, tmp_path=tmp_path)
    replayed = run_suite(
        MockApi(api_key=SECRET, broken=frozenset({"validation:prompt"})),
        fuzz=SWEEP_FUZZ_EXAMPLES,
        tmp_path=tmp_path,
    )
    assert runner._PASSED_DRAWS, "nothing was kept to replay"
    assert replayed[0] == first[0] == 1
    assert failed(replayed[1]) == failed(first[1]) == {"refuses.prompt"}
    assert [line for line in replayed[2] if line.startswith(("FAIL", "budget"))] == [
        line for line in first[2] if line.startswith(("FAIL", "budget"))
    ]
