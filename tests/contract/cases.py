"""The cases the conformance suite submits: refusals and acceptances, read from the spec.

Refusal cases come from ``strategies.violations`` of the submission's body
(one bad value placed in a documented example), grouped by the field they
break: ``refuses.<field>``, ``refuses.<field>.required`` and ``refuses.body``.
Then the boundaries: for every constraint of the body, the values just
outside it (``refuses.<field>.<keyword>``: ``minimum - 1``, ``maximum + 1``,
4.5 in an integer range, an exclusive bound itself, a length one short or one
over, an enum value or const with its case changed or with whitespace around
it, a near miss of each documented value of a ``pattern``), each confirmed
refused by the oracle, placed into the first example.

Acceptance cases are every documented request example (``accepts.example.<name>``,
in the spec's order: the docs' own come first), then one per enum value
reachable in the body that no example uses, placed into the first example
(``accepts.<field>.<value>``), then the values just inside each constraint
(``accepts.<field>.<keyword>``: the bounds themselves, an integer written
``5.0``, lengths at the limit), each confirmed valid by the oracle.
"""

from __future__ import annotations

import copy
import json
import math
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
    # Fixed bodies (the boundary cases), each with what it is: sent as they are.
    bodies: tuple[tuple[str, Any], ...] = ()


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
    op = spec.submission()
    body = op.body_schema
    if body is None:
        return ()
    roots = [e.value for e in op.request_examples if oracle.is_valid(body, e.value, spec)]
    groups = group_violations(violations(body, spec, roots))
    found = [
        RefusalCase(f"refuses.{group}", group, refusal_words(group), tuple(found))
        for group, found in groups.items()
    ]
    return (*found, *(case for case in boundary_cases(spec) if isinstance(case, RefusalCase)))


def refusal_cases(spec: Spec | None = None) -> tuple[RefusalCase, ...]:
    """One case per field of the submission's body that has rules, then the boundaries."""
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
    cases += [case for case in boundary_cases(spec) if isinstance(case, AcceptanceCase)]
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


# The keywords a boundary case targets, in the order the cases are made.
BOUNDARY_KEYWORDS = (
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "enum",
    "const",
    "pattern",
)
# Near misses of a documented value: how many at most per value.
NEAR_MISSES = 12


@dataclass(frozen=True)
class Edge:
    """A value at the edge of one keyword: ``inside`` it (valid) or just outside."""

    keyword: str
    label: str
    value: Any
    inside: bool


def boundary_cases(
    spec: Spec | None = None, keywords: Sequence[str] = BOUNDARY_KEYWORDS
) -> tuple[RefusalCase | AcceptanceCase, ...]:
    """The values just outside (refusals) and just inside (acceptances) each constraint.

    One refusal case per field and keyword (``refuses.metadata.duration.maximum``),
    one acceptance case per value inside (``accepts.metadata.duration.maximum``).
    Every value is placed into the first documented example (an item of its
    kind in an array) and the oracle confirms the body refused, or valid.
    """
    return _boundary_cases(_spec(spec), tuple(keywords))


@cache
def _boundary_cases(
    spec: Spec, keywords: tuple[str, ...]
) -> tuple[RefusalCase | AcceptanceCase, ...]:
    op = spec.submission()
    if op.body_schema is None or not op.request_examples:
        return ()
    name = op.body_schema
    examples = [example.value for example in op.request_examples]
    refused: dict[str, tuple[str, str, list[tuple[str, Any]]]] = {}
    accepted: list[AcceptanceCase] = []
    seen: list[Any] = [*examples]
    for site in _boundary_sites(spec, ref(name), (), ""):
        documented = [v for example in examples for v in _values_at(example, site.steps)]
        for edge in _edges(site.schema, documented):
            if edge.keyword not in keywords:
                continue
            try:
                body = site.place(spec, examples, edge.value)
            except ValueError:
                continue
            if any(json_equal(body, other) for other in seen):
                continue
            valid = oracle.is_valid(name, body, spec)
            where = site.field or "body"
            if edge.inside and valid:
                seen.append(body)
                label = edge.keyword if edge.label == edge.keyword else edge.label
                case_id = f"accepts.{where}.{label}"
                if any(case.id == case_id for case in accepted):
                    continue
                words = f"accepts {where} {_shown(edge.value)}, just inside its {edge.keyword}"
                accepted.append(AcceptanceCase(case_id, words, body))
            elif not edge.inside and not valid:
                seen.append(body)
                case_id = f"refuses.{where}.{edge.keyword}"
                _, _, bodies = refused.setdefault(
                    case_id, (f"{where}.{edge.keyword}", _refused_words(where, edge.keyword), [])
                )
                label = f"{where}:{edge.label} {_shown(edge.value)}"
                if all(label != known for known, _ in bodies):
                    bodies.append((label, body))
    return (
        *(
            RefusalCase(case_id, group, words, (), tuple(bodies))
            for case_id, (group, words, bodies) in refused.items()
        ),
        *accepted,
    )


