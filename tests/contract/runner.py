"""The runner: sends the cases to a target, judges them with the checks, emits outcomes.

``Target`` is the server under test: it sends through the runtime's
transport (``transport.py``: no redirect followed, a size cap and a deadline
on every answer), renders each request as a ``curl`` command with the key
left to the shell, keeps the budget of accepted submissions and waits out
rate limits. ``Runner.run`` returns one ``Outcome`` per rule id; it prints
nothing (see ``report.py``).

A hostile server costs a rule, never the run: a request that gets no usable
answer (unreachable, over the size cap, past its deadline) fails the rule that
sent it and the run goes on; only the first request, the key check, makes the
run "could not run". The run has a deadline of its own: once it passes, the
rule under way fails and the rules after it are skipped, with the reason.

Every accepted (2xx) submission may cost money: the budget caps them. Cases
that should be refused run regardless, but one that a server wrongly accepts
is counted too, and once the budget is spent nothing more is submitted, so the
budget is never exceeded.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import re
import secrets
import shlex
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import FlakyFailure
from hypothesis.strategies import SearchStrategy

from tests.contract import cases, checks, strategies, transport
from tests.contract import spec as spec_module
from tests.contract.checks import KEY, Check, Reply, Scope, Seen, compact, snippet
from tests.contract.coverage import Coverage, Row, untested
from tests.contract.coverage import Status as CoverageStatus
from tests.contract.rules import json_equal
from tests.contract.spec import Auth, Operation, Spec

KEY_ENV = "ELKAPI_API_KEY"
KEY_PLACEHOLDER = "$" + KEY_ENV
RATE_LIMIT_RETRIES = 3
# Seconds for the whole answer to one request (status line, headers, body): a
# polled task answers at once, and a 64 MiB file arrives in time at 1 MiB/s.
DEFAULT_REQUEST_TIMEOUT = 60.0
# Bytes of one answer at most: JSON answers are small, but the download rule
# reads a whole video file, and a short generated clip fits.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Seconds for the whole run: polling a real server waits up to 15 minutes per task.
DEFAULT_RUN_DEADLINE = 3600.0
# Polls of a task after it reached a terminal status (which must not move).
AFTER_END = 2
# Fuzzed valid bodies at most, after the fixed acceptance cases (and within the budget).
FUZZ_EXAMPLES = 40
# The bodies of each refusal search (violation, examples) that passed, in the
# order Hypothesis drew them. A derandomized search draws the same bodies in
# every run, so a later run on loopback (the mock: the tests run the suite
# once per mock break) replays them instead of searching again.
_PASSED_DRAWS: dict[tuple[strategies.Violation, int], list[Any]] = {}
COVERAGE = "coverage"
COVERAGE_WORDS = "every rule of the spec reachable from its operations is exercised by a case"
# What may stand inside double quotes as it is: nothing the shell expands or ends a word on.
SHELL_PLAIN = re.compile(r"[A-Za-z0-9 %&+,./:;=?@_~-]*")
Status = Literal["pass", "fail", "skip"]


class BudgetSpent(Exception):
    """No more submissions may be accepted in this run."""


class CannotRun(Exception):
    """The suite cannot judge this server: the key is refused, or the server is unreachable."""


class KeyRefused(CannotRun):
    """The server answered a harmless authenticated request with 401 or 403."""


class Unreachable(CannotRun):
    """The key check got no HTTP answer (connection refused, reset, timed out)."""


class RuleBroken(Exception):
    """A rule does not hold; ``curl`` reproduces it."""

    def __init__(self, detail: str, curl: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.curl = curl


class NoAnswer(RuleBroken):
    """A request got no usable answer: the rule that sent it is broken."""


class OutOfTime(NoAnswer):
    """The run's deadline passed: nothing more is sent."""


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def matches(rule: str, patterns: Sequence[str]) -> bool:
    """Whether ``rule`` is selected by ``patterns`` (none: every rule).

    Each pattern is an fnmatch glob (``auth.*``) matched against the whole id
    or against a prefix of dotted parts: ``auth`` and ``refuses.metadata``
    select every rule beneath them.
    """
    return not patterns or any(
        fnmatch.fnmatchcase(rule, pattern) or fnmatch.fnmatchcase(rule, pattern + ".*")
        for pattern in patterns
    )


