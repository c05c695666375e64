"""Boundary cases, the fuzz phase and the coverage report of conformance mode."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract import cases, checks, coverage, oracle
from tests.contract import spec as spec_module
from tests.contract.mock import MockApi
from tests.contract.runner import Target
from tests.contract.spec import Spec, ref
from tests.support.conformance_runs import run_conformance, serving

KEY = "boundary-test-key-41c2"


def constraints(spec: Spec, schema: Any, field: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(field, node) for every schema node of the body, read from the spec here, not by cases."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict):
        return
    yield field, schema
    for prop, sub in schema.get("properties", {}).items():
        yield from constraints(spec, sub, f"{field}.{prop}" if field else prop)
    for union in ("oneOf", "anyOf"):
        for branch in schema.get(union, []):
            yield from constraints(spec, branch, field)
    if "items" in schema:
        yield from constraints(spec, schema["items"], f"{field}[]")


def body_constraints(spec: Spec) -> list[tuple[str, dict[str, Any]]]:
    body = spec.submission().body_schema
    assert body is not None
    return list(constraints(spec, ref(body)))


def value_at(document: Any, field: str) -> Iterator[Any]:
    """The values at a field path like ``metadata.content[].role``."""
    if not field:
        yield document
        return
    head, _, rest = field.partition(".")
    name, items = head.removesuffix("[]"), head.endswith("[]")
    if not isinstance(document, dict) or name not in document:
        return
    values = document[name] if items and isinstance(document[name], list) else [document[name]]
    for value in values if items else [document[name]]:
        yield from value_at(value, rest)


def spec_with(tmp_path: Path, old: str, new: str) -> Spec:
    text = spec_module.DEFAULT_SPEC_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "openapi.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return spec_module.load(path)


def refusals(spec: Spec | None = None) -> dict[str, cases.RefusalCase]:
    return {case.id: case for case in cases.refusal_cases(spec) if case.bodies}


def acceptances(spec: Spec | None = None) -> dict[str, cases.AcceptanceCase]:
    return {case.id: case for case in cases.acceptance_cases(spec)}


def test_every_bound_has_a_refusal_just_outside_and_an_acceptance_just_inside() -> None:
    spec = spec_module.load()
    refused, accepted = refusals(spec), acceptances(spec)
    bounds = [(f, n) for f, n in body_constraints(spec) if {"minimum", "maximum"} & set(n)]
    assert bounds, "the project spec has numeric bounds"
    for field, node in bounds:
        for keyword, outside in (("minimum", -1), ("maximum", 1)):
            if keyword not in node:
                continue
            case = refused[f"refuses.{field}.{keyword}"]
            values = [v for _, body in case.bodies for v in value_at(body, field)]
            assert node[keyword] + outside in values
            inside = accepted[f"accepts.{field}.{keyword}"]
            assert node[keyword] in list(value_at(inside.body, field))
        if node.get("type") == "integer":
            # 4.5 is refused; 5.0 is an integer in JSON Schema, and accepted.
            values = [
                v for _, b in refused[f"refuses.{field}.type"].bodies for v in value_at(b, field)
            ]
            assert any(isinstance(v, float) and not v.is_integer() for v in values)
            floats = list(value_at(accepted[f"accepts.{field}.integer-as-float"].body, field))
            assert floats and isinstance(floats[0], float) and floats[0].is_integer()


def test_every_enum_minlength_and_documented_pattern_has_near_misses() -> None:
    spec = spec_module.load()
    refused = refusals(spec)
    examples = [e.value for e in spec.submission().request_examples]
    for field, node in body_constraints(spec):
        if "enum" in node:
            values = [
                v for _, b in refused[f"refuses.{field}.enum"].bodies for v in value_at(b, field)
            ]
            for value in node["enum"]:
                assert f" {value}" in values and f"{value} " in values
        if node.get("minLength", 0) > 0:
            values = [
                v
                for _, b in refused[f"refuses.{field}.minLength"].bodies
                for v in value_at(b, field)
            ]
            assert "x" * (node["minLength"] - 1) in values
        documented = [v for e in examples for v in value_at(e, field)]
        if "pattern" in node and node["pattern"].startswith("^") and documented:
            case = refused[f"refuses.{field}.pattern"]
            assert case.bodies
    # seconds: "05" (a leading zero) and "5\n" (ECMA's $ does not match before a newline).
    seconds = [
        v for _, b in refused["refuses.seconds.pattern"].bodies for v in value_at(b, "seconds")
    ]
    assert {"05", "5\n", " 5", "55", ""} <= set(seconds)


def test_every_boundary_body_is_confirmed_by_the_oracle() -> None:
    spec = spec_module.load()
    body = spec.submission().body_schema
    assert body is not None
    for case in refusals(spec).values():
        assert all(not oracle.is_valid(body, b, spec) for _, b in case.bodies), case.id
    for made in cases.boundary_cases(spec):
        if isinstance(made, cases.AcceptanceCase):
            assert oracle.is_valid(body, made.body, spec), made.id


def test_boundaries_follow_keywords_the_spec_adds(tmp_path: Path) -> None:
    spec = spec_with(
        tmp_path,
        '          pattern: "\\\\S"\n',
        '          pattern: "\\\\S"\n          maxLength: 300\n',
    )
    refused, accepted = refusals(spec), acceptances(spec)
    longest = [
        v for _, b in refused["refuses.prompt.maxLength"].bodies for v in value_at(b, "prompt")
    ]
    assert longest and all(len(v) == 301 for v in longest)
    assert len(next(value_at(accepted["accepts.prompt.maxLength"].body, "prompt"))) == 300


def run(spec: Spec, tmp_path: Path, broken: frozenset[str] = frozenset()) -> list[str]:
    with serving(MockApi(api_key=KEY, spec=spec, broken=broken)) as url:
        target = Target(url, KEY, 200, submission=spec.submission())
        return run_conformance(target, tmp_path, spec=spec).out


@pytest.mark.slow
def test_the_project_spec_has_no_untested_rule(tmp_path: Path) -> None:
    lines = run(spec_module.load(), tmp_path)
    assert any(line.startswith("PASS  coverage: ") for line in lines), "\n".join(lines)
    table = lines[lines.index("coverage: the spec's rules and the cases that exercised them") :]
    assert not [line for line in table if "UNTESTED" in line]
    assert any(
        "VideoMetadata.duration/oneOf/0 maximum" in line and "PASS" in line for line in table
    )
    report = (tmp_path / "r.xml").read_text()
    assert 'name="request VideoMetadata.duration/oneOf/0 maximum"' in report


@pytest.mark.slow
def test_a_keyword_no_case_breaks_is_reported_untested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_with(
        tmp_path,
        '          pattern: "\\\\S"\n',
        '          pattern: "\\\\S"\n          maxLength: 300\n',
    )
    # The suite without its maxLength boundary cases: nothing else sends a prompt that long.
    keywords = tuple(k for k in cases.BOUNDARY_KEYWORDS if k != "maxLength")
    original = cases.boundary_cases
    monkeypatch.setattr(cases, "boundary_cases", lambda s=None, k=keywords: original(s, k))
    lines = run(spec, tmp_path)
    failing = [line for line in lines if line.startswith("FAIL")]
    assert failing == [
        "FAIL  coverage: every rule of the spec reachable from its operations "
        "is exercised by a case"
    ], "\n".join(lines)
    assert any("CreateVideoGenerationRequest.prompt maxLength" in line for line in lines)


def test_an_x_rule_nothing_enforces_is_untested(tmp_path: Path) -> None:
    spec = spec_with(
        tmp_path,
        "      x-equal-properties:\n",
        "      x-frobnicate: true\n      x-equal-properties:\n",
    )
    # Every check passed, every refusal's error body was documented: only the new rule is left.
    passed = {check.id: "pass" for check in checks.registry(spec).checks}
    rows = coverage.Coverage(spec).result(passed, Counter(["pass"]))
    assert [(r.where, r.keyword) for r in coverage.untested(rows) if r.kind == "x"] == [
        ("VideoTask", "x-frobnicate")
    ]
    client = {r.keyword for r in rows if r.kind == "client"}
    assert {"x-exclusive", "x-cli", "x-waiter", "x-expect"} <= client


@pytest.mark.slow
def test_fuzz_failures_are_shrunk_to_a_small_body_with_a_curl(tmp_path: Path) -> None:
    lines = run(spec_module.load(), tmp_path, frozenset({"accepts.fuzz"}))
    failing = [i for i, line in enumerate(lines) if line.startswith("FAIL")]
    assert [lines[i].split(":")[0] for i in failing] == ["FAIL  accepts.fuzz"], "\n".join(lines)
    detail, curl = lines[failing[0] + 1], lines[failing[0] + 2]
    assert "refused (HTTP 400)" in detail
    assert "reproduce: curl" in curl and "127.0.0.1" in curl
    body = detail.split("; body ", 1)[1]
    # Non-ASCII text, as it is or, for a control character (the shrunk U+0080), escaped.
    assert (not body.isascii() or re.search(r"\\(x[89a-f]|u)", body)) and len(body) < 160, body