def _refused_words(where: str, keyword: str) -> str:
    what = {
        "type": "a value of the right kind only at the edge (4.5 for an integer)",
        "enum": "an enum value with its case changed or whitespace around it",
        "const": "the constant with its case changed or whitespace around it",
        "pattern": "near misses of its documented values",
        "uniqueItems": "a repeated item",
    }.get(keyword, f"a value just outside its {keyword}")
    return f"refuses {where}: {what}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:30]}… ({len(value)} long)"


def _edges(schema: Any, documented: Sequence[Any]) -> Iterator[Edge]:
    """The values at the edges of each keyword of ``schema`` (one node, not beneath)."""
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    integer = kind == "integer" or (isinstance(kind, list) and "integer" in kind)
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, int | float):
        yield Edge("minimum", "minimum", low, True)
        yield Edge("minimum", "minimum-1", low - 1 if integer else _next(low, -1), False)
    if isinstance(high, int | float):
        yield Edge("maximum", "maximum", high, True)
        yield Edge("maximum", "maximum+1", high + 1 if integer else _next(high, 1), False)
    if integer:
        # JSON Schema's integer is a mathematical one: 5.0 is an integer, 4.5 is not.
        start = low if isinstance(low, int | float) else (high - 1 if high is not None else 0)
        yield Edge("type", "integer-as-float", float(start + 1), True)
        for bound in (low, high):
            if isinstance(bound, int | float):
                step = 0.5 if bound is low else -0.5
                yield Edge("type", f"{bound + step:g}", bound + step, False)
    for key, sign in (("exclusiveMinimum", 1), ("exclusiveMaximum", -1)):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            yield Edge(key, key, bound, False)
            yield Edge(key, key, bound + sign if integer else _next(bound, sign), True)
    yield from _length_edges(schema, documented)
    yield from _item_edges(schema, documented)
    for value in schema.get("enum", []):
        for near in _case_and_space(value):
            yield Edge("enum", "near", near, False)
    if "const" in schema:
        const = schema["const"]
        nears = _case_and_space(const)
        if isinstance(const, int | float) and not isinstance(const, bool):
            nears = [const + 1, const - 1]
        for near in nears:
            yield Edge("const", "near", near, False)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        for value in documented:
            if isinstance(value, str) and oracle.pattern_matches(pattern, value):
                for near in _near_misses(value):
                    if not oracle.pattern_matches(pattern, near):
                        yield Edge("pattern", "near", near, False)