def split_patterns(values: Iterable[str]) -> list[str]:
    """Patterns given comma-separated, repeated, or both: ``auth.*,poll.*``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def rule_ids(spec: Spec | None = None) -> list[str]:
    """Every rule a run can report, in report order (what ``--rules`` selects from)."""
    spec = spec if spec is not None else spec_module.load()
    found = [check.id for check in checks.registry(spec).checks]
    found += [case.id for case in cases.refusal_cases(spec)]
    found += [case.id for case in cases.acceptance_cases(spec)]
    found.append(COVERAGE)
    return list(dict.fromkeys(found))


def default_budget(base_url: str) -> int:
    """Accepted submissions allowed when no budget is given: few where they cost money."""
    return 200 if is_loopback(base_url) else 2


@dataclass
class Target:
    """The server under test, its key, and the money spent on it."""

    base_url: str
    api_key: str
    budget: int
    spent: int = 0
    requests: int = 0
    # Seconds for the whole answer to each request (status line, headers and body).
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    submission: Operation = field(default_factory=lambda: spec_module.load().submission())
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # Seconds for the whole run, counted from the first request; None: no limit.
    run_deadline: float | None = None
    _stop_at: float | None = field(default=None, init=False, repr=False)
    _transport: transport.GuardedTransport | None = field(default=None, init=False, repr=False)

    def __repr__(self) -> str:
        # Never the key: a repr lands in tracebacks and logs.
        return f"Target(base_url={self.base_url!r}, budget={self.budget}, spent={self.spent})"

    def time_left(self) -> float:
        """Seconds left before the run's deadline (infinite without one); starts the clock."""
        if self.run_deadline is None:
            return float("inf")
        if self._stop_at is None:
            self._stop_at = time.monotonic() + self.run_deadline
        return self._stop_at - time.monotonic()

    @property
    def loopback(self) -> bool:
        """Whether the server is on this machine (submissions there cost nothing)."""
        return is_loopback(self.base_url)

    def submit(self, body: bytes, token: str | None = KEY) -> Reply:
        """POST a body to the submission operation; every 2xx answer is spending."""
        if self.spent >= self.budget:
            raise BudgetSpent
        op = self.submission
        reply = self.send(op.method, op.path, body, token, op=op)
        if reply.ok:
            self.spent += 1
        return reply

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        token: str | None = KEY,
        accept: str = "application/json",
        op: Operation | None = None,
    ) -> Reply:
        """Send one request; ``token`` is ``KEY``, None (no key) or a literal wrong token.

        The key goes where the security of ``op`` (the operation the request
        is for; default the submission) says; an operation without security
        gets none.
        """
        auth = (op or self.submission).auth
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = self.base_url + path
        if token is not None and auth is not None:
            url = auth.place(url, headers, self.api_key if token == KEY else token)
        curl = self.curl(method, path, body, token, auth)
        where = f"{method} {self.base_url + path}"
        reply = None
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            reply, retry_after = self._exchange(method, url, headers, body, curl, where)
            # A rate limit says nothing about the body: wait and ask again, or a
            # refusal case would pass for the wrong reason.
            if reply.status != 429 or attempt == RATE_LIMIT_RETRIES:
                break
            wait = float(retry_after) if retry_after.isdigit() else 2.0 * (attempt + 1)
            time.sleep(max(min(wait, 30, self.time_left()), 0))
        assert reply is not None
        return reply

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        curl: str,
        where: str,
    ) -> tuple[Reply, str]:
        """One round trip: the reply and its Retry-After header; ``NoAnswer`` without one.

        Redirects are answers like any other, never followed: the key stays
        with the server under test. ``where`` names the request in errors:
        not the URL sent, which may carry the key in its query.
        """
        left = self.time_left()
        if left <= 0:
            raise OutOfTime(f"{where} not sent: {self.deadline_passed()}", curl)
        seconds = min(self.timeout, left)
        if self._transport is None:
            self._transport = transport.GuardedTransport(max_response_bytes=self.max_response_bytes)
        self.requests += 1
        try:
            answer = transport.send(
                self._transport, method, url, headers, body, secret=self.api_key, seconds=seconds
            )
        except transport.Unanswered as error:
            if seconds < self.timeout and self.time_left() <= 0:
                raise OutOfTime(f"{where}: {self.deadline_passed()}", curl) from None
            raise NoAnswer(f"no answer from {where}: {error}", curl) from None
        headers = answer.headers
        reply = Reply(answer.status_code, headers.get("content-type", ""), answer.body, curl)
        return reply, headers.get("retry-after", "")

    def deadline_passed(self) -> str:
        """Why nothing more is sent: the run's deadline, in words."""
        return f"the run's deadline of {self.run_deadline:g}s passed (--deadline)"

    def curl(
        self,
        method: str,
        path: str,
        body: bytes | None,
        token: str | None,
        auth: Auth | None,
    ) -> str:
        """A curl command that repeats the request, with the key left to the shell.

        The key is written as ``$ELKAPI_API_KEY`` where ``auth`` sends it (a
        header, the query string, a cookie); a wrong token is written as sent.
        """
        url = self.base_url + path
        headers: dict[str, str] = {}
        options: list[str] = []
        if token == KEY and auth is not None:
            url_word, options = _curl_key(url, auth)
        else:
            if token is not None and auth is not None:
                url = auth.place(url, headers, token)
            url_word = shlex.quote(url)
        parts = ["curl", "-sS", "-X", method, url_word, *options]
        for name, value in headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if body is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json")]
            parts += ["--data-raw", shlex.quote(body.decode("utf-8", "replace"))]
        return " ".join(parts)


