"""Conformance mode as a tool: the key first, exit statuses, rule selection, auth everywhere.

Fast: most runs select a few rules, so only their requests are sent.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.contract import checks, conformance
from tests.contract import spec as spec_module
from tests.contract.checks import Reply
from tests.contract.mock import MockApi
from tests.contract.runner import Target, matches, rule_ids, split_patterns
from tests.contract.spec import ROOT
from tests.support.conformance_runs import answering, run_conformance, serving

SECRET = "sk-live-" + "7a" * 16
WRONG = "sk-wrong-" + "3c" * 16
SPEC = spec_module.load()
BEARER = [op for op in SPEC.operations if op.needs_bearer]
AUTH_RULES = [
    checks.auth_rule(kind, op, SPEC)
    for op in BEARER
    for kind in (checks.AUTH_MISSING_TOKEN, checks.AUTH_WRONG_TOKEN)
]


@pytest.fixture
def mock_url() -> Iterator[str]:
    with serving(MockApi(api_key=SECRET)) as url:
        yield url


def suite(
    base_url: str, tmp_path: Path, *, key: str = SECRET, rules: tuple[str, ...] = ()
) -> tuple[int, list[str], list[str], ET.Element]:
    """Run the suite in-process: status, stdout lines, error lines, the JUnit root."""
    run = run_conformance(Target(base_url, key, 200), tmp_path, rules=rules, errors_apart=True)
    return run.status, run.out, run.err, run.junit()


def verdicts(out: list[str]) -> dict[str, str]:
    """Rule id -> PASS / FAIL / SKIP, read from the stdout report."""
    found = {}
    for line in out:
        word, _, rest = line.partition(" ")
        if word in {"PASS", "FAIL", "SKIP"}:
            found[rest.strip().split(":")[0]] = word
    return found


def cli(
    args: list[str], *, key: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ELKAPI_API_KEY"}
    if key is not None:
        env["ELKAPI_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "tests.contract.conformance", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# The key, checked first.


def test_a_wrong_key_stops_the_run_with_one_line(mock_url: str, tmp_path: Path) -> None:
    status, out, err, junit = suite(mock_url, tmp_path, key=WRONG)
    assert status == conformance.CANNOT_RUN == 2
    assert out == [], "no rule may be reported when the key is refused"
    assert len(err) == 1 and err[0].startswith("could not run: the server refused the key in")
    assert "HTTP 401" in err[0] and WRONG not in err[0]
    assert [case.attrib["name"] for case in junit] == ["could-not-run"]
    assert junit.attrib["errors"] == "1" and junit.find("testcase/error") is not None


@pytest.mark.slow
def test_a_wrong_key_on_the_command_line_exits_2_and_passes_nothing(
    mock_url: str, tmp_path: Path
) -> None:
    result = cli(["--base-url", mock_url, "--report", str(tmp_path / "r.xml")], key=WRONG)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "PASS" not in result.stdout and "FAIL" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the key in ELKAPI_API_KEY" in lines[0]
    assert WRONG not in result.stdout + result.stderr


def test_a_key_refused_by_403_also_stops_the_run(tmp_path: Path) -> None:
    def forbidden(request: Request) -> Response:
        return Response('{"error": {"message": "forbidden"}}', 403, content_type="application/json")

    with answering(forbidden) as url:
        status, out, err, _ = suite(url, tmp_path)
    assert status == 2 and out == [] and "HTTP 403" in err[0]


def test_a_refusal_of_the_key_is_not_a_refusal_of_the_body() -> None:
    error = b'{"error": {"message": "no", "type": "invalid_request_error", "code": "x"}}'
    schema = SPEC.submission().error_schema

    def reply(status: int) -> Reply:
        return Reply(status, "application/json", error, "curl")

    assert checks.refusal_problem(reply(400), schema, SPEC) == ""
    assert checks.refusal_problem(reply(422), schema, SPEC) == ""
    for status in (401, 403):
        assert "the key was refused" in checks.refusal_problem(reply(status), schema, SPEC)
        assert checks.auth_problem(reply(status), schema, SPEC) == ""
    assert "not a client error" in checks.refusal_problem(reply(500), schema, SPEC)
    assert "expected 401 or 403" in checks.auth_problem(reply(400), schema, SPEC)
    assert "expected 401 or 403" in checks.auth_problem(reply(200), schema, SPEC)


def test_refusals_by_401_fail_even_when_the_key_check_passes(tmp_path: Path) -> None:
    """A key good for reading but refused on submissions: no refusal rule passes for it."""
    api = MockApi(api_key=SECRET)

    def posts_unauthorized(request: Request) -> Response:
        if request.method == "POST":
            body = '{"error": {"message": "Invalid token", "type": "x", "code": "invalid_api_key"}}'
            return Response(body, 401, content_type="application/json")
        return api.handle(request)

    with answering(posts_unauthorized) as url:
        status, out, _, _ = suite(url, tmp_path, rules=("refuses.prompt", "json.malformed"))
    assert status == 1
    found = verdicts(out)
    assert set(found) == {"refuses.prompt", "refuses.prompt.required", "json.malformed"}
    assert set(found.values()) == {"FAIL"}
    assert any("the key was refused, not the request" in line for line in out)


@pytest.mark.slow
def test_an_unreachable_server_cannot_run(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli(
        ["--base-url", f"http://127.0.0.1:{port}", "--report", str(tmp_path / "r.xml")], key=WRONG
    )
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.startswith("could not run: no answer from GET")


# Exit statuses and arguments.


def test_exit_status_0_1_2(tmp_path: Path) -> None:
    with serving(MockApi(api_key=SECRET)) as url:
        assert suite(url, tmp_path, rules=("auth",))[0] == 0
        assert suite(url, tmp_path, rules=("auth",), key=WRONG)[0] == 2
    broken = frozenset({AUTH_RULES[-1]})
    with serving(MockApi(api_key=SECRET, broken=broken)) as url:
        assert suite(url, tmp_path, rules=("auth",))[0] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        (["-k", "no-such-rule*"], None, "matches no rule"),
        (["--base-url", "http://127.0.0.1:9"], None, "set ELKAPI_API_KEY"),
        (["--base-url", "http://127.0.0.1:9", "--mock-port", "9999"], "k", "bundled mock"),
        (["--mock-port", "70000"], None, "not a TCP port"),
        (["--api-key", "sk-x"], None, "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], key: str | None, message: str) -> None:
    result = cli(args, key=key)
    assert result.returncode == 2 and message in result.stderr, result.stderr


@pytest.mark.slow
def test_a_mock_port_in_use_cannot_run(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(["--mock-port", str(port), "-k", "auth", "--report", str(tmp_path / "r")])
    assert result.returncode == 2 and f"port {port} on 127.0.0.1 is in use" in result.stderr


@pytest.mark.slow
def test_the_key_is_never_an_argument() -> None:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "conformance", "API_KEY=sk-x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "export ELKAPI_API_KEY" in result.stderr
    readme = (ROOT / "README.md").read_text()
    assert "API_KEY=sk-" not in readme and "ELKAPI_API_KEY=sk-" not in readme


# Rule selection.


def test_patterns_are_globs_prefixes_comma_separated_and_repeatable() -> None:
    assert split_patterns(["auth.*, poll.same-id", "json.*"]) == [
        "auth.*",
        "poll.same-id",
        "json.*",
    ]
    assert matches("anything", [])
    assert matches("auth.wrong-token.retrieveVideo", ["auth"])
    assert matches("auth.wrong-token.retrieveVideo", ["auth.*-token.retrieve*"])
    assert matches("refuses.metadata.ratio", ["refuses.metadata"])
    assert not matches("refuses.metadata-x", ["refuses.metadata"])
    assert not matches("poll.same-id", ["auth.*"])
    assert set(AUTH_RULES) == {r for r in rule_ids(SPEC) if matches(r, ["auth.*"])}


def test_selection_runs_only_the_selected_rules(tmp_path: Path) -> None:
    api = MockApi(api_key=SECRET)
    with serving(api) as url:
        status, out, _, junit = suite(url, tmp_path, rules=("auth.*", "json.malformed"))
    assert status == 0
    assert list(verdicts(out)) == [*AUTH_RULES, checks.JSON_MALFORMED]
    assert [case.attrib["name"] for case in junit] == [*AUTH_RULES, checks.JSON_MALFORMED]
    assert api.tasks == {} and "budget: 0 of 200 accepted submissions spent" in out


def test_selecting_a_task_rule_submits_but_reports_only_it(tmp_path: Path) -> None:
    api = MockApi(api_key=SECRET, broken=frozenset({"response.object", "poll.same-id"}))
    with serving(api) as url:
        status, out, _, _ = suite(url, tmp_path, rules=("response.object",))
    assert status == 1 and verdicts(out) == {"response.object": "FAIL"}
    assert api.tasks, "a response rule needs accepted tasks"


@pytest.mark.slow
def test_make_conformance_selects_rules_and_the_mock_port(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        ["make", "--no-print-directory", "conformance", "RULES=auth.*", f"MOCK_PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"started the bundled mock at http://127.0.0.1:{port}" in result.stdout
    assert list(verdicts(result.stdout.splitlines())) == AUTH_RULES


# Auth on every operation that needs a token.


def test_every_bearer_operation_has_both_auth_checks_and_a_break() -> None:
    registry = checks.registry(SPEC)
    assert len(BEARER) > 1 and SPEC.submission() in BEARER
    ids = {check.id for check in registry.checks if check.id.startswith("auth.")}
    assert ids == set(AUTH_RULES)
    for op in BEARER:
        for kind in (checks.AUTH_MISSING_TOKEN, checks.AUTH_WRONG_TOKEN):
            rule = checks.auth_rule(kind, op, SPEC)
            assert rule in registry.breaks
            if op is not SPEC.submission():
                assert rule == f"{kind}.{op.operation_id}"


@pytest.mark.parametrize("rule", AUTH_RULES)
def test_each_auth_break_fails_exactly_that_rule(rule: str, tmp_path: Path) -> None:
    with serving(MockApi(api_key=SECRET, broken=frozenset({rule}))) as url:
        status, out, _, _ = suite(url, tmp_path, rules=("auth",))
    found = verdicts(out)
    assert status == 1 and {r for r, v in found.items() if v == "FAIL"} == {rule}, out
    assert set(found) == set(AUTH_RULES)
