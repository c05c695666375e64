"""Operations the contract tools know nothing special of: served and judged from their documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from tests.contract import oracle
from tests.contract import spec as spec_module
from tests.contract.checks.model import Check, Finding, Probe, snippet
from tests.contract.rules import MISSING
from tests.contract.spec import Operation, Spec

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


def generic_check(spec: Spec, op: Operation, task_schema: Mapping[str, Any]) -> Check:
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