def _curl_key(url: str, auth: Auth) -> tuple[str, list[str]]:
    """The URL as a shell word and the options that send ``$ELKAPI_API_KEY`` where ``auth`` says.

    The shell expands the variable, so the key never appears in the command.
    In the query it goes as it is, not percent-encoded: keys are URL-safe
    tokens as a rule, and curl's own encoding (``--url-query``) needs 7.87.
    """
    if auth.scheme == "basic":
        return shlex.quote(url), ["-u", _shell_with_key("")]
    if auth.location == "query":
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        return _shell_with_key(f"{url}{separator}{auth.name}="), []
    prefix = "Cookie: " + auth.name + "=" if auth.location == "cookie" else auth.name + ": "
    if auth.scheme == "bearer":
        prefix += "Bearer "
    return shlex.quote(url), ["-H", _shell_with_key(prefix)]


def _shell_with_key(prefix: str) -> str:
    """One shell word: ``prefix`` then the key's variable, expanded by the shell."""
    if SHELL_PLAIN.fullmatch(prefix):
        return f'"{prefix}{KEY_PLACEHOLDER}"'
    return shlex.quote(prefix) + f'"{KEY_PLACEHOLDER}"'


@dataclass(frozen=True)
class Outcome:
    """The verdict on one rule."""

    rule: str
    description: str
    status: Status = "pass"
    detail: str = ""
    curl: str = ""


@dataclass(frozen=True)
class RunResult:
    """What a run found, and what it cost."""

    base_url: str
    outcomes: tuple[Outcome, ...]
    spent: int
    budget: int
    requests: int
    elapsed: float
    # The spec's rules and the cases that exercised them (see coverage.py).
    coverage: tuple[Row, ...] = ()
    # Why the run stopped before every rule ran ("" when it did not).
    stopped: str = ""

    @property
    def failed(self) -> bool:
        """Whether any rule failed, or the run stopped before every rule ran."""
        return bool(self.stopped) or any(outcome.status == "fail" for outcome in self.outcomes)


@dataclass(frozen=True)
class Submitted:
    """When the runner sent a task's submission, and whether the answer broke no rule."""

    at: float
    sound: bool


@dataclass
class _Verdict:
    rule: str
    description: str
    status: Status = "pass"
    detail: str = ""
    curl: str = ""


