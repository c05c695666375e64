"""The registry of conformance checks: each declared once, with its words and its break.

A ``Check`` has an id (``response.task-id``), its words, where it applies
(``scope``), how it is judged (``evaluate`` on a task the suite saw, or
``probe`` for a request of its own) and the words of how the mock can break
it. When the break is a change to one answer, ``spoil`` is that change and the
mock applies it by itself; the others (auth, JSON parsing, lifecycle walk,
unknown ids) are broken in ``mock.py`` where it does that work.

The values a check holds a server to are read from the spec: the ``const``
of a property, the lifecycle's states, a property's minimum and maximum, the
``x-echo`` and ``x-equal-properties`` rules, the ``then`` of the conditional
that selects the lifecycle's end state. The registry names the properties
the spec leaves implicit: the task's identity (``IDENTITY``) and its clock
(``CLOCK``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, Protocol

from tests.contract import oracle
from tests.contract import spec as spec_module
from tests.contract.rules import MISSING, EchoRule, Invariants, json_equal, pointer_delete
from tests.contract.spec import Operation, Spec, ref

# Where a check applies: probes of their own before any case ("submission") or
# after polling ("finally"); or on each answer to an accepted submission
# ("response") or each polled state ("poll"); an ended task read by each of its
# routes ("route"); or a fetch of a task's file while the task is still under
# way ("pending") or once it has ended ("done").
Scope = Literal["submission", "response", "poll", "route", "finally", "pending", "done", "fuzz"]
# The token that stands for the real key (the key itself never reaches a check).
KEY = "key"
# The spec requires both, but does not say which one the task is known by, or
# which property is a moment in Unix seconds: the registry does.
IDENTITY = "id"
CLOCK = "created_at"
DAY = 86400
# How far a server's clock may be behind the runner's (``x-invariants.ordered``).
CLOCK_SKEW = 300

AUTH_MISSING_TOKEN = "auth.missing-token"
AUTH_WRONG_TOKEN = "auth.wrong-token"
JSON_MALFORMED = "json.malformed"
POLL_FORWARD = "poll.forward"
POLL_IMMUTABLE = "poll.immutable"
POLL_TIME_ORDER = "poll.time-order"
POLL_AFTER_SUBMISSION = "poll.after-submission"
# For ``x-invariants.unique`` of the identity: the mock's break reuses an earlier task.
POLL_UNIQUE_ID = f"poll.unique-{IDENTITY.replace('_', '-')}"
ROUTES_AGREE = "poll.routes-agree"
POLL_UNKNOWN_ID = "poll.unknown-id"
DOWNLOAD_PENDING = "download.pending"
DOWNLOAD_CONTENT = "download.content"
DOWNLOAD_UNKNOWN_ID = "download.unknown-id"
# The statuses that refuse a key: an auth check wants one, a refusal of a body must not be one.
AUTH_STATUSES = (401, 403)
FUZZ = "accepts.fuzz"


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


def _missing(task: Mapping[str, Any], prop: str) -> str:
    return f"{prop} is {compact(task.get(prop, '(missing)'))}"


def _other(value: Any) -> Any:
    """A value of the same kind that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}-other"


def _integer_in(value: Any, low: float | None, high: float | None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (low is None or value >= low)
        and (high is None or value <= high)
    )


def _describe(schema: Mapping[str, Any]) -> str:
    """A string schema in words."""
    least = schema.get("minLength", 0)
    if least == 1:
        return "a non-empty string"
    return f"a string of at least {least} characters" if least else "a string"


