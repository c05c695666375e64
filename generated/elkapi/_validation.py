# Runtime of the generated package: codegen copies this file in unchanged.
"""JSON Schema (2020-12) validation for the keywords the spec uses.

The generated package holds its schemas as plain data; their patterns were
translated from ECMA-262 to Python ``re`` when it was generated. Each broken rule
becomes a :class:`FieldError` naming the field path, the rule and the value.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._printable import printable

Schema = Mapping[str, Any]
Direction = Literal["request", "response"]

_NUMBER_RULES = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_STRING_RULES = ("minLength", "maxLength", "pattern")
_TYPE_NAMES = {
    "null": "null",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
}
_SHOWN_CHARACTERS = 60


@dataclass(frozen=True)
class FieldError:
    """One broken rule: ``path`` is like ``metadata.content[0].role``."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(body)'}: {self.message}"


def json_type_of(value: object) -> str | None:
    """The JSON Schema type of ``value`` ("integer" before "number"), or None if not JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


def json_equal(left: object, right: object) -> bool:
    """JSON equality: ``1 == 1.0`` but ``True != 1``; containers compare deeply."""
    if type(left) is str:  # the common case (ids, tags), decided before the others
        return type(right) is str and left == right
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def show(value: object) -> str:
    """A short JSON rendering of ``value`` for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        text = f"<{type(value).__name__}>"
    # JSON escapes the C0 controls; printable escapes the rest (DEL, C1, bidi) and cuts it.
    return printable(text, _SHOWN_CHARACTERS)


