"""The declarative promise: an operation added to the spec is served by the mock and judged.

No code here or in the contract tools names the operations added: the mock
serves them from their documented 2xx answers (an example, or a value drawn
from the schema), with bearer auth and request validation per the spec, and
the conformance suite checks each one's answer against its schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from tests.contract import checks, oracle, strategies
from tests.contract import spec as spec_module
from tests.contract.mock import MockApi, serve
from tests.contract.runner import Target
from tests.support.conformance_runs import run_conformance, serving
from tests.support.documents import ADDED, MODELS, extended_document, loaded

KEY = "declarative-key-3f9a"


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> spec_module.Spec:
    return loaded(extended_document(), tmp_path_factory.mktemp("spec"))


def uncovered(spec: spec_module.Spec) -> list[str]:
    """The operations of ``spec`` the mock does not serve or no conformance check judges."""
    api = MockApi(api_key=KEY, spec=spec)
    registry = checks.registry(spec)
    return [
        op.operation_id
        for op in spec.operations
        if not api.serves(op) or not registry.covering(op.operation_id)
    ]


def test_every_operation_of_the_spec_is_served_and_judged() -> None:
    assert uncovered(spec_module.load()) == [], "operations nothing covers"


@pytest.mark.slow
def test_the_added_operations_are_served_and_judged(extended: spec_module.Spec) -> None:
    assert {op.operation_id for op in checks.generic_operations(extended)} == set(ADDED)
    assert uncovered(extended) == []
    registry = checks.registry(extended)
    for operation_id in ADDED:
        assert [c.id for c in registry.covering(operation_id)] == [f"operation.{operation_id}"]
        assert f"operation.{operation_id}" in registry.breaks


@pytest.mark.slow
def test_the_mock_answers_them_from_the_spec(extended: spec_module.Spec) -> None:
    server = serve(MockApi(api_key=KEY, spec=extended))
    try:
        target = Target(server.url_for("/").rstrip("/"), KEY, 5, submission=extended.submission())
        models = target.send("GET", "/v1/models")
        assert models.status == 200 and models.json() == MODELS
        assert target.send("GET", "/v1/models", token=None).status == 401
        assert target.send("GET", "/v1/models", token="wrong").status == 401
        deleted = target.send("DELETE", "/v1/videos/task_1")
        assert deleted.status == 200
        assert oracle.is_valid("DeletedVideo", deleted.json(), extended)
        labelled = target.send("POST", "/v1/videos/task_1/labels", b'{"label": "cat"}')
        assert labelled.status == 200 and oracle.is_valid("Labelled", labelled.json(), extended)
        for bad in (b'{"label": ""}', b'{"label": "x", "more": 1}', b"{", b""):
            refused = target.send("POST", "/v1/videos/task_1/labels", bad)
            assert refused.status == 400, bad
            assert oracle.is_valid("ErrorResponse", refused.json(), extended)
        # The task routes are still the task's.
        assert target.send("GET", "/v1/videos/task_unknown").status == 400
        assert target.send("PATCH", "/v1/models").status == 404
    finally:
        server.stop()


def run(api: MockApi, spec: spec_module.Spec, tmp_path: Path) -> tuple[int, list[str]]:
    with serving(api) as url:
        run = run_conformance(
            Target(url, KEY, 200, submission=spec.submission()), tmp_path, spec=spec
        )
    return run.status, run.out


@pytest.mark.slow
def test_conformance_covers_them(extended: spec_module.Spec, tmp_path: Path) -> None:
    status, lines = run(MockApi(api_key=KEY, spec=extended), extended, tmp_path)
    assert status == 0, "\n".join(line for line in lines if not line.startswith("PASS"))
    assert "PASS  operation.listModels: GET /v1/models answers 200 obeying its schema" in lines
    assert any(line.startswith("PASS  operation.deleteVideo:") for line in lines)
    assert any(line.startswith("PASS  operation.labelVideo:") for line in lines)


@pytest.mark.slow
@pytest.mark.parametrize("operation_id", ADDED)
def test_breaking_an_added_operation_fails_its_check(
    extended: spec_module.Spec, tmp_path: Path, operation_id: str
) -> None:
    rule = f"operation.{operation_id}"
    api = MockApi(api_key=KEY, spec=extended, broken=frozenset({rule}))
    status, lines = run(api, extended, tmp_path)
    assert status == 1
    assert [line.split(":")[0] for line in lines if line.startswith("FAIL")] == [f"FAIL  {rule}"]


@pytest.mark.slow
def test_property_valid_bodies_of_added_operations_are_accepted_and_answered_by_the_spec(
    extended: spec_module.Spec,
) -> None:
    """Hypothesis bodies for every added operation with a JSON body, from its schema alone."""
    server = serve(MockApi(api_key=KEY, spec=extended))
    try:
        target = Target(server.url_for("/").rstrip("/"), KEY, 5, submission=extended.submission())
        with_bodies = [
            op
            for op in checks.generic_operations(extended)
            if spec_module.JSON in op.raw.get("requestBody", {}).get("content", {})
        ]
        assert with_bodies, "the test spec adds an operation with a body"
        for op in with_bodies:
            check_bodies(target, op, extended)
    finally:
        server.stop()


def check_bodies(target: Target, op: spec_module.Operation, spec: spec_module.Spec) -> None:
    """Valid bodies drawn from ``op``'s schema get its documented answer, obeying its schema."""
    schema = op.raw["requestBody"]["content"][spec_module.JSON]["schema"]
    accepts = oracle.validator_for(schema, spec).is_valid
    answer = checks.documented_answer(spec, op)
    assert answer is not None
    answers = oracle.validator_for(answer.schema, spec).is_valid
    path = op.url_path(**{name: "task_1" for name in op.path_params})

    @settings(max_examples=25)
    @given(body=strategies.valid_for(schema, spec=spec).filter(accepts))
    def check(body: Any) -> None:
        reply = target.send(op.method, path, json.dumps(body).encode())
        assert reply.status == answer.status, (op.operation_id, body, reply.body)
        assert answers(reply.json()), (op.operation_id, reply.body)

    check()
