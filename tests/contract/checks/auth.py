"""Probes before any case: each operation that takes a key refuses none and a wrong one, and a
submission that is not JSON is refused."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from tests.contract.checks.model import Check, Finding, Probe, auth_problem, refusal_problem
from tests.contract.spec import Operation, Spec

AUTH_MISSING_TOKEN = "auth.missing-token"
AUTH_WRONG_TOKEN = "auth.wrong-token"
JSON_MALFORMED = "json.malformed"


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


def submission_checks(spec: Spec, create: Operation, body: bytes) -> list[Check]:
    """The probes before any case: every operation's auth, and a body that is not JSON."""

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
