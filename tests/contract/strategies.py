"""Hypothesis strategies derived from the spec's schemas.

``valid(name)`` draws values that satisfy component ``name``; ``violations(name)``
lists, for every rule reachable from it, a strategy for values that break that
rule at one place and are valid everywhere else. The oracle confirms each draw,
so a strategy bug cannot pass off a bad example as good.

Patterns are ECMA-262. Drawing uses Python's ``re`` in ASCII mode (close to
ECMA's ``\\d``, ``\\w``) and keeps only what ``regress`` matches: the generator's
own translation is never used here, so it cannot vouch for itself.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.contract import oracle
from tests.contract import spec as spec_module
from tests.contract.rules import EqualProperties, Exclusive
from tests.contract.spec import Spec, ref

Schema = dict[str, Any]
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(min_value=-(2**40), max_value=2**40),
    "number": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "string": st.text(max_size=12),
}
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.one_of(*SCALARS.values()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
# Strings that tend to break patterns: empty, blank in ECMA's sense, near misses.
# Rich text (``fuzz``): up to this long, drawn mostly beyond ASCII.
LONG_TEXT = 400
RICH_ALPHABET = st.one_of(
    st.characters(min_codepoint=0x80, exclude_categories=["Cs"]),
    st.characters(max_codepoint=0x7F),
)
PATTERN_BREAKERS = st.one_of(
    st.sampled_from(["", " ", "\t\n", "\u00a0", "\ufeff", "\u3000", "16", "03", "4.0", "abc="]),
    st.text(alphabet=" \t\r\n\u00a0\u2003\u2028\ufeff", min_size=1, max_size=4),
    st.text(max_size=10),
)


def _spec(spec: Spec | None) -> Spec:
    return spec if spec is not None else spec_module.load()


def resolve(schema: Any, spec: Spec | None = None) -> Any:
    """Follow ``$ref`` to the component (siblings are merged in)."""
    return _spec(spec).resolve(schema)


def valid_for(
    schema: Any, depth: int = 0, spec: Spec | None = None, rich: bool = False
) -> st.SearchStrategy[Any]:
    """Values that satisfy ``schema`` (a raw spec schema), before the oracle's check.

    ``rich`` leans toward what servers get wrong: long and non-ASCII text, and
    objects carrying every optional property (see ``fuzz``).
    """
    spec = _spec(spec)
    schema = spec.resolve(schema)
    if schema is True or schema == {}:
        return JSON_VALUES
    if "const" in schema:
        return st.just(copy.deepcopy(schema["const"]))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for union in ("oneOf", "anyOf"):
        if union in schema:
            siblings = {k: v for k, v in schema.items() if k not in (union, "discriminator")}
            return st.one_of(
                *(
                    valid_for({**siblings, **spec.resolve(branch)}, depth + 1, spec, rich)
                    for branch in schema[union]
                )
            )
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of(*(valid_for({**schema, "type": k}, depth, spec, rich) for k in kind))
    if kind == "object" or "properties" in schema:
        return _conditional(schema, _object(schema, depth, spec, rich), depth, spec)
    if kind == "array":
        items = valid_for(schema.get("items", {}), depth + 1, spec, rich)
        return st.lists(
            items, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 3), 3)
        )
    if kind == "string":
        return _string(schema, rich)
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**40)), schema.get("maximum", 2**40))
    return SCALARS.get(str(kind), JSON_VALUES)


def _string(schema: Schema, rich: bool = False) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")

    def fits(text: str) -> bool:
        return len(text) >= low and (high is None or len(text) <= high)

    # Long text, mostly beyond ASCII (no lone surrogates: they are not JSON text).
    long_size = high if high is not None else max(low, LONG_TEXT)
    wide = st.text(RICH_ALPHABET, min_size=max(low, 1), max_size=long_size)
    if "pattern" in schema:
        pattern: str = schema["pattern"]
        drawn = st.from_regex(re.compile(pattern, re.ASCII))
        if rich and not pattern.startswith("^"):
            # An unanchored pattern admits any text around a match: try wide text first.
            drawn = st.one_of(wide, drawn)
        # Python's classes and anchors differ from ECMA-262's at the edges
        # (\s, $ before a final newline): regress has the last word.
        return drawn.filter(lambda s: fits(s) and oracle.pattern_matches(pattern, s))
    plain = st.text(min_size=low, max_size=high if high is not None else max(low, 20))
    return st.one_of(wide, plain) if rich else plain


def _object(
    schema: Schema, depth: int, spec: Spec, rich: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    strategies = {name: valid_for(sub, depth + 1, spec, rich) for name, sub in properties.items()}
    fixed = st.fixed_dictionaries(
        {k: v for k, v in strategies.items() if k in required},
        optional={k: v for k, v in strategies.items() if k not in required},
    )
    if rich and len(required) < len(strategies):
        # Every optional property at once, as often as a random selection of them.
        fixed = st.one_of(st.fixed_dictionaries(strategies), fixed)
    equal = EqualProperties.from_spec(schema.get("x-equal-properties"))
    if equal.pairs:
        fixed = fixed.map(equal.equalize)
    exclusive = Exclusive.from_spec(schema.get("x-exclusive"))
    if exclusive.groups:
        fixed = fixed.map(exclusive.resolved)
    if schema.get("additionalProperties", True) is False or depth > 2:
        return fixed
    extra_keys = st.text(min_size=1, max_size=8).filter(lambda k: k not in properties)
    extras = st.dictionaries(extra_keys, JSON_VALUES, max_size=2)
    return st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})


def _conditional(
    schema: Schema, base: st.SearchStrategy[Any], depth: int, spec: Spec
) -> st.SearchStrategy[Any]:
    """Add what each ``allOf`` ``if``/``then`` requires of a drawn object."""
    branches = [
        b for b in schema.get("allOf", []) if isinstance(b, dict) and "if" in b and "then" in b
    ]
    if not branches:
        return base
    parent = schema.get("properties", {})
    additions: list[tuple[Callable[[Any], bool], st.SearchStrategy[Any]]] = []
    for branch in branches:
        then = branch["then"]
        properties = {
            p: {**spec.resolve(parent.get(p, {})), **then.get("properties", {}).get(p, {})}
            for p in {*then.get("required", []), *then.get("properties", {})}
        }
        addition = _object(
            {"properties": properties, "required": then.get("required", [])}, depth + 1, spec
        )
        additions.append((oracle.validator_for(branch["if"], spec).is_valid, addition))

    @st.composite
    def draw_conditional(draw: st.DrawFn) -> Any:
        value = draw(base)
        for applies, addition in additions:
            if applies(value):
                value = _deep_merge(value, draw(addition))
        return value

    return draw_conditional()


def _deep_merge(base: Any, addition: Any) -> Any:
    if isinstance(base, dict) and isinstance(addition, dict):
        merged = dict(base)
        for key, value in addition.items():
            merged[key] = _deep_merge(base[key], value) if key in base else value
        return merged
    return addition


def valid(name: str, spec: Spec | None = None) -> st.SearchStrategy[Any]:
    """Values the oracle accepts for component ``name``."""
    spec = _spec(spec)
    return valid_for(ref(name), spec=spec).filter(lambda v: oracle.is_valid(name, v, spec))


def fuzz(name: str, spec: Spec | None = None) -> st.SearchStrategy[Any]:
    """Valid values of component ``name`` that lean toward what servers get wrong.

    Long and non-ASCII text, objects with every optional property, each enum
    value and each union branch (drawn like ``valid``); the oracle confirms each.
    """
    spec = _spec(spec)
    return valid_for(ref(name), spec=spec, rich=True).filter(
        lambda v: oracle.is_valid(name, v, spec)
    )


@dataclass(frozen=True)
class Violation:
    """Values that break one rule at one place and are valid elsewhere.

    ``field`` is the path an error must name, with ``[]`` for an array index;
    ``rules`` are the keywords that may report it (a union reports for its
    branches, for example).
    """

    field: str
    rule: str
    rules: frozenset[str]
    values: st.SearchStrategy[Any]
    variant: str = ""
    # A discriminated union may also name its tag (``content[0].type: is required``).
    tag_field: str = ""

    @property
    def id(self) -> str:
        """A readable test id: ``metadata.duration:range``, with the union branch if any."""
        return f"{self.field}:{self.rule}" + (f"@{self.variant}" if self.variant else "")


VALUE_RULES = {
    "type",
    "enum",
    "const",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "oneOf",
    "anyOf",
}


class _Delete:
    """Placed at a key, removes it instead."""


_DELETE = _Delete()


def violations(name: str, spec: Spec | None = None, roots: Sequence[Any] = ()) -> list[Violation]:
    """One Violation per rule reachable from component ``name``.

    The rest of each value is drawn from ``valid(name)``, or, given ``roots``
    (valid values, such as the documented examples), taken from them: one bad
    value in a known good body, and much cheaper to draw.
    """
    spec = _spec(spec)
    collector = _Collector(name, spec, tuple(roots))
    base = st.sampled_from(collector.roots) if roots else valid(name, spec)
    collector.walk(ref(name), "", base, [], depth=0)
    return collector.found


class _Collector:
    """Walks a schema; at each node, a root strategy draws valid values with that node present."""

    def __init__(self, name: str, spec: Spec, roots: tuple[Any, ...] = ()) -> None:
        self.name = name
        self.spec = spec
        self.roots = roots
        self.found: list[Violation] = []
        self.variant = ""
        self.tag_field = ""

    def add(
        self,
        field: str,
        rule: str,
        rules: set[str],
        root: st.SearchStrategy[Any],
        steps: list[Any],
        bad: st.SearchStrategy[Any],
    ) -> None:
        """Record the values ``root`` with ``bad`` placed at ``steps`` that the oracle refuses."""
        # Fields that exclude each other (x-exclusive) keep the one the rule lives under,
        # so the value breaks this rule and nothing else.
        exclusive = Exclusive.from_spec(self.spec.resolve(ref(self.name)).get("x-exclusive"))
        keep = "/" + field.replace("[]", "").replace(".", "/")
        values = st.tuples(root, bad).map(
            lambda pair: exclusive.resolved(_place(pair[0], steps, pair[1]), keep)
        )
        refused = values.filter(lambda value: not oracle.is_valid(self.name, value, self.spec))
        self.found.append(
            Violation(field, rule, frozenset(rules), refused, self.variant, self.tag_field)
        )

    def walk(
        self, schema: Any, path: str, root: st.SearchStrategy[Any], steps: list[Any], depth: int
    ) -> None:
        """Record the violations at ``schema`` (found at ``path``) and beneath it."""
        schema = self.spec.resolve(schema)
        if not isinstance(schema, dict) or depth > 8:
            return
        node_rules = {k for k in schema if k in VALUE_RULES} | {"type"}
        tag = schema.get("discriminator", {}).get("propertyName")
        self.tag_field = _join(path, tag) if tag else ""
        if tag:
            node_rules |= {"required", "discriminator"}
        for rule, bad in _value_breakers(schema):
            self.add(path, rule, node_rules, root, steps, bad)
        self.tag_field = ""
        if "discriminator" in schema:
            self.walk_tagged(schema, path, root, steps, depth)
        elif "oneOf" not in schema and "anyOf" not in schema:
            self.walk_object(schema, path, root, steps, depth)
            if "items" in schema:
                item_steps = [*steps, 0]
                self.walk(
                    schema["items"],
                    f"{path}[]",
                    self.with_valid(root, item_steps, schema["items"]),
                    item_steps,
                    depth + 1,
                )

    def walk_object(
        self,
        schema: Schema,
        path: str,
        root: st.SearchStrategy[Any],
        steps: list[Any],
        depth: int,
        skip: str = "",
    ) -> None:
        """Each required property left out, then each property's own rules."""
        for prop in schema.get("required", []):
            if prop != skip:
                self.add(
                    _join(path, prop),
                    "required",
                    {"required"},
                    root,
                    [*steps, prop],
                    st.just(_DELETE),
                )
        for prop, sub in schema.get("properties", {}).items():
            if prop != skip:
                prop_steps = [*steps, prop]
                self.walk(
                    sub,
                    _join(path, prop),
                    self.with_valid(root, prop_steps, sub),
                    prop_steps,
                    depth + 1,
                )

    def walk_tagged(
        self, schema: Schema, path: str, root: st.SearchStrategy[Any], steps: list[Any], depth: int
    ) -> None:
        """A discriminated union: an unknown tag, then each branch's own rules."""
        tag = schema["discriminator"]["propertyName"]
        mapping = schema["discriminator"]["mapping"]
        unknown = st.text(max_size=10).filter(lambda t: t not in mapping)
        self.add(_join(path, tag), "discriminator", {"discriminator"}, root, [*steps, tag], unknown)
        outer = self.variant
        for value, target in mapping.items():
            self.variant = value
            branch = {"$ref": target}
            self.walk_object(
                self.spec.resolve(branch),
                path,
                self.with_valid(root, steps, branch),
                steps,
                depth,
                skip=tag,
            )
        self.variant = outer

    def with_valid(
        self, root: st.SearchStrategy[Any], steps: list[Any], schema: Any
    ) -> st.SearchStrategy[Any]:
        """Valid roots that have a valid value of ``schema`` at ``steps``.

        With documented roots, the value comes from them when they hold one.
        """
        obeys = oracle.validator_for(schema, self.spec).is_valid
        known = [v for r in self.roots for v in _values_at(r, steps) if obeys(v)]
        values = st.sampled_from(known) if known else valid_for(schema, spec=self.spec)
        return st.tuples(root, values).map(lambda pair: _place(pair[0], steps, pair[1]))


