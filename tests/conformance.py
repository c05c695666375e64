"""Conformance mode: the contract suite against a live server (or the bundled mock).

``python -m tests.conformance [--base-url URL] [--budget N] [--examples N]``
with the key in ``ELKAPI_API_KEY``. Without ``--base-url`` it starts the mock
as a real process on a free loopback port. Exit status 0 only when no rule is
broken. Only what a client can observe is checked (black box).

Every accepted (2xx) submission may cost money: the budget caps them. Cases
that should be refused run regardless, but one that a server wrongly accepts
is counted too, and once the budget is spent nothing more is submitted, so the
budget is never exceeded.
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import FlakyFailure

from tests import contract
from tests.strategies import Violation, violations

KEY_ENV = "ELKAPI_API_KEY"
KEY_PLACEHOLDER = "$" + KEY_ENV
CREATE = contract.operation("createVideoGeneration")
RETRIEVE = contract.operation("retrieveVideo")
TASK = CREATE.success_schema()
LIFECYCLE = contract.Lifecycle.of(TASK)
DAY = 86400
RATE_LIMIT_RETRIES = 3
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


class BudgetSpent(Exception):
    """No more submissions may be accepted in this run."""


class RuleBroken(Exception):
    """A rule does not hold; ``curl`` reproduces it."""

    def __init__(self, detail: str, curl: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.curl = curl


@dataclass
class Outcome:
    """The verdict on one rule."""

    rule: str
    description: str
    status: str = "pass"
    detail: str = ""
    curl: str = ""


@dataclass
class Reply:
    """One HTTP exchange as the suite saw it."""

    status: int
    content_type: str
    body: bytes
    curl: str

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The decoded body, or ``contract.MISSING`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return contract.MISSING


@dataclass
class Target:
    """The server under test, its key, and the money spent on it."""

    base_url: str
    api_key: str
    budget: int
    spent: int = 0
    requests: int = 0
    timeout: float = 30.0

    @property
    def loopback(self) -> bool:
        """Whether the server is on this machine (submissions there cost nothing)."""
        return is_loopback(self.base_url)

    def submit(self, body: bytes, token: str | None = "key") -> Reply:
        """POST a body to the create endpoint; every 2xx answer is spending."""
        if self.spent >= self.budget:
            raise BudgetSpent
        reply = self.send("POST", CREATE.path, body, token)
        if reply.ok:
            self.spent += 1
        return reply

    def send(
        self, method: str, path: str, body: bytes | None = None, token: str | None = "key"
    ) -> Reply:
        """Send one request; ``token`` is "key", None (no header) or a literal wrong token."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = "Bearer " + (self.api_key if token == "key" else token)
        request = urllib.request.Request(self.base_url + path, body, headers, method=method)
        curl = self.curl(method, path, body, token)
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            self.requests += 1
            reply, retry_after = self._exchange(request, curl)
            # A rate limit says nothing about the body: wait and ask again, or a
            # refusal case would pass for the wrong reason.
            if reply.status != 429 or attempt == RATE_LIMIT_RETRIES:
                break
            time.sleep(
                min(float(retry_after) if retry_after.isdigit() else 2.0 * (attempt + 1), 30)
            )
        return reply

    def _exchange(self, request: urllib.request.Request, curl: str) -> tuple[Reply, str]:
        """One round trip: the reply and its Retry-After header."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read()
                return Reply(answer.status, answer.headers.get("Content-Type", ""), body, curl), ""
        except urllib.error.HTTPError as error:
            with error:
                reply = Reply(error.code, error.headers.get("Content-Type", ""), error.read(), curl)
                return reply, error.headers.get("Retry-After", "")

    def curl(self, method: str, path: str, body: bytes | None, token: str | None) -> str:
        """A curl command that repeats the request, with the key left to the shell."""
        parts = ["curl", "-sS", "-X", method, shlex.quote(self.base_url + path)]
        if token == "key":
            parts += ["-H", f'"Authorization: Bearer {KEY_PLACEHOLDER}"']
        elif token is not None:
            parts += ["-H", shlex.quote(f"Authorization: Bearer {token}")]
        if body is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json")]
            parts += ["--data-raw", shlex.quote(body.decode("utf-8", "replace"))]
        return " ".join(parts)


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Suite:
    """Runs every rule against a target and keeps one outcome per rule."""

    target: Target
    examples: int
    poll_timeout: float
    poll_interval: float
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    tasks: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def rule(self, rule: str, description: str) -> Outcome:
        """The outcome of ``rule``, created passing on first use."""
        return self.outcomes.setdefault(rule, Outcome(rule, description))

    def fail(self, rule: str, description: str, detail: str, curl: str = "") -> None:
        """Record that ``rule`` is broken (the first failure is the one reported)."""
        outcome = self.rule(rule, description)
        if outcome.status != "fail":
            outcome.status, outcome.detail, outcome.curl = "fail", detail, curl

    def skip(self, rule: str, description: str, detail: str) -> None:
        """Record that ``rule`` could not be checked."""
        outcome = self.rule(rule, description)
        if outcome.status == "pass":
            outcome.status, outcome.detail = "skip", detail

    def run(self) -> None:
        """Every check, cheapest and most important first."""
        self.check_auth()
        self.check_malformed_json()
        for group, cases in group_violations(violations(CREATE.body_schema or "")).items():
            self.check_refused(group, cases)
        for rule, description, body in positive_cases():
            self.check_accepted(rule, description, body)
        self.check_polling()
        self.check_unknown_id()

    def check_auth(self) -> None:
        body = json.dumps(first_example()).encode()
        for rule, token, words in (
            ("auth.missing-token", None, "a submission without a token is refused"),
            (
                "auth.wrong-token",
                "wrong-" + secrets.token_hex(8),
                "a submission with a wrong token is refused",
            ),
        ):
            self.rule(rule, words)
            try:
                reply = self.target.submit(body, token=token)
            except BudgetSpent:
                self.skip(rule, words, "budget spent")
                continue
            if reply.ok:
                self.fail(rule, words, f"accepted (HTTP {reply.status})", reply.curl)

    def check_malformed_json(self) -> None:
        words = "a body that is not JSON is refused with a JSON error"
        self.rule("json.malformed", words)
        try:
            reply = self.target.submit(b'{"prompt": "a cat", ')
        except BudgetSpent:
            self.skip("json.malformed", words, "budget spent")
            return
        problem = refusal_problem(reply)
        if problem:
            self.fail("json.malformed", words, problem, reply.curl)

    def check_refused(self, group: str, cases: list[Violation]) -> None:
        """Bodies breaking one documented rule are refused with a readable JSON error."""
        rule, words = (
            f"refuses.{group}",
            refusal_words(group),
        )
        self.rule(rule, words)
        phases = [Phase.explicit, Phase.reuse, Phase.generate]
        if self.target.loopback:
            phases.append(Phase.shrink)  # shrinking re-sends: free only on loopback

        def send(body: Any) -> None:
            reply = self.target.submit(json.dumps(body).encode())
            problem = refusal_problem(reply)
            if problem:
                raise RuleBroken(f"{problem}; body {compact(body)}", reply.curl)

        for case in cases:
            check = settings(
                max_examples=self.examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=phases,
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
            )(given(case.values)(send))
            try:
                check()
            except Exception as error:  # Hypothesis may group distinct failures
                broken, spent = _first(error, RuleBroken), _first(error, BudgetSpent)
                if broken is not None:
                    self.fail(rule, words, f"[{case.id}] {broken.detail}", broken.curl)
                elif spent is not None:
                    self.skip(rule, words, "budget spent before every case ran")
                elif isinstance(error, FlakyFailure):
                    self.fail(rule, words, f"[{case.id}] answered inconsistently: {error}")
                else:
                    raise
                return

    def check_accepted(self, rule: str, description: str, body: dict[str, Any]) -> None:
        """A valid body is accepted, and the task it returns obeys every response rule."""
        self.rule(rule, description)
        encoded = json.dumps(body).encode()
        try:
            reply = self.target.submit(encoded)
        except BudgetSpent:
            self.skip(rule, description, f"budget of {self.target.budget} spent")
            return
        if not reply.ok:
            self.fail(
                rule,
                description,
                f"refused (HTTP {reply.status}): {snippet(reply.body)}",
                reply.curl,
            )
            return
        task = reply.json()
        for check_rule, words, problem in response_problems(body, reply, time.time()):
            self.rule(check_rule, words)
            if problem:
                self.fail(check_rule, words, problem, reply.curl)
        if isinstance(task, dict) and isinstance(task.get("id"), str) and task["id"]:
            self.tasks.append((body, task))

    def check_polling(self) -> None:
        """Poll each accepted task to the end (GETs are free)."""
        words = {
            "poll.same-id": "polling a task returns the same id",
            "poll.forward": "a task's status only moves forward",
            "poll.completed-url": "a completed task carries a video URL",
            "poll.seconds": "a completed task's seconds equal the effective duration",
            "poll.valid": "every polled task obeys the task schema",
        }
        for rule, description in words.items():
            self.rule(rule, description)
        if not self.tasks:
            for rule, description in words.items():
                self.skip(rule, description, "no accepted task to poll")
        for body, created in self.tasks:
            self.poll_one(body, created, words)

    def poll_one(
        self, body: dict[str, Any], created: dict[str, Any], words: dict[str, str]
    ) -> None:
        task_id = created["id"]
        path = RETRIEVE.path.replace("{task_id}", urllib.parse.quote(task_id, safe=""))
        status = created.get(LIFECYCLE.property)
        deadline = time.monotonic() + self.poll_timeout
        while status not in LIFECYCLE.terminal:
            if time.monotonic() > deadline:
                self.skip(
                    "poll.completed-url",
                    words["poll.completed-url"],
                    f"{task_id} still {status} after {self.poll_timeout:g}s",
                )
                return
            time.sleep(self.poll_interval)
            reply = self.target.send("GET", path)
            polled = reply.json()
            if not reply.ok or not isinstance(polled, dict):
                self.fail(
                    "poll.valid",
                    words["poll.valid"],
                    f"HTTP {reply.status}: {snippet(reply.body)}",
                    reply.curl,
                )
                return
            problems = list(poll_problems(body, task_id, status, polled))
            for rule, problem in problems:
                self.fail(rule, words[rule], problem, reply.curl)
            errors = contract.schema_errors(TASK, polled)
            if errors and not problems:
                self.fail("poll.valid", words["poll.valid"], errors[0].message, reply.curl)
            if any(rule == "poll.forward" for rule, _ in problems):
                return
            status = polled.get(LIFECYCLE.property)

    def check_unknown_id(self) -> None:
        words = "an unknown task id is refused with a JSON error"
        self.rule("poll.unknown-id", words)
        reply = self.target.send(
            "GET", RETRIEVE.path.replace("{task_id}", "task_unknown_" + secrets.token_hex(6))
        )
        problem = refusal_problem(reply)
        if problem:
            self.fail("poll.unknown-id", words, problem, reply.curl)


def poll_problems(
    body: dict[str, Any], task_id: str, before: Any, polled: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    """(rule, problem) for each polling rule that one polled state breaks."""
    if polled.get("id") != task_id:
        yield "poll.same-id", f"asked for {task_id}, got {polled.get('id')!r}"
    status = polled.get(LIFECYCLE.property)
    if before in LIFECYCLE.transitions and status not in LIFECYCLE.reachable(before):
        yield "poll.forward", f"{before} -> {status}"
    if status != "completed":
        return
    metadata = polled.get("metadata")
    url = metadata.get("url") if isinstance(metadata, dict) else None
    if not isinstance(url, str) or not url:
        yield "poll.completed-url", f"no metadata.url in {compact(polled)}"
    upstream = contract.upstream_payload(CREATE.raw["x-upstream"]["steps"], body)
    expected = contract.echo_expectations(CREATE.raw.get("x-echo", {}), body, upstream)
    if "seconds" in expected and "seconds" in polled and polled["seconds"] != expected["seconds"]:
        sent = f"sent {compact(body)}"
        yield (
            "poll.seconds",
            f"{sent}: reported {polled['seconds']!r}, expected {expected['seconds']!r}",
        )


def _first(error: BaseException, kind: type[Exception]) -> Any:
    """``error`` or the first exception of type ``kind`` inside it (exception groups)."""
    if isinstance(error, kind):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _first(inner, kind)
        if found is not None:
            return found
    return None


def refusal_problem(reply: Reply) -> str:
    """Why ``reply`` is not a proper refusal, or "" when it is one."""
    if reply.ok:
        return f"accepted (HTTP {reply.status})"
    data = reply.json()
    if not isinstance(data, dict) or not contract.is_valid("ErrorResponse", data):
        return f"HTTP {reply.status} without a documented JSON error body: {snippet(reply.body)}"
    return ""


def response_problems(
    body: dict[str, Any], reply: Reply, now: float
) -> Iterator[tuple[str, str, str]]:
    """(rule, description, problem or "") for each rule on an accepted submission's response."""
    task = reply.json()
    is_json = "json" in reply.content_type.lower()
    yield (
        "response.content-type",
        "the task comes back as JSON",
        "" if is_json else f"Content-Type {reply.content_type!r}",
    )
    if not isinstance(task, dict):
        yield (
            "response.valid",
            "the task obeys the task schema",
            f"not a JSON object: {snippet(reply.body)}",
        )
        return
    statuses = contract.component("TaskStatus")["enum"]
    checks: list[tuple[str, str, bool, str]] = [
        (
            "response.id",
            "id is a non-empty string",
            isinstance(task.get("id"), str) and bool(task.get("id")),
            "id",
        ),
        (
            "response.task-id",
            "task_id equals id",
            "task_id" in task and task.get("task_id") == task.get("id"),
            "task_id",
        ),
        (
            "response.object",
            'object is "video"',
            task.get("object") == contract.component(TASK)["properties"]["object"]["const"],
            "object",
        ),
        (
            "response.model",
            "model is the requested model",
            task.get("model") == body.get("model"),
            "model",
        ),
        (
            "response.status",
            "status is a documented status",
            task.get(LIFECYCLE.property) in statuses,
            "status",
        ),
        (
            "response.progress",
            "progress is an integer from 0 to 100",
            _integer_in(task.get("progress"), 0, 100),
            "progress",
        ),
        (
            "response.created-at",
            "created_at is Unix seconds within a day of now",
            _integer_in(task.get("created_at"), now - DAY, now + DAY),
            "created_at",
        ),
    ]
    for rule, words, holds, key in checks:
        yield rule, words, "" if holds else f"{key} is {compact(task.get(key, '(missing)'))}"
    # The most specific rule wins: the schema rule reports only what no check above explains.
    errors = contract.schema_errors(TASK, task) if all(holds for _, _, holds, _ in checks) else []
    yield "response.valid", "the task obeys the task schema", errors[0].message if errors else ""


