"""What a conformance check is: its parts, what it judges, and the judging every family shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from tests.contract import oracle
from tests.contract.rules import MISSING, EchoRule, json_equal
from tests.contract.spec import Operation, Spec

# Where a check applies: probes of their own before any case ("submission") or
# after polling ("finally"); or on each answer to an accepted submission
# ("response") or each polled state ("poll"); an ended task read by each of its
# routes ("route"); or a fetch of a task's file while the task is still under
# way ("pending") or once it has ended ("done"); or valid bodies drawn from the
# body schema ("fuzz").
Scope = Literal["submission", "response", "poll", "route", "finally", "pending", "done", "fuzz"]
# The token that stands for the real key (the key itself never reaches a check).
KEY = "key"
# The spec requires both, but does not say which one the task is known by, or
# which property is a moment in Unix seconds: the registry does.
IDENTITY = "id"
CLOCK = "created_at"
DAY = 86400

# The statuses that refuse a key: an auth check wants one, a refusal of a body must not be one.
AUTH_STATUSES = (401, 403)


@dataclass(frozen=True)
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
        """The decoded body, or ``MISSING`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return MISSING


class Probe(Protocol):
    """What a probing check may do: submit a body, or send any request."""

    def submit(self, body: bytes, token: str | None = KEY) -> Reply:
        """POST ``body`` to the submission operation."""
        ...

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        token: str | None = KEY,
        accept: str = "application/json",
        op: Operation | None = None,
    ) -> Reply:
        """Send one request for ``op`` (default the submission): its key where its security says."""
        ...


@dataclass(frozen=True)
class Seen:
    """One task answer as the suite saw it, and what it answers."""

    request: Any
    upstream: Any
    reply: Reply
    # The decoded task, or None when the body is not a JSON object.
    task: dict[str, Any] | None
    now: float
    # When polling: the id asked for and the status seen before.
    asked_id: str = ""
    previous: Any = None
    # When polling: the task's earlier observations, the answer to its submission first.
    history: tuple[dict[str, Any], ...] = ()
    # When polling: the runner's clock when it submitted the task (None: unknown).
    submitted_at: float | None = None
    # When polling: the answers to the run's other submissions (what ``x-invariants.unique``
    # compares with).
    others: tuple[dict[str, Any], ...] = ()


@dataclass
class Answer:
    """An answer of the mock before it is sent: what a ``spoil`` changes."""

    task: dict[str, Any]
    content_type: str = "application/json"


@dataclass(frozen=True)
class Finding:
    """What a probe found: the problem ("" when the rule holds) and the request that shows it."""

    problem: str
    curl: str = ""


@dataclass(frozen=True)
class Check:
    """One conformance rule."""

    id: str
    words: str
    scope: Scope
    # How the mock breaks it on purpose ("" when it cannot).
    breaks: str = ""
    evaluate: Callable[[Seen], str] | None = None
    probe: Callable[[Probe], Finding] | None = None
    # A probe about one task (its id given): the "pending" and "done" scopes.
    fetch: Callable[[Probe, str], Finding] | None = None
    spoil: Callable[[Answer], None] | None = None
    # Judged only when the body is a JSON object.
    needs_task: bool = True
    # The schema's catch-all: reports only what no other check of its scope explains.
    fallback: bool = False
    # When it fails, stop polling the task (a task moving backwards may never end).
    stops: bool = False
    # Only a task that ended can show it: skipped when polling runs out of time.
    needs_end: bool = False
    # The operations (ids) whose answers it judges.
    operations: tuple[str, ...] = ()
    # A break that makes the mock refuse the valid bodies this says yes to.
    refuses: Callable[[Any], bool] | None = None


# Which parts of a ``Check`` each scope reads, beyond the id, words, breaks and
# operations every scope has: the runner (R) and the mock (M) read nothing
# else, so a check sets nothing else. One family module builds each row.
#
#   scope       family                    reads
#   submission  auth                      probe (R)
#   response    response                  evaluate, needs_task, fallback (R); spoil (M)
#   poll        poll                      evaluate, needs_task, fallback, stops, needs_end (R);
#                                         spoil (M)
#   route       poll                      needs_end (R: routes are read once a task ended);
#                                         spoil (M)
#   finally     poll, download, generic   probe (R)
#   pending     download                  fetch (R)
#   done        download, generic         fetch (R)
#   fuzz        response                  refuses (M; the runner draws the bodies itself)
PARTS: dict[Scope, frozenset[str]] = {
    "submission": frozenset({"probe"}),
    "response": frozenset({"evaluate", "needs_task", "fallback", "spoil"}),
    "poll": frozenset({"evaluate", "needs_task", "fallback", "stops", "needs_end", "spoil"}),
    "route": frozenset({"needs_end", "spoil"}),
    "finally": frozenset({"probe"}),
    "pending": frozenset({"fetch"}),
    "done": frozenset({"fetch"}),
    "fuzz": frozenset({"refuses"}),
}
# What every scope reads.
COMMON_PARTS = frozenset({"id", "words", "scope", "breaks", "operations"})


@dataclass(frozen=True)
class Registry:
    """Every check, in report order."""

    checks: tuple[Check, ...]

    def __getitem__(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def scope(self, scope: Scope) -> tuple[Check, ...]:
        """The checks of ``scope``, in order."""
        return tuple(check for check in self.checks if check.scope == scope)

    @property
    def breaks(self) -> dict[str, str]:
        """The mock's named breaks: check id -> how the mock breaks it."""
        return {check.id: check.breaks for check in self.checks if check.breaks}

    def covering(self, operation_id: str) -> tuple[Check, ...]:
        """The checks that judge answers of operation ``operation_id``."""
        return tuple(check for check in self.checks if operation_id in check.operations)


def compact(value: Any, limit: int = 160) -> str:
    """Short JSON for reports."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def snippet(body: bytes) -> str:
    """The start of a response body, for reports."""
    return compact(body[:200].decode("utf-8", "replace"))


def refusal_problem(reply: Reply, error_schema: str | None, spec: Spec | None = None) -> str:
    """Why ``reply`` is not a refusal with a documented JSON error, or "" when it is one.

    A refusal is a client error (4xx) other than 401 and 403: those refuse the
    key, not the request, and prove nothing about the rule under test.
    """
    if reply.ok:
        return f"accepted (HTTP {reply.status})"
    if reply.status in AUTH_STATUSES:
        return f"HTTP {reply.status}: the key was refused, not the request: {snippet(reply.body)}"
    if not 400 <= reply.status < 500:
        return f"HTTP {reply.status}, not a client error: {snippet(reply.body)}"
    return _documented_problem(reply, error_schema, spec)


def auth_problem(reply: Reply, error_schema: str | None, spec: Spec | None = None) -> str:
    """Why ``reply`` is not an auth refusal (401 or 403, documented JSON error), or ""."""
    if reply.status not in AUTH_STATUSES:
        shown = "accepted" if reply.ok else "answered"
        return f"{shown} (HTTP {reply.status}), expected 401 or 403: {snippet(reply.body)}"
    return _documented_problem(reply, error_schema, spec)


def _documented_problem(reply: Reply, error_schema: str | None, spec: Spec | None) -> str:
    data = reply.json()
    documented = isinstance(data, dict) and (
        error_schema is None or oracle.is_valid(error_schema, data, spec)
    )
    if not documented:
        return f"HTTP {reply.status} without a documented JSON error body: {snippet(reply.body)}"
    return ""


def reported(task: Mapping[str, Any], prop: str) -> str:
    """How ``prop`` of ``task`` was found, for a report: ``status is "done"``."""
    return f"{prop} is {compact(task.get(prop, '(missing)'))}"


def other_value(value: Any) -> Any:
    """A value of the same kind that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}-other"


def integer_in(value: Any, low: float | None, high: float | None) -> bool:
    """Whether ``value`` is an integer (not a bool) within ``low`` and ``high``, either open."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (low is None or value >= low)
        and (high is None or value <= high)
    )


def schema_problem(seen: Seen, schema: str, spec: Spec) -> str:
    """Why ``seen`` is not a task obeying ``schema``, or "" when it obeys."""
    if seen.task is None:
        return f"not a JSON object: {snippet(seen.reply.body)}"
    errors = oracle.schema_errors(schema, seen.task, spec)
    return errors[0].message if errors else ""


def setting(prop: str, value: Any) -> Callable[[Answer], None]:
    """The spoil that sets ``prop`` of the answer to ``value``."""

    def spoil(answer: Answer) -> None:
        answer.task[prop] = value

    return spoil


def partners(pairs: Sequence[tuple[str, str]], prop: str) -> tuple[str, ...]:
    """The properties ``pairs`` hold equal to ``prop``."""
    return tuple(right if left == prop else left for left, right in pairs if prop in (left, right))


def echo_check(scope: Scope, rule: EchoRule) -> Check:
    """The check of ``scope`` that an ``x-echo`` rule holds: ``prop`` repeats what it names."""
    prop, name = rule.property, rule.pointer.rsplit("/", 1)[-1]
    if rule.source == "request":
        words, breaks = (
            f"{prop} is the requested {name}",
            f"answer with a {prop} other than the requested one",
        )
    else:
        reported = ", when reported," if rule.optional else ""
        words = f"a task's {prop}{reported} equals the forwarded {name}"
        breaks = f"report a {prop} other than the forwarded {name}"

    def evaluate(seen: Seen) -> str:
        task = seen.task or {}
        expected = rule.expected(seen.request, seen.upstream)
        actual = task.get(prop, MISSING)
        if expected is MISSING or (actual is MISSING and rule.optional):
            return ""
        if actual is not MISSING and json_equal(actual, expected):
            return ""
        shown = "(missing)" if actual is MISSING else compact(actual)
        return f"sent {compact(seen.request)}: {prop} is {shown}, expected {compact(expected)}"

    def spoil(answer: Answer) -> None:
        if prop in answer.task:
            answer.task[prop] = other_value(answer.task[prop])

    return Check(
        f"{scope}.{prop.replace('_', '-')}",
        words,
        scope,
        breaks=breaks,
        evaluate=evaluate,
        spoil=spoil,
    )
