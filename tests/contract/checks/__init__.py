"""The registry of conformance checks: each declared once, with its words and its break.

A ``Check`` has an id (``response.task-id``), its words, where it applies
(``scope``), how it is judged (``evaluate`` on a task the suite saw, or
``probe`` for a request of its own) and the words of how the mock can break
it. When the break is a change to one answer, ``spoil`` is that change and the
mock applies it by itself; the others (auth, JSON parsing, lifecycle walk,
unknown ids) are broken in ``mock.py`` where it does that work.

The checks come in families, one module each, by the scopes they fill
(``model.PARTS`` is the table of which parts of a check each scope reads):
``auth`` (the submission probes), ``response``, ``poll`` (polled states,
routes, an unknown id), ``download``, ``generic`` (operations the tools know
nothing special of). ``model`` holds the records and the judging they share;
this module puts the registry together, in report order.

The values a check holds a server to are read from the spec: the ``const``
of a property, the lifecycle's states, a property's minimum and maximum, the
``x-echo`` and ``x-equal-properties`` rules, the ``then`` of the conditional
that selects the lifecycle's end state. The registry names the properties
the spec leaves implicit: the task's identity (``IDENTITY``) and its clock
(``CLOCK``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from tests.contract import spec as spec_module
from tests.contract.checks.auth import (
    AUTH_MISSING_TOKEN,
    AUTH_WRONG_TOKEN,
    JSON_MALFORMED,
    auth_rule,
    submission_checks,
)
from tests.contract.checks.download import (
    DOWNLOAD_CONTENT,
    DOWNLOAD_PENDING,
    DOWNLOAD_UNKNOWN_ID,
    download_checks,
)
from tests.contract.checks.generic import (
    GENERIC,
    Documented,
    documented_answer,
    generic_check,
    generic_operations,
    instance_of,
    path_values,
    refused_value,
    request_body,
)
from tests.contract.checks.model import (
    AUTH_STATUSES,
    CLOCK,
    COMMON_PARTS,
    DAY,
    IDENTITY,
    KEY,
    PARTS,
    Answer,
    Check,
    Finding,
    Probe,
    Registry,
    Reply,
    Scope,
    Seen,
    auth_problem,
    compact,
    refusal_problem,
    snippet,
)
from tests.contract.checks.poll import (
    CLOCK_SKEW,
    POLL_AFTER_SUBMISSION,
    POLL_FORWARD,
    POLL_IMMUTABLE,
    POLL_TIME_ORDER,
    POLL_UNIQUE_ID,
    POLL_UNKNOWN_ID,
    ROUTES_AGREE,
    poll_checks,
    route_checks,
    unknown_id_check,
)
from tests.contract.checks.response import (
    FUZZ,
    fuzz_check,
    response_checks,
)
from tests.contract.spec import Operation, Spec, ref

__all__ = [
    "AUTH_MISSING_TOKEN",
    "AUTH_STATUSES",
    "AUTH_WRONG_TOKEN",
    "CLOCK",
    "CLOCK_SKEW",
    "COMMON_PARTS",
    "DAY",
    "DOWNLOAD_CONTENT",
    "DOWNLOAD_PENDING",
    "DOWNLOAD_UNKNOWN_ID",
    "FUZZ",
    "GENERIC",
    "IDENTITY",
    "JSON_MALFORMED",
    "KEY",
    "PARTS",
    "POLL_AFTER_SUBMISSION",
    "POLL_FORWARD",
    "POLL_IMMUTABLE",
    "POLL_TIME_ORDER",
    "POLL_UNIQUE_ID",
    "POLL_UNKNOWN_ID",
    "ROUTES_AGREE",
    "Answer",
    "Check",
    "Documented",
    "Finding",
    "Probe",
    "Registry",
    "Reply",
    "Scope",
    "Seen",
    "auth_problem",
    "auth_rule",
    "compact",
    "documented_answer",
    "generic_operations",
    "instance_of",
    "path_values",
    "refusal_problem",
    "refused_value",
    "registry",
    "request_body",
    "snippet",
]


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
                *submission_checks(spec, create, json.dumps(first).encode()),
                *response_checks(spec, create, task_name, props, echo_rules),
            ],
        ),
        *_naming(
            (retrieve,),
            [
                *poll_checks(spec, task_name, task_schema, echo_rules),
                unknown_id_check(spec, retrieve),
            ],
        ),
    ]
    checks += route_checks(spec)
    for download in spec.downloads():
        several = len(spec.downloads()) > 1
        checks += _naming((download,), download_checks(spec, retrieve, download, several))
    checks += [generic_check(spec, op, task_schema) for op in generic_operations(spec)]
    checks.append(fuzz_check(create))
    return Registry(tuple(checks))


def _naming(operations: Sequence[Operation], found: list[Check]) -> list[Check]:
    """``found``, each check naming ``operations`` unless it names some already."""
    ids = tuple(op.operation_id for op in operations)
    return [check if check.operations else replace(check, operations=ids) for check in found]


def registry(spec: Spec | None = None) -> Registry:
    """The checks for ``spec`` (default: the project's spec)."""
    return _registry(spec if spec is not None else spec_module.load())
