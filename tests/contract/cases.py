"""The cases the conformance suite submits: refusals and acceptances, read from the spec.

Refusal cases come from ``strategies.violations`` of the submission's body,
grouped by the field they break: ``refuses.<field>``, ``refuses.<field>.required``
and ``refuses.body``. Acceptance cases are every documented request example
(``accepts.example.<name>``, in the spec's order: the docs' own come first),
then one per enum value reachable in the body that no example uses, placed
into the first example (``accepts.<field>.<value>``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any

from tests.contract import oracle
from tests.contract import spec as spec_module
from tests.contract.rules import MISSING, json_equal
from tests.contract.spec import Spec, ref
from tests.contract.strategies import Violation, violations

# A step into an array: every item (reading) or the one list of items (placing).
ITEMS = "[]"


@dataclass(frozen=True)
class RefusalCase:
    """Bodies breaking the rules of one field: all must be refused."""

    id: str
    group: str
    words: str
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class AcceptanceCase:
    """One valid body: it must be accepted, and the task it returns must obey every rule."""

    id: str
    words: str
    body: Any
    # The request example it is, or "" when derived from the schema.
    example: str = ""


def _spec(spec: Spec | None) -> Spec:
    return spec if spec is not None else spec_module.load()


def group_violations(found: Sequence[Violation]) -> dict[str, list[Violation]]:
    """Violations by the field they break, in first-seen order: one conformance rule each.

    Groups are named like the mock's breaks: ``metadata.ratio`` (any invalid
    value), ``prompt.required`` (left out), ``body`` (not an object at all).
    """
    groups: dict[str, list[Violation]] = {}
    for violation in found:
        key = violation.field or "body"
        key = f"{key}.required" if violation.rule == "required" else key
        groups.setdefault(key, []).append(violation)
    return groups


def refusal_words(group: str) -> str:
    """A refusal rule in words."""
    if group == "body":
        return "refuses a body that is not a JSON object"
    if group.endswith(".required"):
        return f"refuses a body without {group.removesuffix('.required')}"
    return f"refuses an invalid {group}"


@cache
def _refusal_cases(spec: Spec) -> tuple[RefusalCase, ...]:
    body = spec.submission().body_schema
    if body is None:
        return ()
    groups = group_violations(violations(body, spec))
    return tuple(
        RefusalCase(f"refuses.{group}", group, refusal_words(group), tuple(found))
        for group, found in groups.items()
    )


def refusal_cases(spec: Spec | None = None) -> tuple[RefusalCase, ...]:
    """One case per field of the submission's body that has rules, in schema order."""
    return _refusal_cases(_spec(spec))


@cache
def _acceptance_cases(spec: Spec) -> tuple[AcceptanceCase, ...]:
    op = spec.submission()
    cases = [
        AcceptanceCase(
            f"accepts.example.{example.name}",
            f"accepts the docs' example {example.name!r}"
            + (f": {example.summary}" if example.summary else ""),
            example.value,
            example.name,
        )
        for example in op.request_examples
    ]
    if op.body_schema is None or not op.request_examples:
        return tuple(cases)
    examples = [example.value for example in op.request_examples]
    sites = list(_enum_sites(spec, ref(op.body_schema), (), ""))
    short = [site.field.rsplit(".", 1)[-1].removesuffix(ITEMS) for site in sites]
    for site, name in zip(sites, short, strict=True):
        used = [v for example in examples for v in _values_at(example, site.steps)]
        key = name if short.count(name) == 1 else site.field
        for value in site.values:
            if any(json_equal(v, value) for v in used):
                continue
            body = site.place(spec, examples, value)
            if not oracle.is_valid(op.body_schema, body, spec):
                raise ValueError(f"cannot build a valid body with {site.field} = {value!r}")
            words = f"accepts {site.field} {_text(value)}"
            if site.branches:
                words += " in an item of each kind"
            cases.append(AcceptanceCase(f"accepts.{key}.{_text(value)}", words, body))
    return tuple(cases)


def acceptance_cases(spec: Spec | None = None) -> tuple[AcceptanceCase, ...]:
    """Valid bodies, most important first: the budget is spent in this order."""
    return _acceptance_cases(_spec(spec))


