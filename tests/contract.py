"""The contract, read from the spec: the test-side oracle the generated code is checked against.

Nothing here imports the generated package or the generator: request and
response rules come from ``jsonschema`` (with ECMA-262 patterns through
``regress``) and from the spec's ``x-`` extensions, interpreted here on their
own, so a bug in the generator cannot hide behind the same bug in the oracle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import regress
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "openapi.yaml"
SCHEMA_PREFIX = "#/components/schemas/"
_MISSING = object()


@cache
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The spec as parsed YAML (cached; treat as read-only)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@cache
def _regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and _regex(pattern).find(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON sees it: booleans are not numbers, 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


def _equal_properties(
    validator: Any, pairs: list[list[str]], instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for left, right in pairs:
        if (
            left in instance
            and right in instance
            and not json_equal(instance[left], instance[right])
        ):
            yield ValidationError(f"{left} {instance[left]!r} != {right} {instance[right]!r}")


# Draft 2020-12 with two changes: `pattern` is ECMA-262 (regress, not Python's
# re) and the spec's `x-equal-properties` keyword is enforced.
ContractValidator = jsonschema.validators.extend(
    Draft202012Validator,
    {"pattern": _ecma_pattern, "x-equal-properties": _equal_properties},
)


def ref(name: str) -> dict[str, Any]:
    """A schema that refers to component ``name``."""
    return {"$ref": SCHEMA_PREFIX + name}


@cache
def _validator(name: str, spec_path: Path = SPEC_PATH) -> Any:
    spec = load_spec(spec_path)
    return ContractValidator({**ref(name), "components": spec["components"]})


def relaxed_validator(name: str, relaxations: list[list[str]]) -> Any:
    """A validator for component ``name`` with some rules switched off (for breaking a mock).

    Each relaxation is ``["validation", field]`` (accept anything at ``field``)
    or ``["required", field]`` (stop requiring it); fields are like
    ``metadata.content[].role`` and apply in every union branch.
    """
    components = copy.deepcopy(load_spec()["components"])
    root = _inlined(components, ref(name))
    for kind, field in relaxations:
        parent, _, last = field.rpartition(".")
        for node in _nodes_at(components, root, parent):
            if kind == "required" and last in node.get("required", []):
                node["required"] = [r for r in node["required"] if r != last]
            elif (
                kind == "validation"
                and last.endswith("[]")
                and last[:-2] in node.get("properties", {})
            ):
                node["properties"][last[:-2]] = {"type": "array"}
            elif kind == "validation" and last in node.get("properties", {}):
                node["properties"][last] = True
    return ContractValidator({**root, "components": components})


def _nodes_at(
    components: dict[str, Any], schema: dict[str, Any], path: str
) -> list[dict[str, Any]]:
    """The object schemas (in every union branch) that hold the properties at ``path``.

    Shared components met on the way are copied into place first, so relaxing
    ``content[].image_url.url`` leaves the ``url`` of other media types alone.
    """
    nodes = _expand(components, schema)
    for step in [s for s in path.split(".") if s]:
        name, is_item = (step[:-2], True) if step.endswith("[]") else (step, False)
        following = []
        for node in nodes:
            properties = node.get("properties", {})
            if name not in properties:
                continue
            holder, key = (properties[name], "items") if is_item else (properties, name)
            holder[key] = _inlined(components, holder[key])
            following += _expand(components, holder[key])
        nodes = following
    return nodes


def _inlined(components: dict[str, Any], schema: Any) -> Any:
    """A private copy of ``schema`` with its top-level ``$ref`` (and branch refs) resolved."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components["schemas"][schema["$ref"][len(SCHEMA_PREFIX) :]]
    schema = copy.deepcopy(schema)
    for union in ("oneOf", "anyOf"):
        if isinstance(schema, dict) and union in schema:
            schema[union] = [_inlined(components, branch) for branch in schema[union]]
    return schema


