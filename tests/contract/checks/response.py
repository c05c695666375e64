"""Checks of each answer to an accepted submission, and of the fuzzed bodies it must accept."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tests.contract import oracle
from tests.contract.checks.model import (
    CLOCK,
    DAY,
    IDENTITY,
    Answer,
    Check,
    Seen,
    compact,
    echo_check,
    integer_in,
    other_value,
    partners,
    reported,
    schema_problem,
    setting,
)
from tests.contract.rules import MISSING, EchoRule, json_equal
from tests.contract.spec import Operation, Spec

FUZZ = "accepts.fuzz"


def _describe(schema: Mapping[str, Any]) -> str:
    """A string schema in words."""
    least = schema.get("minLength", 0)
    if least == 1:
        return "a non-empty string"
    return f"a string of at least {least} characters" if least else "a string"


def fuzz_check(create: Operation) -> Check:
    """Valid bodies drawn from the body schema are accepted; the mock's break refuses non-ASCII."""
    return Check(
        FUZZ,
        "accepts valid bodies drawn from the body schema (long and non-ASCII text, "
        "every optional field, each enum value and union branch)",
        "fuzz",
        breaks="refuse valid bodies with a non-ASCII character in any string",
        refuses=has_non_ascii,
        operations=(create.operation_id,),
    )


def has_non_ascii(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (keys included) holds a non-ASCII character."""
    if isinstance(value, str):
        return not value.isascii()
    if isinstance(value, dict):
        return any(has_non_ascii(k) or has_non_ascii(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_non_ascii(v) for v in value)
    return False


def response_checks(
    spec: Spec,
    create: Operation,
    task_name: str,
    props: Mapping[str, Any],
    echo_rules: Sequence[EchoRule],
) -> list[Check]:
    """The checks of each answer to an accepted submission, read from the task schema."""
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
        _non_empty(spec, IDENTITY, props[IDENTITY], partners(equal.pairs, IDENTITY)),
    ]
    checks += [_equal(left, right) for left, right in equal.pairs]
    checks += [_const(prop, sub["const"]) for prop, sub in props.items() if "const" in sub]
    checks += [echo_check("response", rule) for rule in echo_rules if not rule.optional]
    status = lifecycle.property
    status_schema = oracle.validator_for(props[status], spec)
    states = lifecycle.states
    bad_state = other_value(lifecycle.initial)
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
                else reported(task, status)
            ),
            spoil=setting(status, bad_state),
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
                if integer_in((seen.task or {}).get(CLOCK), seen.now - DAY, seen.now + DAY)
                else reported(seen.task or {}, CLOCK)
            ),
            spoil=_in_milliseconds,
        ),
        Check(
            "response.valid",
            "the task obeys the task schema",
            "response",
            evaluate=lambda seen: schema_problem(seen, task_name, spec),
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


def _as_text(answer: Answer) -> None:
    answer.content_type = "text/plain"


def _in_milliseconds(answer: Answer) -> None:
    answer.task[CLOCK] = answer.task[CLOCK] * 1000


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
            "" if prop in (task := seen.task or {}) and obeys(task[prop]) else reported(task, prop)
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
            else reported(task, left)
        ),
        spoil=spoil,
    )


def _const(prop: str, const: Any) -> Check:
    bad = other_value(const)
    return Check(
        f"response.{prop.replace('_', '-')}",
        f"{prop} is {json.dumps(const)}",
        "response",
        breaks=f"answer with {prop} {json.dumps(bad)}",
        evaluate=lambda seen: (
            ""
            if json_equal((task := seen.task or {}).get(prop, MISSING), const)
            else reported(task, prop)
        ),
        spoil=setting(prop, bad),
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
            if integer_in((task := seen.task or {}).get(prop), low, high)
            else reported(task, prop)
        ),
        spoil=setting(prop, bad),
    )