def _value_breakers(schema: Schema) -> list[tuple[str, st.SearchStrategy[Any]]]:
    """(rule, values breaking it) for the rules on the value itself."""
    breakers: list[tuple[str, st.SearchStrategy[Any]]] = []
    kind = schema.get("type")
    kinds = set(kind if isinstance(kind, list) else [kind] if kind else [])
    if kinds:
        wrong = [s for k, s in SCALARS.items() if k not in kinds and not _widens(kinds, k)]
        if "array" not in kinds:
            wrong.append(st.lists(SCALARS["integer"], max_size=2))
        if "object" not in kinds:
            wrong.append(st.dictionaries(st.text(max_size=3), SCALARS["null"], max_size=1))
        breakers.append(("type", st.one_of(*wrong)))
    if "enum" in schema:
        breakers.append(("enum", st.text(max_size=12).filter(lambda v: v not in schema["enum"])))
    if "pattern" in schema:
        breakers.append(("pattern", PATTERN_BREAKERS))
    if schema.get("minLength", 0) > 0:
        breakers.append(("minLength", st.text(max_size=schema["minLength"] - 1)))
    if {"minimum", "maximum"} & set(schema):
        breakers.append(("range", st.integers(-(2**33), 2**33)))
    if "oneOf" in schema or "anyOf" in schema:
        near = st.one_of(st.integers(-50, 50), PATTERN_BREAKERS, st.booleans(), JSON_VALUES)
        breakers.append(("union", near))
    if "const" in schema and not kinds:
        breakers.append(("const", JSON_VALUES))
    return breakers


