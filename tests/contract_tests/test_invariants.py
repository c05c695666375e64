"""``x-invariants`` and terminal states across a task's life, as the suite judges them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.contract import spec as spec_module
from tests.contract.mock import MockApi
from tests.contract.rules import Invariants, Lifecycle
from tests.contract.runner import AFTER_END, Target
from tests.support.conformance_runs import answering, failed_rules, run_conformance

KEY = "invariants-key-51c2"
SPEC = spec_module.load()
_FOUND = SPEC.lifecycle("VideoTask")
assert _FOUND is not None
LIFECYCLE: Lifecycle = _FOUND
END = LIFECYCLE.path_to_end()[-1]


def test_the_spec_declares_the_task_invariants() -> None:
    invariants = SPEC.invariants("VideoTask")
    assert {"id", "task_id", "model", "created_at"} <= set(invariants.immutable)
    assert invariants.ordered == (("created_at", "completed_at", "expires_at"),)
    assert invariants.unique == ("id",)
    assert invariants.moments == ("created_at", "completed_at", "expires_at")


def test_the_invariants_record() -> None:
    rules = Invariants.from_spec(
        {"immutable": ["id", "model"], "ordered": [["a", "b", "c"]], "unique": ["id"]}
    )
    assert list(rules.changed({"id": "t", "model": "m"}, {"id": "t", "model": "m"})) == []
    assert list(rules.changed({"id": "t", "model": "m"}, {"id": "t"})) == ["model"]
    assert list(rules.changed({"id": "t"}, {"id": "t", "model": "m"})) == []
    assert list(rules.changed({"s": "5"}, {"s": "6"}, also=["s"])) == ["s"]
    assert list(rules.disordered({"a": 1, "c": 3})) == []
    assert list(rules.disordered({"a": 2, "b": 1, "c": 3})) == [("a", "b")]
    assert list(rules.disordered({"a": 5, "c": True})) == []
    assert list(rules.before({"a": 10, "b": 20}, 15)) == ["a"]
    assert Invariants.from_spec(None) == Invariants()


def run_through(
    rewrite: Callable[[Request, dict[str, object]], None], tmp_path: Path
) -> tuple[int, list[str], Counter[str]]:
    """Conformance against the mock, each task answer passed through ``rewrite`` first."""
    api = MockApi(api_key=KEY)
    polls: Counter[str] = Counter()

    def handler(request: Request) -> Response:
        response = api.handle(request)
        if request.method != "GET" or not response.content_type.startswith("application/json"):
            return response
        task = json.loads(response.get_data())
        if response.status_code != 200 or not isinstance(task, dict) or "status" not in task:
            return response
        polls[task["id"]] += 1
        rewrite(request, task)
        return Response(json.dumps(task), status=200, content_type="application/json")

    with answering(handler) as url:
        run = run_conformance(Target(url, KEY, 200), tmp_path)
    return run.status, run.out, polls


@pytest.mark.slow
def test_each_task_is_polled_after_it_ended(tmp_path: Path) -> None:
    ended: Counter[str] = Counter()

    def count(request: Request, task: dict[str, object]) -> None:
        if task["status"] in LIFECYCLE.terminal and request.path.startswith("/v1/videos/"):
            ended[str(task["id"])] += 1

    status, lines, _ = run_through(count, tmp_path)
    assert status == 0, failed_rules(lines)
    assert ended and min(ended.values()) >= 1 + AFTER_END


@pytest.mark.slow
def test_a_terminal_status_that_moves_fails_poll_forward(tmp_path: Path) -> None:
    seen_end: set[object] = set()

    def reopen(request: Request, task: dict[str, object]) -> None:
        if task["status"] == END and task["id"] in seen_end:
            task["status"] = "in_progress"
        elif task["status"] == END:
            seen_end.add(task["id"])

    status, lines, _ = run_through(reopen, tmp_path)
    assert status == 1
    assert failed_rules(lines) == ["poll.forward"]
    assert any(f"{END} -> in_progress" in line for line in lines)


@pytest.mark.slow
def test_an_ended_task_that_loses_its_url_fails_the_end_check(tmp_path: Path) -> None:
    seen_end: set[object] = set()

    def forget(request: Request, task: dict[str, object]) -> None:
        if task["status"] == END and task["id"] in seen_end:
            task["metadata"] = {}
        elif task["status"] == END:
            seen_end.add(task["id"])

    status, lines, _ = run_through(forget, tmp_path)
    assert status == 1
    assert failed_rules(lines) == [f"poll.{END}-url"]
