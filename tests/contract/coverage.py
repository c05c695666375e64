"""Coverage: which rules of the spec the cases of a run exercised, and how they ended.

A rule is a schema keyword at a place in the spec (``VideoMetadata.duration/oneOf/0
maximum``) or an ``x-`` rule, reachable from the operations' request bodies and
JSON responses. How each is exercised:

- a request keyword that restricts values (``type``, ``enum``, ``pattern``,
  ``maximum``, ``required``, ``oneOf``, ...) by the bodies sent to be refused
  that break it (the oracle says which: each keyword is judged alone on the
  value it applies to), and by the accepted bodies whose values it applies to;
  it is untested when no body meant to be refused broke it;
- a request keyword that permits (``additionalProperties: true``) by the
  accepted bodies that use it;
- a response schema's keywords by the answers judged against that schema
  (tasks by the response checks, error bodies by the refusal checks);
- ``x-`` rules by the checks that enforce them: ``x-echo`` the echo checks,
  ``x-equal-properties`` the equality checks, ``x-invariants`` the checks across
  polls and tasks, ``x-lifecycle`` the status and
  "only forward" checks, ``x-error-fields`` every refusal's error body,
  ``x-upstream`` the echo checks that read the forwarded payload (the rest of
  the forwarding is not observable from outside: a mock-only rule).
  ``x-exclusive`` is a client rule (the server accepts such a body),
  ``x-waiter``, ``x-cli`` and ``x-expect`` are client-only: listed, not
  conformance rules. Any other ``x-`` key is untested.

A rule reached only by skipped cases (the budget ran out) is skipped, not
untested: untested means no case of the suite reaches it at all, so a spec
change can never silently outgrow the suite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.contract import checks, oracle
from tests.contract.spec import SCHEMA_PREFIX, Spec

Status = Literal["pass", "fail", "skip"]
Kind = Literal["request", "response", "x", "client"]
# Keywords that restrict a value: a body breaking one must be refused.
RESTRICTING = (
    "type",
    "enum",
    "const",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "dependentRequired",
    "propertyNames",
    "contains",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "not",
    "if",
    "discriminator",
    "format",
    "contentMediaType",
)
# x- rules that belong to the client, not to a server: listed, never untested.
CLIENT_ONLY = {
    "x-exclusive": "client rule: the client refuses; a server accepts such a body",
    "x-waiter": "client-only: the generated polling method",
    "x-cli": "client-only: the command line",
    "x-expect": "client-only: the wording of the client's errors",
}


@dataclass
class Row:
    """One rule and the cases that exercised it."""

    kind: Kind
    where: str
    keyword: str
    refused: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    note: str = ""
    # A keyword that only allows more (``additionalProperties: true``): accepted bodies test it.
    permits: bool = False

    @property
    def untested(self) -> bool:
        """No case of the run reached it (skipped cases count as reaching it)."""
        if self.kind == "client":
            return False
        if self.kind == "request":
            return not sum((self.accepted if self.permits else self.refused).values())
        return not sum(self.accepted.values()) + sum(self.refused.values())

    @property
    def verdict(self) -> str:
        """untested, client, fail, pass or skip."""
        if self.kind == "client":
            return "client"
        if self.untested:
            return "untested"
        both = self.refused + self.accepted
        if both["fail"]:
            return "fail"
        return "pass" if both["pass"] else "skip"


def _display(pointer: str) -> str:
    """``#/components/schemas/VideoMetadata/properties/duration`` -> ``VideoMetadata.duration``."""
    text = pointer.removeprefix(SCHEMA_PREFIX).removeprefix("#/")
    return text.replace("/properties/", ".")


def _counts(counter: Counter[str]) -> str:
    shown = [f"{counter[s]} {s}" for s in ("pass", "fail", "skip") if counter[s]]
    return ", ".join(shown) or "-"