def _requirement_leaves(then: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """The dotted paths a ``then`` requires, deepest first met: ``metadata.url``."""
    for name in then.get("required", []):
        nested = then.get("properties", {}).get(name, {})
        path = f"{prefix}{name}"
        if nested.get("required"):
            yield from _requirement_leaves(nested, path + ".")
        else:
            yield path


def _selects(condition: Any, prop: str, state: str) -> bool:
    """Whether an ``if`` schema selects tasks whose ``prop`` is ``state``."""
    if not isinstance(condition, dict):
        return False
    return bool(condition.get("properties", {}).get(prop, {}).get("const") == state)


@cache
def _registry(spec: Spec) -> Registry:
    create, retrieve = spec.submission(), spec.retrieval()
    task_name = retrieve.success_schema
    assert task_name is not None
    task_schema = spec.resolve(ref(task_name))
    props: dict[str, Any] = task_schema.get("properties", {})
    echo_rules = create.echo.rules if create.echo is not None else ()
    first = create.request_examples[0].value if create.request_examples else {}

    checks = [
        *_naming(
            (create,),
            [
                *_submission_checks(spec, create, json.dumps(first).encode()),
                *_response_checks(spec, create, task_name, props, echo_rules),
            ],
        ),
        *_naming(
            (retrieve,),
            [
                *_poll_checks(spec, task_name, task_schema, echo_rules),
                Check(
                    POLL_UNKNOWN_ID,
                    "an unknown task id is refused with a JSON error",
                    "finally",
                    breaks="answer 200 for an unknown task id",
                    probe=lambda probe: _unknown_id(probe, retrieve, spec),
                ),
            ],
        ),
    ]
    routes = spec.retrievals()
    if len(routes) > 1:
        checks.append(
            Check(
                ROUTES_AGREE,
                f"every query route returns the same task ({', '.join(r.path for r in routes)})",
                "route",
                breaks=f"answer the other query routes with {CLOCK} a second later",
                spoil=_a_second_later,
                needs_end=True,
                operations=tuple(r.operation_id for r in routes),
            )
        )
    for download in spec.downloads():
        several = len(spec.downloads()) > 1
        checks += _naming((download,), _download_checks(spec, retrieve, download, several))
    checks += [_generic_check(spec, op, task_schema) for op in generic_operations(spec)]
    checks.append(
        Check(
            FUZZ,
            "accepts valid bodies drawn from the body schema (long and non-ASCII text, "
            "every optional field, each enum value and union branch)",
            "fuzz",
            breaks="refuse valid bodies with a non-ASCII character in any string",
            refuses=_has_non_ascii,
            operations=(create.operation_id,),
        )
    )
    return Registry(tuple(checks))


def _naming(operations: Sequence[Operation], found: list[Check]) -> list[Check]:
    """``found``, each check naming ``operations`` unless it names some already."""
    ids = tuple(op.operation_id for op in operations)
    return [check if check.operations else replace(check, operations=ids) for check in found]


def _has_non_ascii(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (keys included) holds a non-ASCII character."""
    if isinstance(value, str):
        return not value.isascii()
    if isinstance(value, dict):
        return any(_has_non_ascii(k) or _has_non_ascii(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_non_ascii(v) for v in value)
    return False


def _a_second_later(answer: Answer) -> None:
    if isinstance(answer.task.get(CLOCK), int):
        answer.task[CLOCK] += 1


def registry(spec: Spec | None = None) -> Registry:
    """The checks for ``spec`` (default: the project's spec)."""
    return _registry(spec if spec is not None else spec_module.load())


def auth_rule(kind: str, op: Operation, spec: Spec) -> str:
    """The id of the auth check ``kind`` (``AUTH_MISSING_TOKEN``/``AUTH_WRONG_TOKEN``) on ``op``.

    The submission keeps the bare id; every other operation adds its operationId.
    """
    if op.operation_id == spec.submission().operation_id:
        return kind
    return f"{kind}.{op.operation_id}"


def _auth_checks(spec: Spec, create: Operation, body: bytes) -> list[Check]:
    """For every operation that takes a key, any scheme: none, and a wrong one, are refused.

    The words say "token" whatever the scheme: the ids and lines of the
    bearer-only days stay as they were.
    """
    checks: list[Check] = []
    for op in spec.operations:
        if op.auth is None:
            continue
        submission = op.operation_id == create.operation_id
        what = "a submission" if submission else f"{op.method} {op.path} ({op.operation_id})"
        checks += [
            Check(
                auth_rule(AUTH_MISSING_TOKEN, op, spec),
                f"{what} without a token is refused (401/403, JSON error)",
                "submission",
                breaks=f"accept {what} without a {op.auth.noun}",
                probe=_auth_probe(spec, op, body if submission else None, None),
            ),
            Check(
                auth_rule(AUTH_WRONG_TOKEN, op, spec),
                f"{what} with a wrong token is refused (401/403, JSON error)",
                "submission",
                breaks=f"accept {what} with any {op.auth.noun}",
                probe=_auth_probe(spec, op, body if submission else None, "wrong"),
            ),
        ]
    return checks


def _auth_probe(
    spec: Spec, op: Operation, submission: bytes | None, token: str | None
) -> Callable[[Probe], Finding]:
    """One request to ``op`` without its token (``token`` None) or with a wrong one.

    A submission sends its documented body (an acceptance is spending); any
    other operation its first request example, if it has a body, and an
    unknown id in every path parameter.
    """
    examples = op.request_examples
    body = json.dumps(examples[0].value).encode() if examples else b"{}"

    def probe(target: Probe) -> Finding:
        sent = None if token is None else f"{token}-{secrets.token_hex(8)}"
        if submission is not None:
            reply = target.submit(submission, token=sent)
        else:
            unknown = {name: "task_unknown_" + secrets.token_hex(6) for name in op.path_params}
            has_body = op.body_schema is not None
            data = body if has_body else None
            reply = target.send(op.method, op.url_path(**unknown), data, sent, op=op)
        return Finding(auth_problem(reply, op.error_schema, spec), reply.curl)

    return probe


def _submission_checks(spec: Spec, create: Operation, body: bytes) -> list[Check]:
    def malformed(probe: Probe) -> Finding:
        # Half of a valid body: not JSON, and plainly so.
        reply = probe.submit(body[: max(len(body) // 2, 1)])
        return Finding(refusal_problem(reply, create.error_schema, spec), reply.curl)

    return [
        *_auth_checks(spec, create, body),
        Check(
            JSON_MALFORMED,
            "a body that is not JSON is refused with a JSON error",
            "submission",
            breaks="accept a body that is not JSON",
            probe=malformed,
        ),
    ]


def _response_checks(
    spec: Spec,
    create: Operation,
    task_name: str,
    props: Mapping[str, Any],
    echo_rules: Sequence[EchoRule],
) -> list[Check]:
    lifecycle = spec.lifecycle(task_name)
    assert lifecycle is not None
    equal = spec.equal_properties(task_name)
    media = create.success_media_types or ("application/json",)
    checks = [
        Check(
            "response.content-type",
            f"the task comes back as {' or '.join(media)}",
            "response",
            breaks="answer with Content-Type text/plain",
            evaluate=lambda seen: _content_type(seen, media),
            spoil=_as_text,
            needs_task=False,
        ),
        _non_empty(spec, IDENTITY, props[IDENTITY], _partners(equal.pairs, IDENTITY)),
    ]
    checks += [_equal(left, right) for left, right in equal.pairs]
    checks += [_const(prop, sub["const"]) for prop, sub in props.items() if "const" in sub]
    checks += [_echo("response", rule) for rule in echo_rules if not rule.optional]
    status = lifecycle.property
    status_schema = oracle.validator_for(props[status], spec)
    states = lifecycle.states
    bad_state = _other(lifecycle.initial)
    checks.append(
        Check(
            f"response.{status}",
            f"{status} is a documented {status}",
            "response",
            breaks=f"answer with {status} {compact(bad_state)}",
            evaluate=lambda seen: (
                ""
                if (task := seen.task or {}).get(status) in states
                and status_schema.is_valid(task[status])
                else _missing(task, status)
            ),
            spoil=_setting(status, bad_state),
        )
    )
    if lifecycle.progress is not None:
        checks.append(_range(lifecycle.progress, props[lifecycle.progress]))
    checks += [
        Check(
            "response.created-at",
            f"{CLOCK} is Unix seconds within a day of now",
            "response",
            breaks=f"answer with {CLOCK} in milliseconds",
            evaluate=lambda seen: (
                ""
                if _integer_in((seen.task or {}).get(CLOCK), seen.now - DAY, seen.now + DAY)
                else _missing(seen.task or {}, CLOCK)
            ),
            spoil=_in_milliseconds,
        ),
        Check(
            "response.valid",
            "the task obeys the task schema",
            "response",
            evaluate=lambda seen: _schema_problem(seen, task_name, spec),
            needs_task=False,
            fallback=True,
        ),
    ]
    return checks


def _content_type(seen: Seen, media: Sequence[str]) -> str:
    given = seen.reply.content_type.split(";")[0].strip().lower()
    return (
        "" if given in {m.lower() for m in media} else f"Content-Type {seen.reply.content_type!r}"
    )


def _schema_problem(seen: Seen, schema: str, spec: Spec) -> str:
    if seen.task is None:
        return f"not a JSON object: {snippet(seen.reply.body)}"
    errors = oracle.schema_errors(schema, seen.task, spec)
    return errors[0].message if errors else ""


def _as_text(answer: Answer) -> None:
    answer.content_type = "text/plain"


def _in_milliseconds(answer: Answer) -> None:
    answer.task[CLOCK] = answer.task[CLOCK] * 1000


def _setting(prop: str, value: Any) -> Callable[[Answer], None]:
    def spoil(answer: Answer) -> None:
        answer.task[prop] = value

    return spoil


def _partners(pairs: Sequence[tuple[str, str]], prop: str) -> tuple[str, ...]:
    return tuple(right if left == prop else left for left, right in pairs if prop in (left, right))


def _non_empty(spec: Spec, prop: str, schema: Any, partners: Sequence[str]) -> Check:
    resolved = spec.resolve(schema)
    obeys = oracle.validator_for(schema, spec).is_valid

    def spoil(answer: Answer) -> None:
        # Its partners too: only this check may fail, not their equality.
        for name in (prop, *partners):
            answer.task[name] = ""

    also = f" (and {', '.join(partners)})" if partners else ""
    return Check(
        f"response.{prop}",
        f"{prop} is {_describe(resolved)}",
        "response",
        breaks=f"answer with an empty {prop}{also}",
        evaluate=lambda seen: (
            "" if prop in (task := seen.task or {}) and obeys(task[prop]) else _missing(task, prop)
        ),
        spoil=spoil,
    )


def _equal(left: str, right: str) -> Check:
    def spoil(answer: Answer) -> None:
        answer.task[left] = f"{answer.task.get(right)}-other"

    return Check(
        f"response.{left.replace('_', '-')}",
        f"{left} equals {right}",
        "response",
        breaks=f"answer with {left} different from {right}",
        evaluate=lambda seen: (
            ""
            if left in (task := seen.task or {}) and json_equal(task[left], task.get(right))
            else _missing(task, left)
        ),
        spoil=spoil,
    )


def _const(prop: str, const: Any) -> Check:
    bad = _other(const)
    return Check(
        f"response.{prop.replace('_', '-')}",
        f"{prop} is {json.dumps(const)}",
        "response",
        breaks=f"answer with {prop} {json.dumps(bad)}",
        evaluate=lambda seen: (
            ""
            if json_equal((task := seen.task or {}).get(prop, MISSING), const)
            else _missing(task, prop)
        ),
        spoil=_setting(prop, bad),
    )


def _echo(scope: Scope, rule: EchoRule) -> Check:
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
            answer.task[prop] = _other(answer.task[prop])

    return Check(
        f"{scope}.{prop.replace('_', '-')}",
        words,
        scope,
        breaks=breaks,
        evaluate=evaluate,
        spoil=spoil,
    )


def _range(prop: str, schema: Mapping[str, Any]) -> Check:
    low, high = schema.get("minimum"), schema.get("maximum")
    bad = (high + 1) if high is not None else (low - 1 if low is not None else 0.5)
    span = f" from {low} to {high}" if low is not None and high is not None else ""
    return Check(
        f"response.{prop.replace('_', '-')}",
        f"{prop} is an integer{span}",
        "response",
        breaks=f"answer with {prop} {bad}",
        evaluate=lambda seen: (
            ""
            if _integer_in((task := seen.task or {}).get(prop), low, high)
            else _missing(task, prop)
        ),
        spoil=_setting(prop, bad),
    )


def _poll_checks(
    spec: Spec, task_name: str, task_schema: Mapping[str, Any], echo_rules: Sequence[EchoRule]
) -> list[Check]:
    lifecycle = spec.lifecycle(task_name)
    assert lifecycle is not None
    equal = spec.equal_properties(task_name)
    status = lifecycle.property
    ending = " or ".join(lifecycle.terminal)

    def other_task(answer: Answer) -> None:
        answer.task[IDENTITY] = f"{answer.task.get(IDENTITY)}-other"
        answer.task.update(equal.equalize(answer.task))

    def forward(seen: Seen) -> str:
        now = (seen.task or {}).get(status)
        if seen.previous in lifecycle.transitions and now not in lifecycle.reachable(seen.previous):
            return f"{seen.previous} -> {now}"
        return ""

    checks = [
        Check(
            "poll.same-id",
            f"polling a task returns the same {IDENTITY}",
            "poll",
            breaks=f"answer a poll with another task's {IDENTITY}",
            evaluate=lambda seen: (
                ""
                if (got := (seen.task or {}).get(IDENTITY)) == seen.asked_id
                else f"asked for {seen.asked_id}, got {got!r}"
            ),
            spoil=other_task,
        ),
        Check(
            POLL_FORWARD,
            f"a task's {status} only moves forward, and stays once {ending}",
            "poll",
            breaks=f"move a task back to {lifecycle.initial} once, just before it would end",
            evaluate=forward,
            stops=True,
        ),
    ]
    end = lifecycle.path_to_end()[-1]
    thens = [
        branch["then"]
        for branch in task_schema.get("allOf", [])
        if isinstance(branch, dict) and _selects(branch.get("if"), status, end)
    ]
    if thens:
        leaves = [leaf for then in thens for leaf in _requirement_leaves(then)]
        carries = oracle.validator_for({"allOf": thens}, spec).is_valid

        def ended_without(answer: Answer) -> None:
            if answer.task.get(status) == end:
                for leaf in leaves:
                    pointer_delete(answer.task, "/" + leaf.replace(".", "/"))

        checks.append(
            Check(
                f"poll.{end}-{leaves[-1].rsplit('.', 1)[-1]}",
                f"a {end} task carries {' and '.join(leaves)}",
                "poll",
                breaks=f"end tasks as {end} without {' and '.join(leaves)}",
                evaluate=lambda seen: (
                    ""
                    if (task := seen.task or {}).get(status) != end or carries(task)
                    else f"no {' or '.join(leaves)} in {compact(task)}"
                ),
                spoil=ended_without,
                needs_end=True,
            )
        )
    checks += [_echo("poll", rule) for rule in echo_rules if rule.optional]
    checks += _invariant_checks(spec, task_name, task_schema, echo_rules)
    checks.append(
        Check(
            "poll.valid",
            "every polled task obeys the task schema",
            "poll",
            evaluate=lambda seen: _schema_problem(seen, task_name, spec),
            needs_task=False,
            fallback=True,
        )
    )
    return checks


def _invariant_checks(
    spec: Spec, task_name: str, task_schema: Mapping[str, Any], echo_rules: Sequence[EchoRule]
) -> list[Check]:
    """``x-invariants`` across the observations of one task (and across tasks)."""
    invariants = spec.invariants(task_name)
    lifecycle = spec.lifecycle(task_name)
    assert lifecycle is not None
    echoed = tuple(rule.property for rule in echo_rules)
    immutable = tuple(dict.fromkeys((*invariants.immutable, *echoed)))
    moments = invariants.moments
    checks: list[Check] = []
    if immutable:
        checks.append(_immutable(spec, task_name, task_schema, invariants, echo_rules))
    if invariants.ordered:

        def disordered(seen: Seen) -> str:
            for earlier, later in invariants.disordered(seen.task):
                task = seen.task or {}
                return f"{later} {task[later]} is earlier than {earlier} {task[earlier]}"
            return ""

        def reordered(answer: Answer) -> None:
            for chain in invariants.ordered:
                present = [p for p in chain if isinstance(answer.task.get(p), int)]
                if len(present) > 1:
                    answer.task[present[-1]] = answer.task[present[0]] - 1

        chains = "; ".join(" <= ".join(chain) for chain in invariants.ordered)
        checks.append(
            Check(
                POLL_TIME_ORDER,
                f"a task's moments are in order ({chains})",
                "poll",
                breaks=f"report a task's last moment a second before its first ({chains})",
                evaluate=disordered,
                spoil=reordered,
            )
        )

        def after_submission(seen: Seen) -> str:
            if seen.submitted_at is None:
                return ""
            since = seen.submitted_at - CLOCK_SKEW
            task = seen.task or {}
            for name in invariants.before(task, since):
                return (
                    f"{name} {task[name]} is {seen.submitted_at - task[name]:.0f}s "
                    f"before the submission (at {seen.submitted_at:.0f})"
                )
            return ""

        checks.append(
            Check(
                POLL_AFTER_SUBMISSION,
                f"no moment of a task ({', '.join(moments)}) is earlier than its submission "
                f"(less {CLOCK_SKEW}s of clock skew)",
                "poll",
                breaks=f"stamp tasks {2 * CLOCK_SKEW}s before they are submitted",
                evaluate=after_submission,
            )
        )
    for prop in invariants.unique:

        def unique(seen: Seen, prop: str = prop) -> str:
            value = (seen.task or {}).get(prop, MISSING)
            if value is MISSING or not any(
                json_equal(value, other.get(prop, MISSING)) for other in seen.others
            ):
                return ""
            return f"{prop} {compact(value)} was also given to another submission"

        checks.append(
            Check(
                f"poll.unique-{prop.replace('_', '-')}",
                f"every submission gets a {prop} no other task has",
                "poll",
                breaks=(
                    "answer a submission that repeats an earlier one's echoes with the earlier task"
                    if prop == IDENTITY
                    else ""
                ),
                evaluate=unique,
            )
        )
    return checks


def _immutable(
    spec: Spec,
    task_name: str,
    task_schema: Mapping[str, Any],
    invariants: Invariants,
    echo_rules: Sequence[EchoRule],
) -> Check:
    """Immutable properties (and those ``x-echo`` repeats) never change once reported."""
    echoed = tuple(rule.property for rule in echo_rules)
    immutable = tuple(dict.fromkeys((*invariants.immutable, *echoed)))
    lifecycle = spec.lifecycle(task_name)
    assert lifecycle is not None
    props: Mapping[str, Any] = task_schema.get("properties", {})
    # The mock breaks it on a property no other poll check reads.
    claimed = {
        IDENTITY,
        lifecycle.property,
        lifecycle.progress,
        *(p for pair in spec.equal_properties(task_name).pairs for p in pair),
        *(p for p, sub in props.items() if "const" in spec.resolve(sub)),
        *invariants.moments,
        *invariants.unique,
        *(rule.property for rule in echo_rules if rule.optional),
    }
    free = [
        p
        for p in immutable
        if p not in claimed and spec.resolve(props.get(p, {})).get("type") == "string"
    ]

    # The id (and its equals) is poll.same-id's: a poll answering another task breaks that.
    identity = {IDENTITY, *_partners(spec.equal_properties(task_name).pairs, IDENTITY)}

    def evaluate(seen: Seen) -> str:
        for earlier in seen.history:
            for name in invariants.changed(earlier, seen.task, echoed):
                if name in identity:
                    continue
                now = (seen.task or {}).get(name, "(missing)")
                return f"{name} was {compact(earlier[name])}, then {compact(now)}"
        return ""

    def spoil(answer: Answer) -> None:
        for name in free:
            if name in answer.task:
                answer.task[name] = _other(answer.task[name])
                return

    return Check(
        POLL_IMMUTABLE,
        f"once reported, {', '.join(immutable)} never change",
        "poll",
        breaks=f"change a polled task's {' or '.join(free)}" if free else "",
        evaluate=evaluate,
        spoil=spoil if free else None,
    )


GENERIC = "operation"


def generic_operations(spec: Spec) -> tuple[Operation, ...]:
    """The operations the contract tools know nothing special of: served and judged generically."""
    special = {spec.submission(), *spec.retrievals(), *spec.downloads()}
    return tuple(op for op in spec.operations if op not in special)


@dataclass(frozen=True)
class Documented:
    """The first documented 2xx answer of an operation: status, media type, schema, a value."""

    status: int
    media_type: str
    schema: Any
    value: Any


def documented_answer(spec: Spec, op: Operation) -> Documented | None:
    """The first 2xx answer ``op`` documents, its value the first example or one its schema takes.

    None when no 2xx answer is documented.
    """
    for status, raw in sorted(op.raw.get("responses", {}).items()):
        if not str(status).startswith("2") or not str(status).isdigit():
            continue
        response = spec._response(raw)
        content = response.get("content", {})
        if not content:
            return Documented(int(status), "", None, MISSING)
        media_type = next((m for m in content if spec_module.is_json(m)), next(iter(content)))
        media = content[media_type]
        schema = media.get("schema", True)
        examples = [e.get("value") for e in media.get("examples", {}).values()]
        if "example" in media:
            examples.insert(0, media["example"])
        value = examples[0] if examples else instance_of(schema, spec)
        return Documented(int(status), media_type, schema, value)
    return None


def request_body(spec: Spec, op: Operation) -> Any:
    """A body ``op`` accepts: its first request example, or one its schema takes (or MISSING)."""
    body = op.raw.get("requestBody", {}).get("content", {}).get(spec_module.JSON)
    if body is None:
        return MISSING
    if op.request_examples:
        return op.request_examples[0].value
    if "example" in body:
        return body["example"]
    return instance_of(body.get("schema", True), spec)


def path_values(spec: Spec, op: Operation) -> dict[str, str]:
    """A value for each path parameter: its example, or one its schema takes."""
    found = {}
    parameters = [
        *spec.document["paths"][op.path].get("parameters", []),
        *op.raw.get("parameters", []),
    ]
    for parameter in parameters:
        if parameter.get("in") != "path":
            continue
        value = parameter.get("example", MISSING)
        if value is MISSING:
            value = instance_of(parameter.get("schema", {"type": "string", "minLength": 1}), spec)
        found[parameter["name"]] = str(value)
    return found


def instance_of(schema: Any, spec: Spec) -> Any:
    """A value ``schema`` takes (the simplest Hypothesis finds), or MISSING when none is found."""
    return _instance_of(json.dumps(schema, sort_keys=True), spec)


@cache
def _instance_of(schema_text: str, spec: Spec) -> Any:
    # Imported here: the strategies are only needed for operations without examples.
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    from tests.contract import strategies

    schema = json.loads(schema_text)
    valid = oracle.validator_for(schema, spec).is_valid
    try:
        return find(
            strategies.valid_for(schema, spec=spec),
            valid,
            settings=settings(
                database=None, derandomize=True, suppress_health_check=list(HealthCheck)
            ),
        )
    except NoSuchExample:
        return MISSING


def refused_value(schema: Any, spec: Spec) -> Any:
    """A JSON value ``schema`` refuses (MISSING when it takes anything)."""
    obeys = oracle.validator_for(schema, spec).is_valid
    candidates: tuple[Any, ...] = (None, "", 0, [], {}, False)
    for value in candidates:
        if not obeys(value):
            return value
    return MISSING


def _generic_check(spec: Spec, op: Operation, task_schema: Mapping[str, Any]) -> Check:
    """``op`` answers with its documented 2xx status and schema (the task's id in its path)."""
    documented = documented_answer(spec, op)
    status = documented.status if documented is not None else 200
    schema = documented.schema if documented is not None else None
    obeys = oracle.validator_for(schema, spec).is_valid if schema is not None else None
    body = request_body(spec, op)
    data = None if body is MISSING else json.dumps(body).encode()
    params = path_values(spec, op)
    # A path parameter that names a task property takes the id of a task the run ended.
    on_task = [p for p in op.path_params if p in task_schema.get("properties", {})]
    schema_words = " obeying its schema" if obeys is not None else ""
    words = f"{op.method} {op.path} answers {status}{schema_words}"
    bad = refused_value(schema, spec) if schema is not None else MISSING

    def judge(probe: Probe, task_id: str) -> Finding:
        values = {**params, **{p: task_id for p in on_task}}
        accept = documented.media_type if documented and documented.media_type else "*/*"
        reply = probe.send(op.method, op.url_path(**values), data, accept=accept, op=op)
        if not reply.ok:
            return Finding(f"HTTP {reply.status}: {snippet(reply.body)}", reply.curl)
        if obeys is not None and spec_module.is_json(documented.media_type if documented else ""):
            answer = reply.json()
            if answer is MISSING:
                return Finding(f"not JSON: {snippet(reply.body)}", reply.curl)
            errors = list(oracle.validator_for(schema, spec).iter_errors(answer))
            if errors:
                return Finding(f"{errors[0].message}: {snippet(reply.body)}", reply.curl)
        return Finding("", reply.curl)

    return Check(
        f"{GENERIC}.{op.operation_id}",
        words,
        "done" if on_task else "finally",
        breaks="" if bad is MISSING else f"answer {op.operation_id} with {json.dumps(bad)}",
        probe=None if on_task else (lambda probe: judge(probe, "")),
        fetch=judge if on_task else None,
        operations=(op.operation_id,),
    )


def _download_checks(
    spec: Spec, retrieve: Operation, download: Operation, several: bool
) -> list[Check]:
    """A task's file: refused (JSON error) while the task is under way, bytes once it ended."""
    lifecycle = spec.lifecycle(retrieve.success_schema or "")
    assert lifecycle is not None
    end = lifecycle.path_to_end()[-1]
    media = download.success_media_types
    accept = ", ".join((*media, spec_module.JSON))
    # The mock breaks these by id (DOWNLOAD_*) when the spec has one download.
    prefix = f"download.{download.operation_id}" if several else "download"

    def path(task_id: str) -> str:
        return download.url_path(**{download.path_params[0]: task_id})

    def pending(probe: Probe, task_id: str) -> Finding:
        reply = probe.send(download.method, path(task_id), accept=accept, op=download)
        if not reply.ok:
            return Finding(refusal_problem(reply, download.error_schema, spec), reply.curl)
        # Bytes are right only if the task ended in the meantime.
        task_path = retrieve.url_path(**{retrieve.path_params[0]: task_id})
        polled = probe.send(retrieve.method, task_path, op=retrieve)
        data = polled.json()
        status = data.get(lifecycle.property) if isinstance(data, dict) else None
        if status == end:
            return Finding("")
        return Finding(f"HTTP {reply.status} with a file while the task is {status}", reply.curl)

    def done(probe: Probe, task_id: str) -> Finding:
        reply = probe.send(download.method, path(task_id), accept=accept, op=download)
        if not reply.ok:
            return Finding(f"HTTP {reply.status}: {snippet(reply.body)}", reply.curl)
        if not _in_family(reply.content_type, media):
            shown = f"Content-Type {reply.content_type!r}, expected {' or '.join(media)}"
            return Finding(shown, reply.curl)
        return Finding("" if reply.body else "an empty file", reply.curl)

    def unknown(probe: Probe) -> Finding:
        unknown_id = "task_unknown_" + secrets.token_hex(6)
        reply = probe.send(download.method, path(unknown_id), op=download)
        return Finding(refusal_problem(reply, download.error_schema, spec), reply.curl)

    return [
        Check(
            f"{prefix}.pending",
            f"a task's file is refused with a JSON error until the task is {end}",
            "pending",
            breaks=f"serve the file before the task is {end}",
            fetch=pending,
        ),
        Check(
            f"{prefix}.content",
            f"a {end} task's file comes back as {' or '.join(media)} (or their kind)",
            "done",
            breaks="serve the file as application/json",
            fetch=done,
        ),
        Check(
            f"{prefix}.unknown-id",
            "the file of an unknown task id is refused with a JSON error",
            "finally",
            breaks="serve a file for an unknown task id",
            probe=unknown,
        ),
    ]


def _in_family(content_type: str, media: Sequence[str]) -> bool:
    """``content_type`` is a documented media type, or of the same kind (``video/*``).

    ``application/`` is no kind: JSON must not pass for ``application/octet-stream``.
    """
    given = content_type.split(";")[0].strip().lower()
    documented = {m.lower() for m in media}
    kinds = {m.split("/")[0] for m in documented} - {"application"}
    return given in documented or given.split("/")[0] in kinds


def _unknown_id(probe: Probe, retrieve: Operation, spec: Spec) -> Finding:
    unknown = "task_unknown_" + secrets.token_hex(6)
    path = retrieve.url_path(**{retrieve.path_params[0]: unknown})
    reply = probe.send(retrieve.method, path, op=retrieve)
    return Finding(refusal_problem(reply, retrieve.error_schema, spec), reply.curl)