def acceptance_case(key: str, spec: Spec | None = None) -> AcceptanceCase:
    """The acceptance case with id ``key``, or the one of request example ``key``."""
    for case in acceptance_cases(spec):
        if key in (case.id, case.example):
            return case
    raise KeyError(key)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class _Site:
    """Where an enum sits in the body.

    ``steps`` lead from the body to the value (``ITEMS`` for each array). For a
    value inside array items, ``array`` is the steps to the innermost array and
    ``branches`` the item schemas carrying the value, with the steps inside one.
    """

    field: str
    values: tuple[Any, ...]
    steps: tuple[str, ...]
    array: tuple[str, ...] = ()
    branches: list[tuple[Any, tuple[str, ...]]] = dataclass_field(default_factory=list)

    def place(self, spec: Spec, examples: Sequence[Any], value: Any) -> Any:
        """The first example with ``value`` at this site (an item of each kind, in an array)."""
        body = copy.deepcopy(examples[0])
        if not self.branches:
            _set(body, self.steps, value)
            return body
        items = []
        for branch, inner in self.branches:
            item = _documented_item(spec, examples, self.array, branch)
            _set(item, inner, value)
            items.append(item)
        _set(body, self.array, items)
        return body


def _enum_sites(
    spec: Spec, schema: Any, steps: tuple[str, ...], field: str, depth: int = 0
) -> Iterator[_Site]:
    """Each enum reachable from ``schema``, those in array items merged across the item kinds."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict) or depth > 8:
        return
    if "enum" in schema:
        yield _Site(field, tuple(schema["enum"]), steps)
    for prop, sub in schema.get("properties", {}).items():
        yield from _enum_sites(spec, sub, (*steps, prop), _join(field, prop), depth + 1)
    for union in ("oneOf", "anyOf"):
        for branch in schema.get(union, []):
            yield from _enum_sites(spec, branch, steps, field, depth + 1)
    if "items" in schema:
        item = spec.resolve(schema["items"])
        branches = [spec.resolve(b) for b in item.get("oneOf", item.get("anyOf", []))] or [item]
        merged: dict[str, _Site] = {}
        for branch in branches:
            for inner in _enum_sites(spec, branch, (), "", depth + 1):
                if not inner.field or inner.branches:
                    continue  # an enum of the items themselves, or arrays in arrays: not placed
                site = merged.setdefault(
                    inner.field,
                    _Site(
                        f"{field}{ITEMS}.{inner.field}",
                        inner.values,
                        (*steps, ITEMS, *inner.steps),
                        (*steps,),
                    ),
                )
                site.branches.append((branch, inner.steps))
        yield from merged.values()


def _values_at(document: Any, steps: Sequence[str]) -> Iterator[Any]:
    """Every value at ``steps`` in ``document`` (``ITEMS`` goes through each item)."""
    if not steps:
        yield document
        return
    step, rest = steps[0], steps[1:]
    if step == ITEMS and isinstance(document, list):
        for item in document:
            yield from _values_at(item, rest)
    elif isinstance(document, dict) and step in document:
        yield from _values_at(document[step], rest)


def _set(document: Any, steps: Sequence[str], value: Any) -> None:
    node = document
    for step in steps[:-1]:
        node = node.setdefault(step, {})
    node[steps[-1]] = value


def _documented_item(spec: Spec, examples: Sequence[Any], array: Sequence[str], branch: Any) -> Any:
    """An item of kind ``branch``: the first documented one, else the least the schema needs."""
    accepts = oracle.validator_for(branch, spec).is_valid
    for example in examples:
        for items in _values_at(example, array):
            for item in items if isinstance(items, list) else []:
                if accepts(item):
                    return copy.deepcopy(item)
    built = _least(spec, branch)
    if built is MISSING or not accepts(built):
        raise ValueError(f"no documented item to build at {'.'.join(array)}")
    return built


def _least(spec: Spec, schema: Any) -> Any:
    """The least value of ``schema``: its required properties, each the least of its own."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict):
        return MISSING
    for key in ("const", "default"):
        if key in schema:
            return copy.deepcopy(schema[key])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        built = {p: _least(spec, schema["properties"][p]) for p in schema.get("required", [])}
        return MISSING if MISSING in built.values() else built
    if kind == "string" and "pattern" not in schema:
        return "x" * schema.get("minLength", 0)
    simple = {"integer": schema.get("minimum", 0), "boolean": False, "array": [], "null": None}
    return simple.get(str(kind), MISSING)


def _join(path: str, prop: str) -> str:
    return f"{path}.{prop}" if path else prop