class Coverage:
    """The rules of a spec, and a tally of the cases of one run against them."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rows: dict[tuple[str, str], Row] = {}
        # The response schema each response row belongs to.
        self.owner: dict[tuple[str, str], str] = {}
        self._holds: dict[tuple[str, str], Any] = {}
        create = spec.submission()
        self.body = create.body_schema
        if self.body is not None:
            for pointer, keyword in _keywords(spec, SCHEMA_PREFIX + self.body):
                self._row("request", pointer, keyword)
        # Response schemas: every JSON schema an operation answers with.
        self.responses: dict[str, Row] = {}
        for op in spec.operations:
            for name in (op.success_schema if not op.is_download else None, op.error_schema):
                if name and name not in self.responses:
                    self.responses[name] = Row("response", name, "(schema)")
                    for pointer, keyword in _keywords(spec, SCHEMA_PREFIX + name):
                        if (pointer, keyword) not in self.rows:
                            self._row("response", pointer, keyword)
                            self.owner[(pointer, keyword)] = name
        self.x_rules = list(_x_rules(spec))

    def _row(self, kind: Kind, pointer: str, keyword: str) -> Row:
        permits = keyword.endswith("+")
        return self.rows.setdefault(
            (pointer, keyword), Row(kind, _display(pointer), keyword.rstrip("+"), permits=permits)
        )

    # The tally, fed by the runner.

    def sent(self, body: Any, status: Status, *, refused: bool) -> None:
        """A body meant to be refused (``refused``) or accepted, and how its case ended."""
        if self.body is None:
            return
        found: dict[tuple[str, str], bool] = {}
        self._walk(SCHEMA_PREFIX + self.body, {"$ref": SCHEMA_PREFIX + self.body}, body, found)
        for key, holds in found.items():
            row = self.rows.get(key)
            if row is None:
                continue
            if refused and not holds:
                row.refused[status] += 1
            elif not refused:
                row.accepted[status] += 1

    def answered(self, schema: str | None, status: Status, *, error: bool) -> None:
        """An answer judged against response schema ``schema`` (an error body if ``error``)."""
        row = self.responses.get(schema or "")
        if row is not None:
            (row.refused if error else row.accepted)[status] += 1

    # The walk of one value through the schema.

    def _walk(self, pointer: str, schema: Any, value: Any, found: dict[Any, bool]) -> None:
        while isinstance(schema, dict) and "$ref" in schema:
            pointer = schema["$ref"]
            schema = self.spec.resolve(schema)
        if not isinstance(schema, dict):
            return
        for keyword in RESTRICTING:
            if keyword in schema and not _permits(schema, keyword):
                holds = self._keyword_holds(pointer, keyword, schema, value)
                key = (pointer, keyword)
                found[key] = found.get(key, True) and holds
        properties = schema.get("properties", {})
        if isinstance(value, dict):
            if schema.get("additionalProperties") is True and set(value) - set(properties):
                found[(pointer, "additionalProperties+")] = True
            for name, sub in properties.items():
                if name in value:
                    self._walk(f"{pointer}/properties/{name}", sub, value[name], found)
        if isinstance(value, list) and "items" in schema:
            for item in value:
                self._walk(f"{pointer}/items", schema["items"], item, found)
        for union in ("oneOf", "anyOf"):
            branches = schema.get(union, [])
            fitting = [
                i
                for i, b in enumerate(branches)
                if oracle.validator_for(b, self.spec).is_valid(value)
            ]
            for i in fitting or range(len(branches)):
                self._walk(f"{pointer}/{union}/{i}", branches[i], value, found)
        for i, sub in enumerate(schema.get("allOf", [])):
            self._walk(f"{pointer}/allOf/{i}", sub, value, found)
        if "if" in schema:
            holds = self._keyword_holds(pointer, "if", schema, value)
            branch = "then" if holds else "else"
            if branch in schema:
                self._walk(f"{pointer}/{branch}", schema[branch], value, found)

    def _keyword_holds(
        self, pointer: str, keyword: str, schema: Mapping[str, Any], value: Any
    ) -> bool:
        key = (pointer, keyword)
        if key not in self._holds:
            if keyword == "discriminator":
                tag = schema["discriminator"]["propertyName"]
                mapping = schema["discriminator"].get("mapping", {})
                self._holds[key] = lambda v: not isinstance(v, dict) or v.get(tag) in mapping
            else:
                alone: dict[str, Any] = {keyword: schema[keyword]}
                if keyword == "additionalProperties":
                    # Only which names are known matters, not what their values must be.
                    for known in ("properties", "patternProperties"):
                        alone[known] = {k: True for k in schema.get(known, {})}
                if keyword == "if":
                    alone = schema["if"] if isinstance(schema["if"], dict) else {}
                self._holds[key] = oracle.validator_for(alone, self.spec).is_valid
        return bool(self._holds[key](value))

    # The result.

    def result(self, verdicts: Mapping[str, str], refusals: Counter[str]) -> list[Row]:
        """Every row: keywords, response schemas, then the ``x-`` rules.

        ``verdicts`` are the run's outcomes by rule id; ``refusals`` how the
        refusal checks of error bodies ended (for ``x-error-fields``).
        """
        rows = [r for r in self.rows.values() if r.kind == "request"]
        for key, row in self.rows.items():
            if row.kind == "response":
                owner = self.responses[self.owner[key]]
                row.refused, row.accepted = owner.refused, owner.accepted
                rows.append(row)
        for where, keyword, check_ids, note in self.x_rules:
            row = Row("client" if keyword in CLIENT_ONLY else "x", where, keyword, note=note)
            if keyword == "x-error-fields":
                row.refused = Counter(refusals)
            for check_id in check_ids:
                status = verdicts.get(check_id)
                if status is not None:
                    row.accepted[status] += 1
            rows.append(row)
        return rows


def _keywords(
    spec: Spec, pointer: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """Every (schema location, keyword) reachable from the schema at ``pointer``."""
    if pointer in seen:
        return
    seen = seen | {pointer}
    schema = (
        spec.resolve({"$ref": pointer})
        if pointer.startswith(SCHEMA_PREFIX) and pointer.count("/") == 3
        else None
    )
    yield from _node_keywords(spec, pointer, schema, seen)


def _node_keywords(
    spec: Spec, pointer: str, schema: Any, seen: frozenset[str]
) -> Iterator[tuple[str, str]]:
    if isinstance(schema, dict) and "$ref" in schema:
        yield from _keywords(spec, schema["$ref"], seen)
        return
    if not isinstance(schema, dict):
        return
    for keyword in RESTRICTING:
        if keyword in schema and not _permits(schema, keyword):
            yield pointer, keyword
    if schema.get("additionalProperties") is True:
        yield pointer, "additionalProperties+"
    for name, sub in schema.get("properties", {}).items():
        yield from _node_keywords(spec, f"{pointer}/properties/{name}", sub, seen)
    if isinstance(schema.get("items"), dict):
        yield from _node_keywords(spec, f"{pointer}/items", schema["items"], seen)
    for union in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(schema.get(union, [])):
            yield from _node_keywords(spec, f"{pointer}/{union}/{i}", sub, seen)
    for branch in ("then", "else"):
        if branch in schema:
            yield from _node_keywords(spec, f"{pointer}/{branch}", schema[branch], seen)


def _permits(schema: Mapping[str, Any], keyword: str) -> bool:
    """A keyword that restricts nothing: ``additionalProperties: true``."""
    return keyword == "additionalProperties" and schema[keyword] is True


def _x_rules(spec: Spec) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
    """(where, rule, the checks that enforce it, a note) for each ``x-`` rule in use."""
    create = spec.submission()
    echo_rules = create.echo.rules if create.echo is not None else ()

    def echo_id(rule: Any) -> str:
        scope = "poll" if rule.optional else "response"
        return f"{scope}.{rule.property.replace('_', '-')}"

    for op in spec.operations:
        for key in op.extensions:
            if not key.startswith("x-"):
                continue
            ids: tuple[str, ...] = ()
            note = ""
            if key == "x-echo" and op is create:
                ids = tuple(echo_id(rule) for rule in echo_rules)
            elif key == "x-upstream" and op is create:
                ids = tuple(echo_id(r) for r in echo_rules if r.source == "upstream")
                note = "seen only where x-echo repeats the forwarded payload; the rest is mock-only"
            yield op.operation_id, key, ids, note or CLIENT_ONLY.get(key, "")
    names: set[str] = set()
    for op in spec.operations:
        for name in (op.body_schema, op.success_schema, op.error_schema):
            if name:
                names |= _components_from(spec, name)
    for name in sorted(names):
        for where, key in _schema_x_keys(spec.component(name), name):
            ids = ()
            note = CLIENT_ONLY.get(key, "")
            if key == "x-equal-properties":
                pairs = spec.equal_properties(name).pairs
                ids = tuple(f"response.{left.replace('_', '-')}" for left, _ in pairs)
            elif key == "x-lifecycle":
                lifecycle = spec.lifecycle(name)
                if lifecycle is not None:
                    ids = (checks.POLL_FORWARD, f"response.{lifecycle.property}")
            elif key == "x-invariants":
                known = {check.id for check in checks.registry(spec).checks}
                invariants = (
                    checks.POLL_IMMUTABLE,
                    checks.POLL_TIME_ORDER,
                    checks.POLL_AFTER_SUBMISSION,
                    checks.POLL_UNIQUE_ID,
                )
                ids = tuple(check for check in invariants if check in known)
            elif key == "x-error-fields":
                note = "every refusal's error body"
            yield where, key, ids, note


def _components_from(spec: Spec, name: str) -> set[str]:
    """``name`` and every component its schema refers to."""
    found: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found or current not in spec.schemas:
            continue
        found.add(current)
        todo += list(_refs(spec.component(current)))
    return found


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        target = schema.get("$ref")
        if isinstance(target, str) and target.startswith(SCHEMA_PREFIX):
            yield target[len(SCHEMA_PREFIX) :]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _schema_x_keys(schema: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, key) for each ``x-`` key in ``schema`` and beneath it (not through ``$ref``)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key.startswith("x-"):
                yield where, key
            elif isinstance(value, dict | list) and key not in (
                "examples",
                "example",
                "enum",
                "const",
            ):
                inner = f"{where}.{key}" if key not in ("properties",) else where
                yield from _schema_x_keys(value, inner)
    elif isinstance(schema, list):
        for value in schema:
            yield from _schema_x_keys(value, where)


def table(rows: list[Row]) -> list[str]:
    """The rows as text: one line per rule."""
    lines = [f"{'rule':<62} {'refusals':<18} {'acceptances':<18} verdict"]
    for row in rows:
        name = f"{row.kind} {row.where} {row.keyword}"
        refusals = _counts(row.refused) if row.kind != "x" else "-"
        accepted = _counts(row.accepted)
        if row.kind == "x" and row.refused:
            refusals, accepted = _counts(row.refused), "-"
        elif row.kind == "x":
            accepted = f"{sum(row.accepted.values())} checks: {_counts(row.accepted)}"
        verdict = row.verdict.upper()
        lines.append(
            f"{name:<62} {refusals:<18} {accepted:<18} {verdict}"
            + (f" ({row.note})" if row.note else "")
        )
    return lines


def untested(rows: list[Row]) -> list[Row]:
    """The rows no case reached."""
    return [row for row in rows if row.untested]
