"""The oracle: ``jsonschema`` Draft 2020-12, with ECMA-262 patterns and the validating ``x-`` rules.

``ContractValidator`` is the client's view: it also enforces ``x-exclusive``,
which the client refuses but the server accepts (and loses data with);
``ServerValidator`` is the server's view, without it.

It never imports the generated package or the generator: patterns run on
``regress`` (an ECMA-262 engine), not on the generator's translation to
Python's ``re``, so a bug in the generator cannot hide behind the same bug
in the oracle.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

import jsonschema
import regress
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from tests.contract import spec as spec_module
from tests.contract.rules import EqualProperties, Exclusive
from tests.contract.spec import Spec, ref, resolve_in


@cache
def _regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether ECMA-262 ``pattern`` finds a match in ``text`` (unanchored, as JSON Schema says)."""
    return _regex(pattern).find(text) is not None


def _ecma_pattern(
    validator: Any, pattern: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not pattern_matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _equal_properties(
    validator: Any, pairs: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    for left, right in EqualProperties.from_spec(pairs).broken(instance):
        yield ValidationError(f"{left} {instance[left]!r} != {right} {instance[right]!r}")


def _exclusive(
    validator: Any, groups: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    for present in Exclusive.from_spec(groups).broken(instance):
        yield ValidationError(f"{' and '.join(present)} must not be sent together")


# The stubs leave ``extend`` untyped; it returns a validator class.
_extend: Callable[..., type[Validator]] = jsonschema.validators.extend
ServerValidator = _extend(
    Draft202012Validator,
    {"pattern": _ecma_pattern, "x-equal-properties": _equal_properties},
)
ContractValidator = _extend(ServerValidator, {"x-exclusive": _exclusive})


def _spec(spec: Spec | None) -> Spec:
    return spec if spec is not None else spec_module.load()


def validator_for(schema: Any, spec: Spec | None = None) -> Validator:
    """A validator for a raw schema whose ``$ref`` point into the spec's components."""
    components = dict(_spec(spec).components)
    if isinstance(schema, bool):
        schema = {} if schema else {"not": {}}
    return ContractValidator({**schema, "components": components})


@cache
def _validator(name: str, spec: Spec) -> Validator:
    return validator_for(ref(name), spec)


def schema_errors(name: str, value: Any, spec: Spec | None = None) -> list[ValidationError]:
    """Every way ``value`` breaks component schema ``name``, by the oracle."""
    return list(_validator(name, _spec(spec)).iter_errors(value))


def is_valid(name: str, value: Any, spec: Spec | None = None) -> bool:
    """Whether ``value`` satisfies component schema ``name``, by the oracle."""
    return _validator(name, _spec(spec)).is_valid(value)


def error_path(error: ValidationError) -> str:
    """A jsonschema error's instance path written like the generated package writes it."""
    path = ""
    for part in error.absolute_path:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return path


def relaxed_validator(
    name: str, relaxations: Sequence[Sequence[str]], spec: Spec | None = None
) -> Validator:
    """The server's validator for component ``name``, some rules switched off (to break a mock).

    Each relaxation is ``["validation", field]`` (accept anything at ``field``)
    or ``["required", field]`` (stop requiring it); fields are like
    ``metadata.content[].role`` and apply in every union branch.
    """
    components = copy.deepcopy(dict(_spec(spec).components))
    schemas = components["schemas"]
    root = _inlined(schemas, ref(name))
    for kind, field in relaxations:
        parent, _, last = field.rpartition(".")
        for node in _nodes_at(schemas, root, parent):
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
    return ServerValidator({**root, "components": components})


def _nodes_at(schemas: dict[str, Any], schema: Any, path: str) -> list[dict[str, Any]]:
    """The object schemas (in every union branch) that hold the properties at ``path``.

    Shared components met on the way are copied into place first, so relaxing
    ``content[].image_url.url`` leaves the ``url`` of other media types alone.
    """
    nodes = _expand(schema)
    for step in [s for s in path.split(".") if s]:
        name, is_item = (step[:-2], True) if step.endswith("[]") else (step, False)
        following = []
        for node in nodes:
            properties = node.get("properties", {})
            if name not in properties:
                continue
            holder, key = (properties[name], "items") if is_item else (properties, name)
            holder[key] = _inlined(schemas, holder[key])
            following += _expand(holder[key])
        nodes = following
    return nodes


def _inlined(schemas: dict[str, Any], schema: Any) -> Any:
    """A private copy of ``schema`` with its top-level ``$ref`` (and branch refs) resolved."""
    schema = copy.deepcopy(resolve_in(schemas, schema))
    for union in ("oneOf", "anyOf"):
        if isinstance(schema, dict) and union in schema:
            schema[union] = [_inlined(schemas, branch) for branch in schema[union]]
    return schema


def _expand(schema: Any) -> list[dict[str, Any]]:
    """``schema`` itself, or each of its union branches."""
    if not isinstance(schema, dict):
        return []
    branches = schema.get("oneOf", []) + schema.get("anyOf", [])
    if branches and "properties" not in schema:
        return [n for branch in branches for n in _expand(branch)]
    return [schema]