def _length_edges(schema: dict[str, Any], documented: Sequence[Any]) -> Iterator[Edge]:
    """Strings of exactly the shortest and longest lengths, and one beyond."""
    texts = [v for v in documented if isinstance(v, str) and v]

    def of_length(n: int) -> list[str]:
        made = ["x" * n]
        made += [(t * (n // len(t) + 1))[:n] for t in texts]
        return made

    least, most = schema.get("minLength"), schema.get("maxLength")
    if isinstance(least, int) and least > 0:
        yield from (Edge("minLength", "minLength", t, True) for t in of_length(least))
        yield from (Edge("minLength", "minLength-1", t, False) for t in of_length(least - 1))
    if isinstance(most, int):
        yield from (Edge("maxLength", "maxLength", t, True) for t in of_length(most))
        yield from (Edge("maxLength", "maxLength+1", t, False) for t in of_length(most + 1))


def _item_edges(schema: dict[str, Any], documented: Sequence[Any]) -> Iterator[Edge]:
    """Arrays of exactly the fewest and most items, one beyond, and a repeated item."""
    items = [i for v in documented if isinstance(v, list) for i in v]
    if not items:
        return
    first = items[0]
    least, most = schema.get("minItems"), schema.get("maxItems")
    unique = schema.get("uniqueItems") is True

    def of_size(n: int) -> list[Any]:
        pool = [copy.deepcopy(items[i % len(items)]) for i in range(n)]
        return pool if not unique or len({json.dumps(i) for i in pool}) == n else []

    if isinstance(least, int) and least > 0:
        yield Edge("minItems", "minItems", of_size(least), True)
        yield Edge("minItems", "minItems-1", of_size(least - 1), False)
    if isinstance(most, int):
        yield Edge("maxItems", "maxItems", of_size(most), True)
        yield Edge("maxItems", "maxItems+1", [copy.deepcopy(first)] * (most + 1), False)
    if unique:
        yield Edge("uniqueItems", "repeated", [first, copy.deepcopy(first)], False)


def _next(value: float, direction: int) -> float:
    """The closest float to ``value`` in ``direction``."""
    return math.nextafter(value, math.inf if direction > 0 else -math.inf)


def _case_and_space(value: Any) -> list[Any]:
    """A string with its case changed, and with whitespace around it."""
    if not isinstance(value, str) or not value:
        return []
    changed = [v for v in (value.upper(), value.lower(), value.swapcase()) if v != value]
    return [*changed[:1], f" {value}", f"{value} ", f"\t{value}\n"]


def _near_misses(value: str) -> list[str]:
    """A valid value with one character changed, added or dropped, a leading zero, spaces."""
    if not value:
        return [" "]
    found: list[str] = []
    for at in sorted({0, len(value) // 2, len(value) - 1}):
        char = value[at]
        for other in ("!", chr(ord(char) + 1)):
            found.append(value[:at] + other + value[at + 1 :])
    found += [value[0] + value, value + value[-1], value[1:], value[:-1], "0" + value]
    found += [f" {value}", f"{value} ", f"{value}\n"]
    unique = list(dict.fromkeys(found))
    return unique[:NEAR_MISSES] if len(value) > 1 else unique


@dataclass
class _Node(_Site):
    """A schema node with constraints, where it sits in the body."""

    schema: Any = None

    def place(self, spec: Spec, examples: Sequence[Any], value: Any) -> Any:
        """The first example with ``value`` here; an array's item itself replaces its items."""
        if self.steps and self.steps[-1] == ITEMS and not self.branches:
            body = copy.deepcopy(examples[0])
            _set(body, self.steps[:-1], [value])
            return body
        return super().place(spec, examples, value)


def _boundary_sites(
    spec: Spec, schema: Any, steps: tuple[str, ...], field: str, depth: int = 0
) -> Iterator[_Node]:
    """Every schema node reachable from ``schema``, with its place in the body.

    Union branches sit where their union does; a property of array items is
    placed in an item of its own branch's kind only.
    """
    schema = spec.resolve(schema)
    if not isinstance(schema, dict) or depth > 8:
        return
    yield _Node(field, (), steps, schema=schema)
    for prop, sub in schema.get("properties", {}).items():
        yield from _boundary_sites(spec, sub, (*steps, prop), _join(field, prop), depth + 1)
    for union in ("oneOf", "anyOf"):
        for branch in schema.get(union, []):
            yield from _boundary_sites(spec, branch, steps, field, depth + 1)
    if "items" not in schema:
        return
    item = spec.resolve(schema["items"])
    for node in _boundary_sites(spec, item, (), "", depth + 1):
        if not node.steps:  # the item itself, or a union branch of it
            yield _Node(f"{field}{ITEMS}", (), (*steps, ITEMS), schema=node.schema)
    branches = [spec.resolve(b) for b in item.get("oneOf", item.get("anyOf", []))] or [item]
    for branch in branches:
        for node in _boundary_sites(spec, branch, (), "", depth + 1):
            if node.steps and ITEMS not in node.steps:  # arrays in arrays: not placed
                yield _Node(
                    f"{field}{ITEMS}.{node.field}",
                    (),
                    (*steps, ITEMS, *node.steps),
                    (*steps,),
                    [(branch, node.steps)],
                    schema=node.schema,
                )