class Runner:
    """Runs every check against a target and keeps one outcome per rule."""

    def __init__(
        self,
        target: Target,
        *,
        examples: int,
        poll_timeout: float,
        poll_interval: float,
        spec: Spec | None = None,
        rules: Sequence[str] = (),
        fuzz: int = FUZZ_EXAMPLES,
    ) -> None:
        self.target = target
        self.rules = tuple(rules)
        self.fuzz = fuzz
        self.examples = examples
        self.poll_timeout = poll_timeout
        self.poll_interval = poll_interval
        self.spec = spec if spec is not None else spec_module.load()
        self.checks = checks.registry(self.spec)
        self.create = self.spec.submission()
        self.retrieve = self.spec.retrieval()
        lifecycle = self.spec.lifecycle(self.retrieve.success_schema or "")
        assert lifecycle is not None
        self.lifecycle = lifecycle
        self.verdicts: dict[str, _Verdict] = {}
        self.tasks: list[tuple[Any, dict[str, Any]]] = []
        # When the runner sent each task's submission, and whether the answer broke no rule.
        self.submitted: dict[str, Submitted] = {}
        self.coverage = Coverage(self.spec)
        # How the error bodies of refusals were judged (x-error-fields).
        self.refusals: Counter[str] = Counter()
        # Why the run stopped early: set when the run's deadline cut a rule.
        self.stopped = ""

    def selected(self, rule: str) -> bool:
        """Whether ``rule`` is one the run was asked for (``rules``; none: all)."""
        return matches(rule, self.rules)

    def wants(self, *scopes: Scope) -> bool:
        """Whether a selected check lives in one of ``scopes``."""
        return any(self.selected(c.id) for scope in scopes for c in self.checks.scope(scope))

    def check_key(self) -> None:
        """Before any rule: the key is accepted, or ``KeyRefused``.

        The request costs nothing and changes nothing: a GET of an unknown id
        on an operation that needs the token (the task retrieval first). A
        401 or 403 refuses the key; any other answer (404, 400 task_not_exist)
        means the key got past authentication.
        """
        candidates = [self.retrieve, *self.spec.operations]
        op = next((o for o in candidates if o.auth is not None and o.method == "GET"), None)
        if op is None:
            return
        unknown = {name: "task_unknown_" + secrets.token_hex(6) for name in op.path_params}
        path = op.url_path(**unknown)
        try:
            reply = self.target.send(op.method, path, op=op)
        except NoAnswer as error:
            raise Unreachable(error.detail) from None
        if reply.status in checks.AUTH_STATUSES:
            raise KeyRefused(
                f"the server refused the key in {KEY_ENV} (HTTP {reply.status} to "
                f"{op.method} {path}): {snippet(reply.body)}"
            )

    def rule(self, rule: str, description: str) -> _Verdict:
        """The verdict on ``rule``, created passing on first use."""
        return self.verdicts.setdefault(rule, _Verdict(rule, description))

    def fail(self, rule: str, description: str, detail: str, curl: str = "") -> None:
        """Record that ``rule`` is broken (the first failure is the one reported)."""
        verdict = self.rule(rule, description)
        if verdict.status != "fail":
            verdict.status, verdict.detail, verdict.curl = "fail", detail, curl

    def skip(self, rule: str, description: str, detail: str) -> None:
        """Record that ``rule`` could not be checked."""
        verdict = self.rule(rule, description)
        if verdict.status == "pass":
            verdict.status, verdict.detail = "skip", detail

    def broke(self, rule: str, description: str, error: RuleBroken, label: str = "") -> None:
        """Record ``error`` against ``rule``: a failure, unless the run had already stopped.

        The deadline fails the rule it cut; the rules after it are skipped.
        """
        if isinstance(error, OutOfTime):
            if self.stopped:
                self.skip(rule, description, f"not run: {self.stopped}")
                return
            self.stopped = self.target.deadline_passed()
        detail = f"[{label}] {error.detail}" if label else error.detail
        self.fail(rule, description, detail, error.curl)

    def out_of_time(self, rule: str, description: str) -> bool:
        """Whether the run has stopped; if so ``rule`` is skipped (failed, if it is the first)."""
        if not self.stopped and self.target.time_left() > 0:
            return False
        self.broke(rule, description, OutOfTime(self.target.deadline_passed(), ""))
        return True

    def run(self) -> RunResult:
        """Every check, cheapest and most important first; the outcomes in that order."""
        started = time.monotonic()
        self.probe("submission")
        for refusal in cases.refusal_cases(self.spec):
            if self.selected(refusal.id):
                self.check_refused(refusal)
        # Rules about tasks need every accepted task; otherwise only the selected cases run.
        tasks = self.wants("response", "poll", "route", "pending", "done")
        for acceptance in cases.acceptance_cases(self.spec):
            if tasks or self.selected(acceptance.id):
                self.check_accepted(acceptance)
        if self.selected(checks.FUZZ):
            self.check_fuzz()
        if self.wants("poll", "route", "pending", "done"):
            self.check_polling()
        self.probe("finally")
        rows: list[Row] = []
        if not self.out_of_time(COVERAGE, COVERAGE_WORDS):
            rows = self.check_coverage()
        if self.stopped:
            # The rules the run never reached are reported, not left out.
            for rule in rule_ids(self.spec):
                if self.selected(rule) and rule not in self.verdicts:
                    self.skip(rule, self._words(rule), f"not run: {self.stopped}")
        outcomes = tuple(
            Outcome(v.rule, v.description, v.status, v.detail, v.curl)
            for v in self.verdicts.values()
            if self.selected(v.rule)
        )
        return RunResult(
            self.target.base_url,
            outcomes,
            self.target.spent,
            self.target.budget,
            self.target.requests,
            time.monotonic() - started,
            tuple(rows),
            self.stopped,
        )

    def _words(self, rule: str) -> str:
        """What ``rule`` says, for a rule reported without having run."""
        for check in self.checks.checks:
            if check.id == rule:
                return check.words
        for refusal in cases.refusal_cases(self.spec):
            if refusal.id == rule:
                return refusal.words
        for acceptance in cases.acceptance_cases(self.spec):
            if acceptance.id == rule:
                return acceptance.words
        return rule

    def probe(self, scope: Scope) -> None:
        """The checks of ``scope`` that send requests of their own."""
        for check in self.checks.scope(scope):
            if not self.selected(check.id):
                continue
            self.rule(check.id, check.words)
            if check.probe is None or self.out_of_time(check.id, check.words):
                continue
            try:
                finding = check.probe(self.target)
            except BudgetSpent:
                self.skip(check.id, check.words, "budget spent")
                continue
            except NoAnswer as error:
                self.broke(check.id, check.words, error)
                continue
            if finding.problem:
                self.fail(check.id, check.words, finding.problem, finding.curl)

    def fetch(self, scope: Scope, task_id: str) -> None:
        """The checks of ``scope`` that fetch something of the task ``task_id``."""
        for check in self.checks.scope(scope):
            if check.fetch is None:
                continue
            self.rule(check.id, check.words)
            if self.out_of_time(check.id, check.words):
                continue
            try:
                finding = check.fetch(self.target, task_id)
            except NoAnswer as error:
                self.broke(check.id, check.words, error, task_id)
                continue
            if finding.problem:
                self.fail(check.id, check.words, f"{task_id}: {finding.problem}", finding.curl)

    def check_refused(self, case: cases.RefusalCase) -> None:
        """Bodies breaking one documented rule are refused with a readable JSON error."""
        rule, words = case.id, case.words
        self.rule(rule, words)
        if self.out_of_time(rule, words):
            return
        phases = [Phase.explicit, Phase.reuse, Phase.generate]
        if self.target.loopback:
            phases.append(Phase.shrink)  # shrinking re-sends: free only on loopback
        submit = _answered_once(self.target.submit)

        def send(body: Any) -> None:
            try:
                reply = submit(json.dumps(body).encode())
            except BudgetSpent:
                self.coverage.sent(body, "skip", refused=True)
                raise
            problem = checks.refusal_problem(reply, self.create.error_schema, self.spec)
            status: Status = "fail" if problem else "pass"
            self.coverage.sent(body, status, refused=True)
            if not reply.ok:
                self.coverage.answered(self.create.error_schema, status, error=True)
                self.refusals[status] += 1
            if problem:
                raise RuleBroken(f"{problem}; body {compact(body)}", reply.curl)

        # Every body and every violation runs even once the rule failed: the
        # coverage report counts what each reached (the first failure is reported).
        for label, body in case.bodies:
            try:
                send(body)
            except RuleBroken as refused:
                self.broke(rule, words, refused, label)
            except BudgetSpent:
                self.skip(rule, words, "budget spent before every case ran")
        for violation in case.violations:
            drawn = _PASSED_DRAWS.get((violation, self.examples))
            if drawn is not None and self.target.loopback:
                # The same derandomized search passed before in this process: it
                # would draw these bodies again, so send them without the engine.
                try:
                    for body in drawn:
                        send(body)
                except RuleBroken as refused:
                    self.broke(rule, words, refused, violation.id)
                except BudgetSpent:
                    self.skip(rule, words, "budget spent before every case ran")
                continue
            passed: list[Any] = []
            recorded = _recording(send, passed)
            check = _search(violation.values, recorded, self.examples, phases)
            try:
                check()
                _PASSED_DRAWS[violation, self.examples] = passed
            except Exception as error:  # Hypothesis may group distinct failures
                broken, spent = _first(error, RuleBroken), _first(error, BudgetSpent)
                if isinstance(broken, RuleBroken):
                    self.broke(rule, words, broken, violation.id)
                elif spent is not None:
                    self.skip(rule, words, "budget spent before every case ran")
                elif isinstance(error, FlakyFailure):
                    self.fail(rule, words, f"[{violation.id}] answered inconsistently: {error}")
                else:
                    raise

    def check_accepted(self, case: cases.AcceptanceCase) -> None:
        """A valid body is accepted, and the task it returns obeys every response rule."""
        self.rule(case.id, case.words)
        if self.out_of_time(case.id, case.words):
            return
        sent = time.time()
        try:
            reply = self.target.submit(json.dumps(case.body).encode())
        except BudgetSpent:
            self.coverage.sent(case.body, "skip", refused=False)
            self.coverage.answered(self.create.success_schema, "skip", error=False)
            self.skip(case.id, case.words, f"budget of {self.target.budget} spent")
            return
        except NoAnswer as error:
            self.coverage.sent(case.body, "fail", refused=False)
            self.broke(case.id, case.words, error)
            return
        self.coverage.sent(case.body, "pass" if reply.ok else "fail", refused=False)
        if not reply.ok:
            self.fail(
                case.id,
                case.words,
                f"refused (HTTP {reply.status}): {snippet(reply.body)}",
                reply.curl,
            )
            return
        seen = self.seen(case.body, reply)
        broken = self.judge("response", seen)
        self.coverage.answered(
            self.create.success_schema, "fail" if broken else "pass", error=False
        )
        sound = not broken
        task = seen.task
        if (
            task is not None
            and isinstance(task.get(checks.IDENTITY), str)
            and task[checks.IDENTITY]
        ):
            if not self.tasks:
                # The first task, while it is surely still under way.
                self.fetch("pending", task[checks.IDENTITY])
            self.tasks.append((case.body, task))
            self.submitted.setdefault(task[checks.IDENTITY], Submitted(sent, sound))

    def check_fuzz(self) -> None:
        """What budget is left (up to ``fuzz`` bodies) goes to valid bodies drawn by Hypothesis.

        Each must be accepted (a refusal or a 5xx fails ``accepts.fuzz``) and
        its task obeys the response checks. A failing body is shrunk (on
        loopback only: shrinking re-sends) and reported with its curl. The
        tasks are not polled: the fixed cases' tasks cover polling.
        """
        check = self.checks[checks.FUZZ]
        rule, words = check.id, check.words
        self.rule(rule, words)
        if self.out_of_time(rule, words):
            return
        room = min(self.target.budget - self.target.spent, self.fuzz)
        if self.create.body_schema is None or room <= 0:
            self.coverage.answered(self.create.success_schema, "skip", error=False)
            self.skip(rule, words, f"budget of {self.target.budget} spent")
            return
        phases = [Phase.generate]
        if self.target.loopback:
            phases.append(Phase.shrink)
        submit = _answered_once(self.target.submit)

        def send(body: Any) -> None:
            try:
                reply = submit(json.dumps(body).encode())
            except BudgetSpent:
                self.coverage.sent(body, "skip", refused=False)
                raise
            self.coverage.sent(body, "pass" if reply.ok else "fail", refused=False)
            if not reply.ok:
                kind = "answered with a server error" if reply.status >= 500 else "refused"
                detail = f"{kind} (HTTP {reply.status}): {snippet(reply.body)}"
                raise RuleBroken(f"{detail}; body {compact(body)}", reply.curl)
            broken = self.judge("response", self.seen(body, reply))
            status: Status = "fail" if broken else "pass"
            self.coverage.answered(self.create.success_schema, status, error=False)

        fuzzed = _search(strategies.fuzz(self.create.body_schema, self.spec), send, room, phases)
        try:
            fuzzed()
        except Exception as error:  # Hypothesis may group distinct failures
            broken, spent = _first(error, RuleBroken), _first(error, BudgetSpent)
            if isinstance(broken, RuleBroken):
                self.broke(rule, words, broken)
            elif spent is not None:
                self.skip(rule, words, "budget spent before every body was sent")
            elif isinstance(error, FlakyFailure):
                self.fail(rule, words, f"answered inconsistently: {error}")
            else:
                raise

    def check_coverage(self) -> list[Row]:
        """The spec's rules against the cases that ran: a rule no case reached fails the run."""
        words = COVERAGE_WORDS
        self.rule(COVERAGE, words)
        # A check of the registry that never ran (nothing to judge) was skipped.
        verdicts = {check.id: "skip" for check in self.checks.checks}
        verdicts |= {v.rule: v.status for v in self.verdicts.values()}
        # Each other operation's check judges its answer against its response schema.
        for op in checks.generic_operations(self.spec):
            found = verdicts.get(f"{checks.GENERIC}.{op.operation_id}", "skip")
            status: CoverageStatus = (
                "pass" if found == "pass" else "fail" if found == "fail" else "skip"
            )
            self.coverage.answered(op.success_schema, status, error=False)
        rows = self.coverage.result(verdicts, self.refusals)
        missing = untested(rows)
        if missing:
            shown = "; ".join(f"{r.kind} {r.where} {r.keyword}" for r in missing)
            self.fail(COVERAGE, words, f"{len(missing)} untested: {shown}")
        return rows

    def seen(self, body: Any, reply: Reply, asked_id: str = "", previous: Any = None) -> Seen:
        """What the checks see of ``reply``, the answer to submitting ``body``."""
        task = reply.json()
        upstream = self.create.upstream.payload(body) if self.create.upstream else {}
        return Seen(
            body,
            upstream,
            reply,
            task if isinstance(task, dict) else None,
            time.time(),
            asked_id,
            previous,
        )

    def judge(self, scope: Scope, seen: Seen, register: bool = True) -> list[Check]:
        """Judge ``seen`` by every check of ``scope``; return the checks it breaks.

        The fallback check (the whole schema) reports only when no other check
        that reads the task explains the problem: the most specific rule wins.
        """
        broken: list[Check] = []
        for check in self.checks.scope(scope):
            if check.evaluate is None or (check.needs_task and seen.task is None):
                continue
            if register:
                self.rule(check.id, check.words)
            if check.fallback and any(c.needs_task for c in broken):
                continue
            problem = check.evaluate(seen)
            if problem:
                broken.append(check)
                self.fail(check.id, check.words, problem, seen.reply.curl)
        return broken

    def check_polling(self) -> None:
        """Poll each accepted task to the end (GETs are free)."""
        polled = self.checks.scope("poll")
        routes = self.checks.scope("route")
        fetched = (*self.checks.scope("pending"), *self.checks.scope("done"))
        for check in (*polled, *routes, *fetched):
            self.rule(check.id, check.words)
        if self.tasks and (self.stopped or self.target.time_left() <= 0):
            for check in (*polled, *routes, *fetched):
                self.out_of_time(check.id, check.words)
            return
        if not self.tasks:
            for check in (*polled, *routes, *fetched):
                self.skip(check.id, check.words, "no accepted task to poll")
        ended, completed = False, False
        for body, created in self.tasks:
            if self.stopped:
                break
            end = self.poll_one(body, created, polled)
            if end in self.lifecycle.terminal:
                ended = True
                self.check_routes(created[checks.IDENTITY], routes)
            if end == self.lifecycle.path_to_end()[-1] and not completed:
                completed = True
                self.fetch("done", created[checks.IDENTITY])
        if self.tasks and not completed:
            for check in self.checks.scope("done"):
                detail = f"no task reached {self.lifecycle.path_to_end()[-1]}"
                self.skip(check.id, check.words, detail)
        if self.tasks and not ended:
            for check in routes:
                self.skip(check.id, check.words, "no task ended")

    def check_routes(self, task_id: str, routes: tuple[Check, ...]) -> None:
        """Every route to an ended task answers with the same task."""
        operations = self.spec.retrievals()
        for check in routes:
            if self.out_of_time(check.id, check.words):
                continue
            paths = [(op, op.url_path(**{op.path_params[0]: task_id})) for op in operations]
            try:
                replies = [(op, self.target.send(op.method, path, op=op)) for op, path in paths]
            except NoAnswer as error:
                self.broke(check.id, check.words, error, task_id)
                continue
            (first_op, first), *others = replies
            for op, reply in others:
                if not (reply.ok and first.ok and json_equal(reply.json(), first.json())):
                    detail = (
                        f"{first_op.path}: {snippet(first.body)}; {op.path}: "
                        f"HTTP {reply.status} {snippet(reply.body)}"
                    )
                    self.fail(check.id, check.words, detail, reply.curl)

    def poll_one(self, body: Any, created: dict[str, Any], polled: tuple[Check, ...]) -> Any:
        """Poll one task until it ends and ``AFTER_END`` times more; return its last status.

        Each state it reports is judged with the task's earlier observations
        that broke no rule (its submission's answer first), when it was
        submitted, and the answers to the other submissions. A terminal status
        is absorbing: the polls after it must find it again.
        """
        task_id = created[checks.IDENTITY]
        path = self.retrieve.url_path(**{self.retrieve.path_params[0]: task_id})
        status = created.get(self.lifecycle.property)
        deadline = time.monotonic() + self.poll_timeout
        fallback = next(c for c in polled if c.fallback)
        # The observations to compare with: those that broke no rule.
        submitted = self.submitted.get(task_id)
        history = [created] if submitted is None or submitted.sound else []
        others = tuple(task for _, task in self.tasks if task is not created)
        after_end = 0
        # Back off from the first interval to a second at most (or the interval, if longer):
        # a mock answers at once, a real server is not polled in a tight loop.
        interval, longest = self.poll_interval, max(self.poll_interval, 1.0)
        while status not in self.lifecycle.terminal or after_end < AFTER_END:
            if status in self.lifecycle.terminal:
                after_end += 1
            elif time.monotonic() > deadline:
                for check in polled:
                    if check.needs_end:
                        detail = f"{task_id} still {status} after {self.poll_timeout:g}s"
                        self.skip(check.id, check.words, detail)
                return None
            time.sleep(max(min(interval, self.target.time_left()), 0))
            interval = min(interval * 2, longest)
            try:
                reply = self.target.send(self.retrieve.method, path, op=self.retrieve)
            except NoAnswer as error:
                self.broke(fallback.id, fallback.words, error, task_id)
                return None
            seen = replace(
                self.seen(body, reply, task_id, status),
                history=tuple(history),
                submitted_at=submitted.at if submitted is not None else None,
                others=others,
            )
            if not reply.ok or seen.task is None:
                detail = f"HTTP {reply.status}: {snippet(reply.body)}"
                self.fail(fallback.id, fallback.words, detail, reply.curl)
                return None
            broken = self.judge("poll", seen, register=False)
            if any(check.stops for check in broken):
                return None
            if not broken:
                history.append(seen.task)
            status = seen.task.get(self.lifecycle.property)
        return status


