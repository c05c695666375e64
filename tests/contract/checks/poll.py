"""Checks of each polled state of a task, of its routes once it ended, and of an unknown id."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tests.contract import oracle
from tests.contract.checks.model import (
    CLOCK,
    IDENTITY,
    Answer,
    Check,
    Finding,
    Probe,
    Seen,
    compact,
    echo_check,
    other_value,
    partners,
    refusal_problem,
    schema_problem,
)
from tests.contract.rules import MISSING, EchoRule, Invariants, json_equal, pointer_delete
from tests.contract.spec import Operation, Spec

# How far a server's clock may be behind the runner's (``x-invariants.ordered``).
CLOCK_SKEW = 300

POLL_FORWARD = "poll.forward"
POLL_IMMUTABLE = "poll.immutable"
POLL_TIME_ORDER = "poll.time-order"
POLL_AFTER_SUBMISSION = "poll.after-submission"
# For ``x-invariants.unique`` of the identity: the mock's break reuses an earlier task.
POLL_UNIQUE_ID = f"poll.unique-{IDENTITY.replace('_', '-')}"
ROUTES_AGREE = "poll.routes-agree"
POLL_UNKNOWN_ID = "poll.unknown-id"


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


def a_second_later(answer: Answer) -> None:
    """The spoil that moves the task's clock a second on."""
    if isinstance(answer.task.get(CLOCK), int):
        answer.task[CLOCK] += 1


def poll_checks(
    spec: Spec, task_name: str, task_schema: Mapping[str, Any], echo_rules: Sequence[EchoRule]
) -> list[Check]:
    """The checks of each polled state: identity, lifecycle, the end's then, invariants."""
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
    checks += [echo_check("poll", rule) for rule in echo_rules if rule.optional]
    checks += _invariant_checks(spec, task_name, task_schema, echo_rules)
    checks.append(
        Check(
            "poll.valid",
            "every polled task obeys the task schema",
            "poll",
            evaluate=lambda seen: schema_problem(seen, task_name, spec),
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
    identity = {IDENTITY, *partners(spec.equal_properties(task_name).pairs, IDENTITY)}

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
                answer.task[name] = other_value(answer.task[name])
                return

    return Check(
        POLL_IMMUTABLE,
        f"once reported, {', '.join(immutable)} never change",
        "poll",
        breaks=f"change a polled task's {' or '.join(free)}" if free else "",
        evaluate=evaluate,
        spoil=spoil if free else None,
    )


def unknown_id_check(spec: Spec, retrieve: Operation) -> Check:
    """After polling: the retrieval refuses an id no task has, with a JSON error."""
    return Check(
        POLL_UNKNOWN_ID,
        "an unknown task id is refused with a JSON error",
        "finally",
        breaks="answer 200 for an unknown task id",
        probe=lambda probe: unknown_id(probe, retrieve, spec),
    )


def route_checks(spec: Spec) -> list[Check]:
    """When a task has several query routes: each returns the same ended task."""
    routes = spec.retrievals()
    if len(routes) <= 1:
        return []
    return [
        Check(
            ROUTES_AGREE,
            f"every query route returns the same task ({', '.join(r.path for r in routes)})",
            "route",
            breaks=f"answer the other query routes with {CLOCK} a second later",
            spoil=a_second_later,
            needs_end=True,
            operations=tuple(r.operation_id for r in routes),
        )
    ]


def unknown_id(probe: Probe, retrieve: Operation, spec: Spec) -> Finding:
    """GET the task of an id no task has: refused with a documented JSON error, or why not."""
    unknown = "task_unknown_" + secrets.token_hex(6)
    path = retrieve.url_path(**{retrieve.path_params[0]: unknown})
    reply = probe.send(retrieve.method, path, op=retrieve)
    return Finding(refusal_problem(reply, retrieve.error_schema, spec), reply.curl)
