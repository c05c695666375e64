"""The parser: every problem reported at once, x- rules read into typed records, one resolver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.ir import Echo, Lifecycle
from codegen.loader import SpecError, resolve_schema
from codegen.parser import parse
from tests.support.inline import document, post, write

OBJECT = {"type": "object", "properties": {"name": {"type": "string"}}}
TASK: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "state": {"type": "string"}},
    "x-lifecycle": {
        "property": "state",
        "initial": "new",
        "transitions": {"new": ["done"], "done": []},
    },
}


def problems_of(spec: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse(spec, "inline")
    return raised.value.problems


def test_every_problem_of_a_spec_is_reported_at_once() -> None:
    spec = document(
        schemas={
            "Thing": {"type": "object", "properties": {"a": {"type": "strng"}}},
            "Other": {"type": "string", "patternProperties": {}},
        },
        paths=post(OBJECT, OBJECT, x_echo={"properties": {"name": {"from": "elsewhere"}}}),
    )
    problems = problems_of(spec)
    assert len(problems) == 3, problems
    assert any(p.startswith("components.schemas.Thing.properties.a.type") for p in problems)
    assert any("components.schemas.Other.patternProperties" in p for p in problems)
    assert any("x-echo.properties.name.from" in p for p in problems)


@pytest.mark.slow
def test_the_command_line_prints_each_problem_on_a_line(tmp_path: Path) -> None:
    spec = document(
        schemas={"A": {"type": "strng"}, "B": {"type": "object", "nullable": True}},
    )
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--spec", str(write(spec, tmp_path)), "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{tmp_path / 'spec.yaml'}: ") for line in lines)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("extension", "value", "where"),
    [
        ("x_echo", {"properties": {"id": {"from": "request", "pointer": "id"}}}, "pointer"),
        ("x_echo", {"properties": {"id": {"from": "request", "pointer": "/id", "as": 1}}}, ".as"),
        ("x_upstream", {"steps": {"merge": "/a"}}, "x-upstream.steps"),
        (
            "x_upstream",
            {"steps": [{"set": "/a", "concat": [{"from": "/b", "each": 1, "item": 2}]}]},
            "concat[0]",
        ),
        ("x_cli", {"command": "make", "options": {"name": "/nope"}}, "x-cli.options.name"),
        ("x_waiter", {"method": "wait"}, "x-waiter"),
    ],
)
def test_malformed_x_rules_are_refused_naming_the_place(
    extension: str, value: Any, where: str
) -> None:
    problems = problems_of(document(paths=post(OBJECT, OBJECT, **{extension: value})))
    assert len(problems) == 1 and where in problems[0], problems


def test_a_lifecycle_may_only_name_its_own_states() -> None:
    task = {**TASK, "x-lifecycle": {**TASK["x-lifecycle"], "transitions": {"new": ["gone"]}}}
    problems = problems_of(
        document(schemas={"Task": task}, paths=post(OBJECT, {"$ref": "#/components/schemas/Task"}))
    )
    assert problems == [
        "components.schemas.Task.x-lifecycle.transitions.new: must list states of the lifecycle"
    ]


def test_x_rules_become_typed_records() -> None:
    echo = {
        "properties": {
            "name": {"from": "request", "pointer": "/name"},
            "size": {"from": "upstream", "pointer": "/n", "as": "string", "optional": True},
        }
    }
    spec = document(
        schemas={"Task": TASK},
        paths=post(OBJECT, {"$ref": "#/components/schemas/Task"}, x_echo=echo),
    )
    spec["paths"]["/things/{id}"] = {
        "get": {
            "operationId": "getThing",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {}}],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Task"}}
                    },
                }
            },
            "x-waiter": {"method": "wait_for_thing"},
        }
    }
    create, read = parse(spec, "inline").operations
    assert create.echo == (
        Echo("name", "request", "/name", None, optional=False, unless=()),
        Echo("size", "upstream", "/n", "string", optional=True, unless=()),
    )
    assert [e.checkable_by_client for e in create.echo] == [True, False]
    lifecycle = next(r.lifecycle for r in read.responses)
    assert lifecycle == Lifecycle("state", None, "new", (("new", ("done",)), ("done", ())))
    assert read.waiter is not None and read.waiter.terminal == ("done",)
    assert read.waiter.status_property == "state"


def test_one_resolver_follows_references_and_keeps_sibling_keywords() -> None:
    schemas = {
        "A": {"$ref": "#/components/schemas/B", "description": "from A"},
        "B": {"type": "string", "default": "b", "description": "from B"},
    }
    resolved = resolve_schema({"$ref": "#/components/schemas/A"}, schemas)
    assert resolved == {"type": "string", "default": "b", "description": "from A"}
    assert resolve_schema(True, schemas) == {}
    with pytest.raises(SpecError, match="refers to itself"):
        resolve_schema(
            {"$ref": "#/components/schemas/L"}, {"L": {"$ref": "#/components/schemas/L"}}
        )
    with pytest.raises(SpecError, match="points at nothing"):
        resolve_schema({"$ref": "#/components/schemas/Nope"}, schemas)


def test_x_idempotent_is_read_into_the_ir_and_rendered_into_the_operation(tmp_path: Path) -> None:
    from tests.support.inline import generated

    assert parse(document(paths=post(OBJECT, OBJECT)), "inline").operations[0].idempotent is False
    spec = document(paths=post(OBJECT, OBJECT, x_idempotent=True))
    assert parse(spec, "inline").operations[0].idempotent is True
    with generated(spec, tmp_path) as package:
        assert package.operations.CREATE_THING.idempotent is True
    assert any(
        "x-idempotent" in p
        for p in problems_of(document(paths=post(OBJECT, OBJECT, x_idempotent="yes")))
    )