def child_path(path: str, key: str | int) -> str:
    """The path of ``key`` below ``path``: ``a.b``, ``a[0]`` or ``a["odd key"]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def json_errors(value: object, path: str = "") -> Iterator[FieldError]:
    """Errors for anything in ``value`` that JSON cannot carry (sets, NaN, non-string keys)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield FieldError(path, "json", f"must be a finite number (got {value!r})")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_errors(item, child_path(path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield FieldError(path, "json", f"keys must be strings (got {key!r})")
            else:
                yield from json_errors(item, child_path(path, key))
    elif json_type_of(value) is None:
        yield FieldError(path, "json", f"must be a JSON value (got {show(value)})")


def is_json(value: object) -> bool:
    """Whether ``value`` is JSON data: what :func:`json_errors` finds nothing wrong in."""
    if isinstance(value, (str, bool, int)) or value is None:
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(map(is_json, value))
    if isinstance(value, dict):
        return all(isinstance(key, str) and is_json(item) for key, item in value.items())
    return False


class Validator:
    """Validates JSON values against the named schemas of one spec."""

    def __init__(
        self,
        schemas: Mapping[str, Schema],
        patterns: Mapping[str, str],
        direction: Direction | None = None,
    ) -> None:
        self._schemas = schemas
        self._patterns = {source: re.compile(python) for source, python in patterns.items()}
        self._direction = direction

    @functools.cached_property
    def for_requests(self) -> Validator:
        """The validator for what a client sends: a ``readOnly`` property is refused, not required.

        JSON Schema's ``readOnly`` says the server owns the value: a request
        that sets it would be ignored or refused.
        """
        return self._directed("request")

    @functools.cached_property
    def for_responses(self) -> Validator:
        """The validator for what a server returns: a ``writeOnly`` property is not required.

        JSON Schema's ``writeOnly`` says the value is never returned.
        """
        return self._directed("response")

    def _directed(self, direction: Direction) -> Validator:
        view = copy.copy(self)
        view.__dict__.pop("for_requests", None)
        view.__dict__.pop("for_responses", None)
        view._direction = direction
        return view

    def _exempt(self, schema: object) -> bool:
        """Whether a property with ``schema`` is not required in this direction."""
        return self._direction is not None and self._flagged(schema, _ONLY[self._direction])

    def _flagged(self, schema: object, flag: str) -> bool:
        """Whether ``schema`` (or the schema it refers to) says ``flag: true``."""
        while isinstance(schema, Mapping):
            if schema.get(flag) is True:
                return True
            schema = self._schemas.get(schema["$ref"]) if "$ref" in schema else None
        return False

    def errors(self, schema: Schema | bool, value: object, path: str = "") -> list[FieldError]:
        """Every rule of ``schema`` that ``value`` breaks (empty when valid)."""
        return list(self._errors(schema, value, path, None))

    def lenient_errors(
        self, schema: Schema | bool, value: object, path: str = ""
    ) -> tuple[list[FieldError], list[FieldError]]:
        """The rules ``value`` breaks, read leniently: ``(errors, tolerated)``.

        Tolerated, not errors: a value outside an ``enum`` or ``const`` that has
        the JSON type the keyword's own values have (a status the spec does not
        list yet), and a property that ``additionalProperties: false`` forbids.
        Everything else is an error as in :meth:`errors`: a missing required
        property, a wrong type, a range. Conditions (``if``, ``not``) and the
        choice of a union's branch are judged strictly; a union none of whose
        branches matches is accepted when exactly one branch matches leniently
        and no ``discriminator`` names the branches.
        """
        tolerated: list[FieldError] = []
        errors = list(self._errors(schema, value, path, tolerated))
        return errors, tolerated

    def is_valid(self, schema: Schema | bool, value: object) -> bool:
        """Whether ``value`` satisfies ``schema``; stops at the first broken rule."""
        return next(self._errors(schema, value, "", None), None) is None

    def resolve(self, schema: Schema) -> Schema:
        """Follow ``$ref`` until a schema without one (siblings of ``$ref`` are dropped)."""
        while "$ref" in schema:
            schema = self._schemas[schema["$ref"]]
        return schema

    def describe(self, schema: Schema | bool) -> str:
        """What a value must be, in words: ``an integer from 4 to 15, or -1``."""
        if isinstance(schema, bool):
            return "any value" if schema else "absent"
        if "x-expect" in schema:
            return str(schema["x-expect"])
        if "$ref" in schema and len(schema) == 1:
            return self.describe(self._schemas[schema["$ref"]])
        if "const" in schema:
            return show(schema["const"])
        if "enum" in schema:
            return "one of " + ", ".join(show(v) for v in schema["enum"])
        for union in ("oneOf", "anyOf"):
            if union in schema:
                return _join_or([self._branch_words(branch) for branch in schema[union]])
        return self._scalar_words(schema)

    def _branch_words(self, branch: Schema | bool) -> str:
        if isinstance(branch, Mapping) and "title" in branch and "x-expect" not in branch:
            return str(branch["title"])
        return self.describe(branch)

    def _scalar_words(self, schema: Schema) -> str:
        types = schema.get("type")
        if types is None:
            return "a valid value" if "$ref" in schema else "any value"
        names = [types] if isinstance(types, str) else list(types)
        words = _join_or([_TYPE_NAMES[name] for name in names])
        if names in (["integer"], ["number"]):
            return words + _range_words(schema)
        if names == ["string"]:
            return _string_words(schema)
        if names == ["array"]:
            return words + _count_words(schema, "minItems", "maxItems", "item")
        return words

    def _errors(
        self,
        schema: Schema | bool,
        value: object,
        path: str,
        tolerated: list[FieldError] | None,
    ) -> Iterator[FieldError]:
        """The broken rules; when ``tolerated`` is a list, lenient ones go there instead."""
        if schema is True:
            return
        if schema is False:
            yield FieldError(path, "false", f"is not allowed (got {show(value)})")
            return
        assert not isinstance(schema, bool)
        rule = self._broken_value_rule(schema, value)
        if rule in ("const", "enum") and tolerated is not None and _same_type(schema, value):
            message = f"must be {self.describe(schema)} (got {show(value)})"
            tolerated.append(FieldError(path, rule, message))
            rule = self._broken_value_rule(schema, value, values=False)
        if rule is not None:
            yield FieldError(path, rule, f"must be {self.describe(schema)} (got {show(value)})")
            return
        if "$ref" in schema:
            yield from self._errors(self._schemas[schema["$ref"]], value, path, tolerated)
        if isinstance(value, dict):
            yield from self._object_errors(schema, value, path, tolerated)
        elif isinstance(value, list):
            yield from self._array_errors(schema, value, path, tolerated)
        yield from self._combinator_errors(schema, value, path, tolerated)

    def _broken_value_rule(self, schema: Schema, value: object, values: bool = True) -> str | None:
        """The first rule on ``value`` itself (not its parts) that it breaks.

        ``values=False`` skips ``const`` and ``enum``.
        """
        kind = json_type_of(value)
        types = schema.get("type")
        if types is not None:
            allowed = {types} if isinstance(types, str) else set(types)
            if kind not in allowed and not (kind == "integer" and "number" in allowed):
                return "type"
        if values and "const" in schema and not json_equal(value, schema["const"]):
            return "const"
        if values and "enum" in schema and not any(json_equal(value, v) for v in schema["enum"]):
            return "enum"
        if kind in ("integer", "number"):
            assert isinstance(value, (int, float))
            return next(
                (r for r in _NUMBER_RULES if r in schema and _breaks(r, schema[r], value)), None
            )
        if isinstance(value, str):
            return next(
                (
                    r
                    for r in _STRING_RULES
                    if r in schema and self._breaks_string(r, schema[r], value)
                ),
                None,
            )
        return None

    def _breaks_string(self, rule: str, limit: Any, value: str) -> bool:
        if rule == "pattern":
            return self._patterns[limit].search(value) is None
        return len(value) < int(limit) if rule == "minLength" else len(value) > int(limit)

    def _object_errors(
        self,
        schema: Schema,
        value: dict[str, Any],
        path: str,
        tolerated: list[FieldError] | None,
    ) -> Iterator[FieldError]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value and not self._exempt(properties.get(name)):
                yield FieldError(child_path(path, name), "required", "is required")
        for name, item in value.items():
            if (
                name in properties
                and self._direction == "request"
                and self._flagged(properties[name], "readOnly")
            ):
                message = "is read-only: the server sets it, and a request must not send it"
                yield FieldError(child_path(path, name), "readOnly", message)
            elif name in properties:
                yield from self._errors(properties[name], item, child_path(path, name), tolerated)
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    unknown = FieldError(
                        child_path(path, name), "additionalProperties", "is not an allowed field"
                    )
                    if tolerated is None:
                        yield unknown
                    else:
                        tolerated.append(unknown)
                else:
                    yield from self._errors(extra, item, child_path(path, name), tolerated)
        for rule, words in (("minProperties", "at least"), ("maxProperties", "at most")):
            if rule in schema and _breaks(rule, schema[rule], len(value)):
                yield FieldError(
                    path, rule, f"must have {words} {schema[rule]} fields (got {len(value)})"
                )
        for left, right in schema.get("x-equal-properties", ()):
            if left in value and right in value and not json_equal(value[left], value[right]):
                message = (
                    f"must equal {right} (got {show(value[left])}, {right} is {show(value[right])})"
                )
                yield FieldError(child_path(path, left), "x-equal-properties", message)
        for rule in schema.get("x-exclusive", ()):
            yield from _exclusive_errors(rule, value, path)

    def _array_errors(
        self,
        schema: Schema,
        value: list[Any],
        path: str,
        tolerated: list[FieldError] | None,
    ) -> Iterator[FieldError]:
        for rule, words in (("minItems", "at least"), ("maxItems", "at most")):
            if rule in schema and _breaks(rule, schema[rule], len(value)):
                yield FieldError(
                    path, rule, f"must have {words} {schema[rule]} items (got {len(value)})"
                )
        if schema.get("uniqueItems") and has_duplicates(value):
            yield FieldError(path, "uniqueItems", "must not repeat an item")
        if "items" in schema:
            for index, item in enumerate(value):
                yield from self._errors(schema["items"], item, child_path(path, index), tolerated)

    def _combinator_errors(
        self,
        schema: Schema,
        value: object,
        path: str,
        tolerated: list[FieldError] | None,
    ) -> Iterator[FieldError]:
        for branch in schema.get("allOf", ()):
            yield from self._errors(branch, value, path, tolerated)
        if "if" in schema:
            branch = schema.get("then" if self.is_valid(schema["if"], value) else "else", True)
            yield from self._errors(branch, value, path, tolerated)
        if "not" in schema and self.is_valid(schema["not"], value):
            yield FieldError(
                path, "not", f"must not be {self.describe(schema['not'])} (got {show(value)})"
            )
        if (
            "anyOf" in schema
            and not any(self.is_valid(b, value) for b in schema["anyOf"])
            and not self._lenient_branch(schema, "anyOf", value, path, tolerated)
        ):
            yield from self._union_errors(schema, "anyOf", value, path)
        if "oneOf" in schema:
            matches = sum(self.is_valid(b, value) for b in schema["oneOf"])
            if matches > 1:
                yield FieldError(
                    path, "oneOf", f"matches {matches} alternatives, where exactly one must match"
                )
            elif matches == 0 and not self._lenient_branch(schema, "oneOf", value, path, tolerated):
                yield from self._union_errors(schema, "oneOf", value, path)

    def _lenient_branch(
        self,
        schema: Schema,
        rule: str,
        value: object,
        path: str,
        tolerated: list[FieldError] | None,
    ) -> bool:
        """Whether exactly one branch of an untagged union accepts ``value`` leniently.

        If so, what that branch tolerated joins ``tolerated``.
        """
        if tolerated is None or "discriminator" in schema:
            return False
        accepted = []
        for branch in schema[rule]:
            found: list[FieldError] = []
            if next(self._errors(branch, value, path, found), None) is None:
                accepted.append(found)
        if len(accepted) != 1:
            return False
        tolerated.extend(accepted[0])
        return True

    def _union_errors(
        self, schema: Schema, rule: str, value: object, path: str
    ) -> Iterator[FieldError]:
        """Explain a union no branch accepted, through its tag when it has one."""
        tag = self._tag(schema, schema[rule])
        if tag is None or not isinstance(value, dict):
            yield FieldError(path, rule, f"must be {self.describe(schema)} (got {show(value)})")
            return
        name, branches = tag
        tag_path = child_path(path, name)
        if name not in value:
            yield FieldError(tag_path, "required", "is required")
        elif isinstance(value[name], str) and value[name] in branches:
            yield from self._errors(branches[value[name]], value, path, None)
        else:
            words = "one of " + ", ".join(show(t) for t in branches)
            yield FieldError(
                tag_path, "discriminator", f"must be {words} (got {show(value[name])})"
            )

    def _tag(
        self, schema: Schema, branches: Sequence[Schema | bool]
    ) -> tuple[str, dict[str, Schema]] | None:
        """The tag property and its branch per value, from a discriminator or const tags."""
        if "discriminator" in schema:
            # Without a mapping, OpenAPI uses each branch's schema name as its tag.
            refs = [b["$ref"] for b in branches if isinstance(b, Mapping) and "$ref" in b]
            mapping = schema["discriminator"].get("mapping") or {name: name for name in refs}
            return schema["discriminator"]["propertyName"], {
                t: {"$ref": n} for t, n in mapping.items()
            }
        resolved = [self.resolve(b) if isinstance(b, Mapping) else {} for b in branches]
        for name in resolved[0].get("properties", {}) if resolved else ():
            tags = [r.get("properties", {}).get(name, {}) for r in resolved]
            if all(isinstance(t, Mapping) and isinstance(t.get("const"), str) for t in tags):
                return name, {
                    t["const"]: b
                    for t, b in zip(tags, branches, strict=True)
                    if isinstance(b, Mapping)
                }
        return None


_ONLY: dict[Direction, str] = {"request": "readOnly", "response": "writeOnly"}
"""The flag that exempts a required property from being present, by direction."""


def _same_type(schema: Schema, value: object) -> bool:
    """Whether ``value`` has a JSON type that ``schema``'s ``const`` or ``enum`` values have.

    With a ``type`` keyword, the value has already passed it.
    """
    if "type" in schema:
        return True
    options = [schema["const"]] if "const" in schema else list(schema.get("enum", ()))
    numeric = ("integer", "number")
    kinds = {"number" if json_type_of(o) in numeric else json_type_of(o) for o in options}
    kind = json_type_of(value)
    return ("number" if kind in numeric else kind) in kinds


def _breaks(rule: str, limit: float, value: float) -> bool:
    if rule in ("minimum", "minItems", "minProperties"):
        return value < limit
    if rule in ("maximum", "maxItems", "maxProperties"):
        return value > limit
    if rule == "exclusiveMinimum":
        return value <= limit
    return value >= limit


def has_duplicates(items: list[Any]) -> bool:
    """Whether two items of ``items`` are equal as JSON values (``uniqueItems``)."""
    return any(json_equal(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


def _join_or(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + ", or " + words[-1]


def _number(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else str(limit)


def _range_words(schema: Schema) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" from {_number(low)} to {_number(high)}"
    parts = []
    if low is not None:
        parts.append(f"at least {_number(low)}")
    if "exclusiveMinimum" in schema:
        parts.append(f"greater than {_number(schema['exclusiveMinimum'])}")
    if high is not None:
        parts.append(f"at most {_number(high)}")
    if "exclusiveMaximum" in schema:
        parts.append(f"less than {_number(schema['exclusiveMaximum'])}")
    return (" " + " and ".join(parts)) if parts else ""


def _count_words(schema: Schema, low_rule: str, high_rule: str, noun: str) -> str:
    low, high = schema.get(low_rule), schema.get(high_rule)
    if low is None and high is None:
        return ""
    if high is None:
        return f" of at least {low} {noun}{'s' if low != 1 else ''}"
    if low is None:
        return f" of at most {high} {noun}s"
    return f" of {low} to {high} {noun}s"


def _string_words(schema: Schema) -> str:
    words = (
        "a non-empty string"
        if schema.get("minLength") == 1 and "maxLength" not in schema
        else "a string"
    )
    if words == "a string":
        words += _count_words(schema, "minLength", "maxLength", "character")
    if "pattern" in schema:
        words += f" matching /{schema['pattern']}/"
    return words


def _exclusive_errors(rule: Schema, value: dict[str, Any], path: str) -> Iterator[FieldError]:
    """``x-exclusive``: at most one of the fields at ``rule["fields"]`` (JSON pointers) is set."""
    present = [keys for keys in map(pointer_keys, rule["fields"]) if _has(value, keys)]
    if len(present) < 2:
        return
    first, *others = (_dotted(path, keys) for keys in present)
    together = " and ".join(others)
    message = f"must not be sent together with {together}: {rule['reason']}"
    yield FieldError(first, "x-exclusive", message)


def pointer_keys(pointer: str) -> list[str]:
    """The keys of a JSON pointer, unescaped: ``/a~1b/c`` -> ``["a/b", "c"]``."""
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


def _has(value: Any, keys: list[str]) -> bool:
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


def _dotted(path: str, keys: list[str]) -> str:
    for key in keys:
        path = child_path(path, key)
    return path