def _values_at(document: Any, steps: Sequence[Any]) -> Iterator[Any]:
    """Every value at ``steps`` in ``document`` (an index goes through every item)."""
    if not steps:
        yield document
        return
    step, rest = steps[0], steps[1:]
    if isinstance(step, int) and isinstance(document, list):
        for item in document:
            yield from _values_at(item, rest)
    elif isinstance(document, dict) and not isinstance(step, int) and step in document:
        yield from _values_at(document[step], rest)


def _widens(kinds: set[str], kind: str) -> bool:
    """Whether ``kind`` is accepted anyway: an integer is a number."""
    return kind == "integer" and "number" in kinds


def _place(document: Any, steps: list[Any], value: Any) -> Any:
    """A copy of ``document`` with ``value`` at ``steps``, creating what is missing on the way.

    ``_DELETE`` removes the key instead; index 0 of an empty list appends.
    """
    if not steps:
        return value
    result = copy.deepcopy(document)
    node = result
    for step, following in itertools.pairwise(steps):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(node, list):
            if not node:
                node.append(empty)
        elif step not in node:
            node[step] = empty
        node = node[step]
    last = steps[-1]
    if value is _DELETE:
        node.pop(last, None)
    elif isinstance(node, list) and not node:
        node.append(value)
    else:
        node[last] = value
    return result


def _join(path: str, prop: str) -> str:
    return f"{path}.{prop}" if path else prop