def _integer_in(value: Any, low: float, high: float) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def first_example() -> dict[str, Any]:
    """The docs' first request example."""
    return next(iter(CREATE.examples().values()))


def positive_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """Valid bodies, most important first: the budget is spent in this order."""
    model = contract.component("VideoModel")["default"]
    fast = [m for m in contract.component("VideoModel")["enum"] if m != model]
    cases = [
        (f"accepts.example.{name}", f"accepts the docs' example {name!r}", body)
        for name, body in CREATE.examples().items()
    ]
    base = {"model": model, "prompt": "A paper boat drifts down a rain-soaked street."}
    cases += [
        (
            "accepts.seconds-and-duration",
            "accepts seconds together with metadata.duration",
            {**base, "seconds": "6", "metadata": {"duration": 10}},
        ),
        (
            "accepts.duration-minus-one",
            "accepts metadata.duration -1",
            {**base, "metadata": {"duration": -1}},
        ),
        (
            "accepts.image-url",
            "accepts an image URL",
            {**base, "images": ["https://example.com/boat.png"]},
        ),
        (
            "accepts.image-data-uri",
            "accepts a Base64 data URI image",
            {**base, "images": [f"data:image/png;base64,{PNG_1PX}"]},
        ),
        ("accepts.image-base64", "accepts a bare Base64 image", {**base, "images": [PNG_1PX]}),
        (
            "accepts.passthrough-metadata",
            "accepts unknown pass-through metadata keys",
            {**base, "metadata": {"camera_fixed": True, "return_last_frame": True}},
        ),
    ]
    roles = contract.component("ContentRole")["enum"]
    kinds = {"reference_video": "video_url", "reference_audio": "audio_url"}
    for role in roles:
        kind = kinds.get(role, "image_url")
        item = {"type": kind, kind: {"url": f"https://example.com/{role}.bin"}, "role": role}
        cases.append(
            (
                f"accepts.role.{role}",
                f"accepts a content item of type {kind} with role {role}",
                {**base, "metadata": {"content": [item]}},
            )
        )
    cases += [(f"accepts.model.{m}", f"accepts model {m}", {**base, "model": m}) for m in fast]
    return cases