def _search(
    values: SearchStrategy[Any], test: Callable[[Any], None], examples: int, phases: list[Phase]
) -> Callable[[], None]:
    """``test`` run by Hypothesis on up to ``examples`` of ``values``.

    Derandomized, quiet and with no example database: each run of the suite
    draws the same bodies.
    """
    search: Callable[[], None] = settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )(given(values)(test))
    return search


def _answered_once(submit: Callable[[bytes], Reply]) -> Callable[[bytes], Reply]:
    """``submit``, which after one ``NoAnswer`` raises it again without sending.

    One request left unanswered fails the rule; the rest of its search would
    only wait out the same deadline again, each shrinking step too.
    """
    unanswered: list[NoAnswer] = []

    def once(body: bytes) -> Reply:
        if unanswered:
            raise unanswered[0]
        try:
            return submit(body)
        except NoAnswer as error:
            unanswered.append(error)
            raise

    return once


def _recording(send: Callable[[Any], None], passed: list[Any]) -> Callable[[Any], None]:
    """``send``, noting in ``passed`` each body it sent without a failure."""

    def recorded(body: Any) -> None:
        send(body)
        passed.append(body)

    return recorded


def _first(error: BaseException, kind: type[Exception]) -> BaseException | None:
    """``error`` or the first exception of type ``kind`` inside it (exception groups)."""
    if isinstance(error, kind):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _first(inner, kind)
        if found is not None:
            return found
    return None
