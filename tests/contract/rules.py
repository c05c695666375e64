"""The spec's ``x-`` rules, read into typed records: one implementation of each rule.

``Upstream`` (``x-upstream``), ``Echo`` (``x-echo``), ``Lifecycle``
(``x-lifecycle``), ``ErrorFields`` (``x-error-fields``),
``EqualProperties`` (``x-equal-properties``), ``Exclusive``
(``x-exclusive``) and ``Invariants`` (``x-invariants``) are built from the raw
extension by ``from_spec``; nothing else on the test side parses those keys.
This module reads no files: ``spec.py`` hands it the raw values.
"""

from __future__ import annotations

import builtins
import copy
import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


class _Missing(enum.Enum):
    MISSING = "MISSING"


# A value that is not there, as opposed to a JSON null (None).
MISSING = _Missing.MISSING


def pointer_get(document: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` (objects only), or ``MISSING``."""
    node = document
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def pointer_set(document: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``value`` at ``pointer``, creating the objects on the way."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = document
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def pointer_delete(document: Any, pointer: str) -> None:
    """Remove the value at ``pointer`` if it is there."""
    parts = pointer.split("/")[1:]
    parent = pointer_get(document, "/".join(["", *parts[:-1]])) if len(parts) > 1 else document
    if isinstance(parent, dict):
        parent.pop(parts[-1].replace("~1", "/").replace("~0", "~"), None)


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON sees it: booleans are not numbers, 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


def _convert(value: Any, kind: str | None) -> Any:
    """``value`` converted as ``kind`` says, or ``MISSING`` when the conversion refuses it."""
    if kind == "integer":
        return int(value)
    if kind == "string":
        return str(value)
    if kind == "positive-integer":
        # As Go's strconv.Atoi reads it: optional sign, decimal digits, nothing else.
        if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value) and int(value) > 0:
            return int(value)
        return MISSING
    return value


def _fill(template: Any, value: Any) -> Any:
    """``template`` with every ``"{value}"`` replaced by ``value``."""
    if template == "{value}":
        return copy.deepcopy(value)
    if isinstance(template, dict):
        return {key: _fill(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, value) for item in template]
    return template


# x-upstream


@dataclass(frozen=True)
class Merge:
    """Copy every key of the object at ``source`` (but ``skip``) into the payload, replacing."""

    source: str
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assign:
    """Set ``target`` to the value at ``source`` (converted), when there is one."""

    target: str
    source: str
    convert: str | None = None


@dataclass(frozen=True)
class Part:
    """One source of a ``Concat``: each element through ``each``, or the value through ``item``.

    With neither template, the elements of the list at ``source`` are copied as they are.
    """

    source: str
    each: Any = None
    item: Any = None


@dataclass(frozen=True)
class Concat:
    """Set ``target`` to the list made of ``parts``, in order."""

    target: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Remove:
    """Drop the items of the payload's list at ``target`` that have every key of ``where``."""

    target: str
    where: Mapping[str, Any]

    def keeps(self, item: Any) -> bool:
        """Whether ``item`` stays."""
        return not (
            isinstance(item, dict)
            and all(k in item and json_equal(item[k], v) for k, v in self.where.items())
        )


@dataclass(frozen=True)
class Append:
    """Add the value at ``source`` (through ``item``) to the payload's list at ``target``."""

    target: str
    source: str
    item: Any = None


Step = Merge | Assign | Concat | Remove | Append


@dataclass(frozen=True)
class Upstream:
    """``x-upstream``: how a request body becomes the payload the gateway forwards."""

    steps: tuple[Step, ...]
    description: str = ""

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any]) -> Upstream:
        """Read the extension's value."""
        return cls(tuple(map(_upstream_step, raw["steps"])), raw.get("description", ""))

    def payload(self, body: Any) -> dict[str, Any]:
        """The payload forwarded for ``body``."""
        payload: dict[str, Any] = {}
        for step in self.steps:
            if isinstance(step, Merge):
                source = pointer_get(body, step.source)
                if isinstance(source, dict):
                    kept = {k: v for k, v in source.items() if k not in step.skip}
                    payload.update(copy.deepcopy(kept))
            elif isinstance(step, Concat):
                pointer_set(payload, step.target, self._concat(step.parts, body))
            elif isinstance(step, Remove):
                items = pointer_get(payload, step.target)
                if isinstance(items, list):
                    pointer_set(payload, step.target, [i for i in items if step.keeps(i)])
            elif isinstance(step, Append):
                value = pointer_get(body, step.source)
                if value is not MISSING:
                    items = pointer_get(payload, step.target)
                    items = list(items) if isinstance(items, list) else []
                    shaped = value if step.item is None else _fill(step.item, value)
                    pointer_set(payload, step.target, [*items, shaped])
            else:
                value = pointer_get(body, step.source)
                converted = MISSING if value is MISSING else _convert(value, step.convert)
                if converted is not MISSING:
                    pointer_set(payload, step.target, converted)
        return payload

    @staticmethod
    def _concat(parts: Sequence[Part], body: Any) -> list[Any]:
        items: list[Any] = []
        for part in parts:
            source = pointer_get(body, part.source)
            if source is MISSING:
                continue
            if part.each is not None:
                items.extend(_fill(part.each, value) for value in source)
            elif part.item is not None:
                items.append(_fill(part.item, source))
            else:
                items.extend(copy.deepcopy(source))
        return items


def _upstream_step(step: Mapping[str, Any]) -> Step:
    if "merge" in step:
        return Merge(step["merge"], tuple(step.get("except", ())))
    if "remove" in step:
        return Remove(step["remove"], step["where"])
    if "append" in step:
        return Append(step["append"], step["from"], step.get("item"))
    if "concat" in step:
        parts = tuple(Part(p["from"], p.get("each"), p.get("item")) for p in step["concat"])
        return Concat(step["set"], parts)
    return Assign(step["set"], step["from"], step.get("convert"))


# x-echo

Source = Literal["request", "upstream"]


@dataclass(frozen=True)
class EchoRule:
    """One task property that repeats a value of the request or of the upstream payload."""

    property: str
    source: Source
    pointer: str
    as_type: str | None = None
    # A task may leave the property out; when present it must still repeat the value.
    optional: bool = False
    # Source values that say nothing about the property (e.g. "let the model choose").
    unless: tuple[Any, ...] = ()

    def expected(self, request: Any, upstream: Any) -> Any:
        """The value the property must have, or ``MISSING`` when the rule says nothing."""
        value = pointer_get(request if self.source == "request" else upstream, self.pointer)
        if value is MISSING or any(json_equal(value, other) for other in self.unless):
            return MISSING
        return _convert(value, self.as_type)


@dataclass(frozen=True)
class Echo:
    """``x-echo``: the task properties that repeat what was submitted."""

    rules: tuple[EchoRule, ...]

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any]) -> Echo:
        """Read the extension's value."""
        rules = []
        for name, rule in raw.get("properties", {}).items():
            source = rule["from"]
            if source not in ("request", "upstream"):
                raise ValueError(f"x-echo.{name}: unknown source {source!r}")
            rules.append(
                EchoRule(
                    name,
                    source,
                    rule["pointer"],
                    rule.get("as"),
                    bool(rule.get("optional", False)),
                    tuple(rule.get("unless", ())),
                )
            )
        return cls(tuple(rules))

    def rule(self, name: str) -> EchoRule:
        """The rule for property ``name``."""
        for rule in self.rules:
            if rule.property == name:
                return rule
        raise KeyError(f"x-echo has no rule for {name!r}")

    def expected(self, request: Any, upstream: Any) -> dict[str, Any]:
        """What each property must be, given what was sent (left out when unknowable)."""
        found = {rule.property: rule.expected(request, upstream) for rule in self.rules}
        return {name: value for name, value in found.items() if value is not MISSING}


# x-lifecycle


@dataclass(frozen=True)
class Lifecycle:
    """``x-lifecycle``: which status may follow which, and where progress is reported."""

    property: str
    progress: str | None
    initial: str
    transitions: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any]) -> Lifecycle:
        """Read the extension's value."""
        transitions = {state: tuple(following) for state, following in raw["transitions"].items()}
        return cls(raw["property"], raw.get("progress"), raw["initial"], transitions)

    # ``property`` is a field here: the decorator is named in full.
    @builtins.property
    def states(self) -> tuple[str, ...]:
        """Every state, in the order the spec lists them."""
        return tuple(self.transitions)

    @builtins.property
    def terminal(self) -> tuple[str, ...]:
        """States with no way out."""
        return tuple(state for state, following in self.transitions.items() if not following)

    def reachable(self, start: str) -> set[str]:
        """``start`` and every state reachable from it."""
        seen, stack = {start}, [start]
        while stack:
            for following in self.transitions.get(stack.pop(), ()):
                if following not in seen:
                    seen.add(following)
                    stack.append(following)
        return seen

    def path_to_end(self) -> list[str]:
        """Initial state, then the first listed transition each time, to a terminal state."""
        states = [self.initial]
        while self.transitions.get(states[-1]):
            states.append(self.transitions[states[-1]][0])
        return states


# x-error-fields


@dataclass(frozen=True)
class ErrorFields:
    """``x-error-fields``: where each field of an error body may be, one pointer per shape."""

    fields: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any]) -> ErrorFields:
        """Read the extension's value."""
        return cls({name: tuple(pointers) for name, pointers in raw.items()})

    @property
    def shapes(self) -> int:
        """How many body shapes the pointers describe (the longest list of pointers)."""
        return max((len(pointers) for pointers in self.fields.values()), default=0)

    def read(self, body: Any) -> dict[str, Any]:
        """Each field's value: the first of its pointers that is present in ``body``."""
        found: dict[str, Any] = {}
        for name, pointers in self.fields.items():
            for pointer in pointers:
                value = pointer_get(body, pointer)
                if value is not MISSING:
                    found[name] = value
                    break
        return found

    def compose(self, shape: int, **values: Any) -> dict[str, Any]:
        """An error body of shape ``shape``; a field that shape has no pointer for is left out."""
        body: dict[str, Any] = {}
        for name, value in values.items():
            pointers = self.fields.get(name, ())
            if shape < len(pointers):
                pointer_set(body, pointers[shape], value)
        return body


# x-equal-properties


@dataclass(frozen=True)
class EqualProperties:
    """``x-equal-properties``: pairs of properties that must be equal where both are present."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def from_spec(cls, raw: Sequence[Sequence[str]] | None) -> EqualProperties:
        """Read the keyword's value (None: no pairs)."""
        return cls(tuple((left, right) for left, right in raw or ()))

    def partner(self, name: str) -> str:
        """The property ``name`` must equal."""
        for left, right in self.pairs:
            if name in (left, right):
                return right if name == left else left
        raise KeyError(f"x-equal-properties pairs {name!r} with nothing")

    def broken(self, instance: Any) -> Iterator[tuple[str, str]]:
        """Each pair that ``instance`` has both of, unequal."""
        if not isinstance(instance, dict):
            return
        for left, right in self.pairs:
            if (
                left in instance
                and right in instance
                and not json_equal(instance[left], instance[right])
            ):
                yield left, right

    def equalize(self, value: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``value`` with each pair's left set to its right, where both are present."""
        value = dict(value)
        for left, right in self.pairs:
            if left in value and right in value:
                value[left] = copy.deepcopy(value[right])
        return value


# x-exclusive


@dataclass(frozen=True)
class Exclusive:
    """``x-exclusive``: groups of fields (JSON pointers) of which a body sets one at most.

    The client refuses a body that sets more than one; the server accepts it
    and loses data, which is why the rule exists.
    """

    groups: tuple[tuple[tuple[str, ...], str], ...]

    @classmethod
    def from_spec(cls, raw: Sequence[Mapping[str, Any]] | None) -> Exclusive:
        """Read the keyword's value (None: no groups)."""
        return cls(tuple((tuple(g["fields"]), str(g["reason"])) for g in raw or ()))

    def broken(self, instance: Any) -> Iterator[tuple[str, ...]]:
        """The fields of each group that ``instance`` sets more than one of."""
        for fields, _ in self.groups:
            present = tuple(f for f in fields if pointer_get(instance, f) is not MISSING)
            if len(present) > 1:
                yield present

    def resolved(self, instance: Any, keep: str = "") -> Any:
        """A copy of ``instance`` with one field set in each broken group.

        The field kept is the one at or above pointer ``keep``, else the first.
        """
        fixed = copy.deepcopy(instance)
        for present in self.broken(instance):
            kept = next((f for f in present if (keep + "/").startswith(f + "/")), present[0])
            for pointer in present:
                if pointer != kept:
                    pointer_delete(fixed, pointer)
        return fixed


# x-invariants


@dataclass(frozen=True)
class Invariants:
    """``x-invariants``: what holds across the observations of one task, and across tasks.

    ``immutable``: once reported, a property keeps its value in every later
    observation of the task. ``ordered``: lists of Unix-second moments in
    the order they happen; where present, each is no earlier than those
    before it, and none is earlier than the submission. ``unique``: no two
    tasks share the value.
    """

    immutable: tuple[str, ...] = ()
    ordered: tuple[tuple[str, ...], ...] = ()
    unique: tuple[str, ...] = ()

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any] | None) -> Invariants:
        """Read the extension's value (None: no invariants)."""
        raw = raw or {}
        return cls(
            tuple(raw.get("immutable", ())),
            tuple(tuple(chain) for chain in raw.get("ordered", ())),
            tuple(raw.get("unique", ())),
        )

    @property
    def moments(self) -> tuple[str, ...]:
        """Every property an ``ordered`` list names, once, in order."""
        return tuple(dict.fromkeys(p for chain in self.ordered for p in chain))

    def changed(self, before: Any, after: Any, also: Sequence[str] = ()) -> Iterator[str]:
        """Each immutable property (and each of ``also``) ``before`` reported and ``after`` changed.

        A property that disappears has changed too.
        """
        if not isinstance(before, dict) or not isinstance(after, dict):
            return
        for name in dict.fromkeys((*self.immutable, *also)):
            if name in before and not (name in after and json_equal(before[name], after[name])):
                yield name

    def disordered(self, instance: Any) -> Iterator[tuple[str, str]]:
        """Each pair ``(earlier, later)`` of present moments that ``instance`` reports out of order.

        Only moments that are numbers are compared (the schema judges their type).
        """
        if not isinstance(instance, dict):
            return
        for chain in self.ordered:
            present = [
                p
                for p in chain
                if isinstance(instance.get(p), int | float)
                and not isinstance(instance.get(p), bool)
            ]
            for at, earlier in enumerate(present):
                for later in present[at + 1 :]:
                    if instance[later] < instance[earlier]:
                        yield earlier, later

    def before(self, instance: Any, moment: float) -> Iterator[str]:
        """Each moment of ``instance`` earlier than ``moment``."""
        if not isinstance(instance, dict):
            return
        for name in self.moments:
            value = instance.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < moment:
                yield name