def group_violations(found: list[Violation]) -> dict[str, list[Violation]]:
    """Violations by the field they break, in first-seen order: one conformance rule each.

    Groups are named like the mock's breaks: ``metadata.ratio`` (any invalid
    value), ``prompt.required`` (left out), ``body`` (not an object at all).
    """
    groups: dict[str, list[Violation]] = {}
    for violation in found:
        key = violation.field or "body"
        key = f"{key}.required" if violation.rule == "required" else key
        groups.setdefault(key, []).append(violation)
    return groups


def refusal_words(group: str) -> str:
    """A refusal rule in words."""
    if group == "body":
        return "refuses a body that is not a JSON object"
    if group.endswith(".required"):
        return f"refuses a body without {group.removesuffix('.required')}"
    return f"refuses an invalid {group}"


def compact(value: Any, limit: int = 160) -> str:
    """Short JSON for reports."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def snippet(body: bytes) -> str:
    """The start of a response body, for reports."""
    return compact(body[:200].decode("utf-8", "replace"))


def report(suite: Suite, elapsed: float, out: Callable[[str], None]) -> None:
    """The human summary: one line per rule, a curl for each failure, spending, totals."""
    target = suite.target
    out(f"ElkAPI conformance: {target.base_url}")
    for outcome in suite.outcomes.values():
        out(f"{outcome.status.upper():5} {outcome.rule}: {outcome.description}")
        if outcome.detail:
            out(f"      {outcome.detail}")
        if outcome.curl:
            out(f"      reproduce: {outcome.curl}")
    counts = {
        s: sum(o.status == s for o in suite.outcomes.values()) for s in ("pass", "fail", "skip")
    }
    out(f"budget: {target.spent} of {target.budget} accepted submissions spent")
    out(f"requests: {target.requests} in {elapsed:.1f}s")
    out(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")


def junit(suite: Suite, elapsed: float, path: Path) -> None:
    """Write the outcomes as JUnit XML."""
    outcomes = list(suite.outcomes.values())
    root = ET.Element(
        "testsuite",
        name="elkapi-conformance",
        tests=str(len(outcomes)),
        failures=str(sum(o.status == "fail" for o in outcomes)),
        skipped=str(sum(o.status == "skip" for o in outcomes)),
        time=f"{elapsed:.3f}",
    )
    for outcome in outcomes:
        case = ET.SubElement(root, "testcase", classname="conformance", name=outcome.rule)
        if outcome.status == "fail":
            failure = ET.SubElement(case, "failure", message=outcome.detail)
            failure.text = f"{outcome.description}\n{outcome.detail}\nreproduce: {outcome.curl}"
        elif outcome.status == "skip":
            ET.SubElement(case, "skipped", message=outcome.detail)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def redact(text: str, api_key: str) -> str:
    """``text`` with the key replaced, in case a server echoed it back."""
    return text.replace(api_key, KEY_PLACEHOLDER) if api_key else text


def run(target: Target, *, examples: int, report_path: Path, out: Callable[[str], None]) -> int:
    """Run the suite, print and write the report; return the exit status."""
    loopback = target.loopback
    suite = Suite(
        target,
        examples,
        poll_timeout=30 if loopback else 900,
        poll_interval=0.01 if loopback else 5,
    )
    started = time.monotonic()
    suite.run()
    elapsed = time.monotonic() - started
    report(suite, elapsed, lambda line: out(redact(line, target.api_key)))
    for outcome in suite.outcomes.values():
        outcome.detail = redact(outcome.detail, target.api_key)
        outcome.curl = redact(outcome.curl, target.api_key)
    junit(suite, elapsed, report_path)
    return 1 if any(o.status == "fail" for o in suite.outcomes.values()) else 0


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mock_process(breaks: list[str]) -> Iterator[tuple[str, str]]:
    """Start the mock server as a real process; yield its URL and the key it accepts."""
    port, key = free_port(), "mock-" + secrets.token_hex(16)
    command = [sys.executable, "-m", "tests.mock_server", "--port", str(port), "--quiet"]
    for rule in breaks:
        command += ["--break", rule]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "MOCK_API_KEY": key}
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the mock server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", key
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.conformance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base-url", default="", help="server to test; default: start the mock")
    parser.add_argument(
        "--budget", type=int, help="accepted submissions allowed (default 2, or 200 on loopback)"
    )
    parser.add_argument(
        "--examples", type=int, default=10, help="examples per refusal case (default 10)"
    )
    parser.add_argument("--report", type=Path, default=Path("reports/conformance.xml"))
    parser.add_argument(
        "--mock-break",
        action="append",
        default=[],
        metavar="RULE",
        help="test only: start the mock with RULE broken",
    )
    args = parser.parse_args(argv)
    if args.base_url:
        api_key = os.environ.get(KEY_ENV, "")
        if not api_key:
            parser.error(f"set {KEY_ENV} to the API key of {args.base_url}")
        return _run_against(args, args.base_url.rstrip("/"), api_key)
    with mock_process(args.mock_break) as (base_url, api_key):
        print(f"started the bundled mock at {base_url}")
        return _run_against(args, base_url, api_key)


def default_budget(base_url: str) -> int:
    """Accepted submissions allowed when ``--budget`` is not given: few where they cost money."""
    return 200 if is_loopback(base_url) else 2


def _run_against(args: argparse.Namespace, base_url: str, api_key: str) -> int:
    budget = args.budget if args.budget is not None else default_budget(base_url)
    target = Target(base_url, api_key, budget)
    return run(target, examples=args.examples, report_path=args.report, out=print)


if __name__ == "__main__":
    sys.exit(main())