def _expand(components: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """``schema`` itself, or each of its union branches."""
    if not isinstance(schema, dict):
        return []
    branches = schema.get("oneOf", []) + schema.get("anyOf", [])
    if branches and "properties" not in schema:
        return [n for branch in branches for n in _expand(components, branch)]
    return [schema]


def schema_errors(name: str, value: Any, spec_path: Path = SPEC_PATH) -> list[ValidationError]:
    """Every way ``value`` breaks component schema ``name``, by the oracle."""
    return list(_validator(name, spec_path).iter_errors(value))


def is_valid(name: str, value: Any, spec_path: Path = SPEC_PATH) -> bool:
    """Whether ``value`` satisfies component schema ``name``, by the oracle."""
    return bool(_validator(name, spec_path).is_valid(value))


def error_path(error: ValidationError) -> str:
    """A jsonschema error's instance path written like the generated package writes it."""
    path = ""
    for part in error.absolute_path:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return path


@dataclass(frozen=True)
class OperationInfo:
    """The facts of one operation the tests need."""

    operation_id: str
    method: str
    path: str
    raw: dict[str, Any]

    @property
    def body_schema(self) -> str | None:
        """The component name of the JSON body, if any."""
        content = self.raw.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        target = schema.get("$ref", "")
        return target[len(SCHEMA_PREFIX) :] if target.startswith(SCHEMA_PREFIX) else None

    def success_schema(self) -> str:
        """The component name of the 200 response."""
        schema = self.raw["responses"]["200"]["content"]["application/json"]["schema"]
        return str(schema["$ref"][len(SCHEMA_PREFIX) :])

    def examples(self, where: str = "request") -> dict[str, Any]:
        """The documented examples of the request body or the 200 response, by name."""
        if where == "request":
            media = self.raw["requestBody"]["content"]["application/json"]
        else:
            media = self.raw["responses"]["200"]["content"]["application/json"]
        return {name: example["value"] for name, example in media.get("examples", {}).items()}


def operation(operation_id: str, spec_path: Path = SPEC_PATH) -> OperationInfo:
    """Find an operation of the spec by its operationId."""
    for path, item in load_spec(spec_path)["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return OperationInfo(operation_id, method.upper(), path, op)
    raise KeyError(operation_id)


def component(name: str) -> dict[str, Any]:
    """The raw component schema ``name``."""
    schema = load_spec()["components"]["schemas"][name]
    assert isinstance(schema, dict)
    return schema


def pointer_get(document: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer``, or ``MISSING``."""
    node = document
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


MISSING = _MISSING


def _pointer_set(document: dict[str, Any], pointer: str, value: Any) -> None:
    parts = pointer.split("/")[1:]
    node = document
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _fill(template: Any, value: Any) -> Any:
    if template == "{value}":
        return value
    if isinstance(template, dict):
        return {key: _fill(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, value) for item in template]
    return template


def _convert(value: Any, kind: str | None) -> Any:
    if kind == "integer":
        return int(value)
    if kind == "string":
        return str(value)
    return value


def upstream_payload(steps: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """Apply the ``x-upstream`` steps to a request body: the payload the gateway forwards."""
    payload: dict[str, Any] = {}
    for step in steps:
        if "merge" in step:
            source = pointer_get(body, step["merge"])
            if isinstance(source, dict):
                payload.update(copy.deepcopy(source))
            continue
        if "concat" in step:
            value = _concat(step["concat"], body)
        else:
            value = pointer_get(body, step["from"])
            if value is _MISSING:
                continue
            value = _convert(value, step.get("convert"))
        _pointer_set(payload, step["set"], value)
    return payload


def _concat(parts: list[dict[str, Any]], body: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    for part in parts:
        source = pointer_get(body, part["from"])
        if source is _MISSING:
            continue
        if "each" in part:
            items.extend(_fill(part["each"], value) for value in source)
        elif "item" in part:
            items.append(_fill(part["item"], source))
        else:
            items.extend(copy.deepcopy(source))
    return items


def echo_expectations(
    rules: Mapping[str, Any], request: dict[str, Any], upstream: dict[str, Any]
) -> dict[str, Any]:
    """What each ``x-echo`` property must be, given what was sent (omitted when unknowable)."""
    sources = {"request": request, "upstream": upstream}
    expected: dict[str, Any] = {}
    for name, rule in rules.get("properties", {}).items():
        value = pointer_get(sources[rule["from"]], rule["pointer"])
        if value is _MISSING or value in rule.get("unless", []):
            continue
        expected[name] = _convert(value, rule.get("as"))
    return expected


@dataclass(frozen=True)
class Lifecycle:
    """The ``x-lifecycle`` of a model: which status may follow which."""

    property: str
    progress: str | None
    initial: str
    transitions: dict[str, list[str]]

    @classmethod
    def of(cls, schema_name: str) -> Lifecycle:
        """Read the lifecycle declared on component ``schema_name``."""
        raw = component(schema_name)["x-lifecycle"]
        return cls(raw["property"], raw.get("progress"), raw["initial"], raw["transitions"])

    @property
    def terminal(self) -> tuple[str, ...]:
        """States with no way out."""
        return tuple(state for state, following in self.transitions.items() if not following)

    def reachable(self, start: str) -> set[str]:
        """``start`` and every state reachable from it."""
        seen, stack = {start}, [start]
        while stack:
            for following in self.transitions.get(stack.pop(), []):
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
