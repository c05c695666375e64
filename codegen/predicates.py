"""Compile the schemas the package validates into plain Python predicates (``_checks.py``).

The generated package keeps its schemas as data (``_spec.py``) for the
interpreted :class:`Validator`, which explains a broken rule precisely (field
path, rule, value). Explaining is only needed when a value is wrong; deciding
whether it is wrong is the hot path. This module turns each schema into a
predicate, ``is_<name>_in_<direction>(value) -> bool``, written out as
straight-line code: the type first, then required keys, enum membership in a
``frozenset``, lengths and ranges, patterns compiled once at module level
(or, for one that matches a few strings only, a ``frozenset`` of them; for a
negated character class alone, as "not blank" is, ``str.strip`` of the class),
each ``$ref`` a call to the referenced schema's own predicate (recursion is
two functions calling each other) or, for a schema of a type and a few values,
its checks written out in place; the branches of a union tagged by a
required ``const`` property are told apart by that property. The runtime
calls the predicate first and the Validator only when the predicate says no,
so error messages are the Validator's by construction.

A predicate decides exactly what the Validator decides, keyword for keyword
(see ``Validator._errors``): ``readOnly`` / ``writeOnly`` by direction,
integer-valued floats are integers, ``bool`` is not a number, ``enum`` and
``const`` compare as JSON does. A request predicate also refuses what is not
JSON (``json_errors``): a non-string key, a tuple, NaN, where the schema leaves
a value free, so the builder can serialise a body the predicate accepts
without walking it again. Nothing here knows the API: only JSON Schema.

The output is a typed intermediate representation (:class:`Checks`), rendered
by ``templates/_checks.py.jinja``; names and order follow the spec, so the
module is the same byte for byte for the same spec.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from codegen import naming
from codegen.ecma_regex import finite_matches, negated_class

Direction = Literal["request", "response"]
_INDENT = "    "
_NUMBER_LIMITS = {
    "minimum": ">=",
    "maximum": "<=",
    "exclusiveMinimum": ">",
    "exclusiveMaximum": "<",
}
_OBJECT_KEYWORDS = (
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "x-equal-properties",
    "x-exclusive",
)
_ARRAY_KEYWORDS = ("items", "minItems", "maxItems", "uniqueItems")
_COMBINATORS = ("allOf", "anyOf", "oneOf", "not", "if")
# Keywords on a value itself: a schema of only these compiles to one expression.
_VALUE_KEYWORDS = frozenset(
    {"type", "const", "enum", "minLength", "maxLength", "pattern", *_NUMBER_LIMITS}
)
# Read by the Validator for messages or by the parent schema (by direction), never to decide.
_NOT_DECIDING = frozenset(
    {"title", "x-expect", "discriminator", "readOnly", "writeOnly", "then", "else"}
)
_ONLY: dict[Direction, str] = {"request": "readOnly", "response": "writeOnly"}
# Parts written in place inside one another before the next is called instead (Compiler._part).
_MAX_DEPTH = 16
# What an ``if`` schema may say to be written out as one expression (see Compiler._condition).
_SMALL_OBJECT = frozenset({"type", "properties", "required"})


@dataclass(frozen=True)
class Constant:
    """A module-level constant of ``_checks.py``: a compiled pattern or a frozenset."""

    name: str
    source: str


@dataclass(frozen=True)
class Function:
    """One predicate: its name, docstring and body lines (indented relative to the body)."""

    name: str
    doc: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Checks:
    """Everything ``_checks.py`` holds, in the order it is written."""

    constants: tuple[Constant, ...]
    functions: tuple[Function, ...]
    uses_json_equal: bool
    uses_duplicates: bool
    uses_is_json: bool
    uses_isfinite: bool


@dataclass
class Compiler:
    """Compiles schemas (``_spec.py`` form: ``$ref`` by name) into predicates, on demand.

    ``schemas`` are the named components and ``patterns`` maps each ECMA-262
    pattern to its Python translation (``codegen.ecma_regex``, already applied
    by the parser). Ask for predicates with :meth:`named` and :meth:`root`,
    then take the module with :meth:`checks`.
    """

    schemas: Mapping[str, Any]
    patterns: Mapping[str, str]
    _functions: dict[str, Function | None] = field(default_factory=dict)
    _named: dict[tuple[str, Direction], str] = field(default_factory=dict)
    _constants: dict[str, str] = field(default_factory=dict)
    _uses: set[str] = field(default_factory=set)
    _depth: int = 0
    """How many parts are being written in place, one inside the other."""

    def named(self, name: str, direction: Direction) -> str:
        """The predicate of component ``name`` for ``direction``, compiled once."""
        key = (name, direction)
        if key not in self._named:
            function = self._unique(naming.predicate(name, direction))
            self._named[key] = function
            self._functions[function] = None  # claimed first: a recursive $ref calls it
            doc = f"Whether ``value`` satisfies schema ``{name}`` in a {direction}."
            self._define(function, doc, self.schemas[name], direction)
        return self._named[key]

    def root(self, schema: Any, direction: Direction, hint: str) -> str:
        """The predicate of an operation's body or response ``schema``, named after ``hint``."""
        if isinstance(schema, Mapping) and set(schema) == {"$ref"}:
            return self.named(schema["$ref"], direction)
        function = self._unique(naming.predicate(hint, direction))
        self._functions[function] = None
        doc = f"Whether ``value`` satisfies the schema of {hint.replace('_', ' ')}."
        self._define(function, doc, schema, direction)
        return function

    def checks(self) -> Checks:
        """The module compiled so far: constants and functions in order of first use."""
        functions = tuple(f for f in self._functions.values() if f is not None)
        return Checks(
            constants=tuple(Constant(name, source) for source, name in self._constants.items()),
            functions=functions,
            uses_json_equal="json_equal" in self._uses,
            uses_duplicates="has_duplicates" in self._uses,
            uses_is_json="is_json" in self._uses,
            uses_isfinite="isfinite" in self._uses,
        )

    # Functions and names.

    def _unique(self, base: str) -> str:
        name, number = base, 1
        while name in self._functions:
            number += 1
            name = naming.numbered(base, number)
        return name

    def _define(self, name: str, doc: str, schema: Any, direction: Direction) -> None:
        lines = self._statements(schema, "value", direction, name)
        self._functions[name] = Function(name, doc, tuple(lines))

    def _helper(self, schema: Any, direction: Direction, owner: str, part: str) -> str:
        """A private predicate for a part of ``owner``'s schema too big for one expression."""
        name = self._unique(naming.predicate_part(owner, part))
        self._functions[name] = None
        # The part may be any property name: the docstring shows it as an identifier.
        words = naming.schema_part(part).replace("_", " ").strip()
        self._define(name, f"``{owner}``: {words}.", schema, direction)
        return name

    def _constant(self, source: str, prefix: str) -> str:
        if source not in self._constants:
            self._constants[source] = f"_{prefix}_{len(self._constants) + 1}"
        return self._constants[source]

    # Expressions: ``var`` is a Python expression without side effects (a name).

    def _expression(
        self, schema: Any, var: str, direction: Direction, owner: str, part: str
    ) -> str:
        """A boolean expression: whether the value in ``var`` satisfies ``schema``."""
        if schema is False:
            return "False"
        deciding = set() if schema is True else set(schema) - _NOT_DECIDING
        if not deciding:  # any value: in a request, any JSON value
            if direction == "request":
                self._uses.add("is_json")
                return f"is_json({var})"
            return "True"
        if deciding == {"$ref"}:
            target = self.schemas.get(schema["$ref"])
            if isinstance(target, Mapping) and self._plain(target, direction):
                # A type and a few values: cheaper written out here than called.
                return _all(self._value_conditions(target, var, direction))
            return f"{self.named(schema['$ref'], direction)}({var})"
        if self._plain(schema, direction):
            return _all(self._value_conditions(schema, var, direction))
        return f"{self._helper(schema, direction, owner, part)}({var})"

    def _plain(self, schema: Mapping[str, Any], direction: Direction) -> bool:
        """Whether ``schema`` says only what :meth:`_value_conditions` checks, in ``direction``."""
        deciding = set(schema) - _NOT_DECIDING
        if schema.get("additionalProperties") is True:
            # Allows what any object has. (An object in a request is never plain: its
            # properties are checked to be JSON.)
            deciding.discard("additionalProperties")
        containers = {"object", "array"} & set(_types(schema))
        simple = direction == "response" or (self._covers(schema) and not containers)
        return bool(deciding) and deciding <= _VALUE_KEYWORDS and simple

    def _value_conditions(
        self, schema: Mapping[str, Any], var: str, direction: Direction
    ) -> list[str]:
        """What ``var`` must satisfy by ``type``, ``const``, ``enum``, ranges and string rules."""
        conditions: list[str] = []
        types = schema.get("type")
        names = [types] if isinstance(types, str) else list(types or ())
        options = [schema["const"]] if "const" in schema else list(schema.get("enum", [None]))
        if "const" in schema and "enum" in schema:
            options += list(schema["enum"])
        # Equality with a string compares the exact type already: "is a string" adds nothing.
        implied = names == ["string"] and all(isinstance(o, str) for o in options)
        if types is not None and not implied:
            conditions.append(_any([self._type_test(t, var, direction) for t in names]))
        if "const" in schema:
            conditions.append(self._equal_any([schema["const"]], var))
        if "enum" in schema:
            conditions.append(self._equal_any(list(schema["enum"]), var))
        numbers = [
            f"{var} {operator} {schema[rule]!r}"
            for rule, operator in _NUMBER_LIMITS.items()
            if rule in schema
        ]
        lows = [rule for rule in ("minimum", "exclusiveMinimum") if rule in schema]
        highs = [rule for rule in ("maximum", "exclusiveMaximum") if rule in schema]
        if len(lows) == 1 and len(highs) == 1:  # one chained comparison: the value read once
            low, high = lows[0], highs[0]
            below = "<=" if low == "minimum" else "<"
            numbers = [f"{schema[low]!r} {below} {var} {_NUMBER_LIMITS[high]} {schema[high]!r}"]
        if numbers:
            only = types is not None and set(names) <= {"integer", "number"}
            # Every rule holds for a number; a value of another type is not theirs to judge.
            conditions.append(
                _all(numbers) if only else _any([f"not {_number(var)}", _all(numbers)])
            )
        strings = []
        if "minLength" in schema:
            strings.append(f"len({var}) >= {int(schema['minLength'])}")
        if "maxLength" in schema:
            strings.append(f"len({var}) <= {int(schema['maxLength'])}")
        if "pattern" in schema:
            python = self.patterns[schema["pattern"]]
            matches = finite_matches(python)
            if matches is not None:  # a few strings: a set lookup instead of a search
                strings.append(f"{var} in {self._constant(_frozenset(matches), 'MATCHES')}")
            elif (outside := negated_class(python)) is not None:  # what strip leaves
                strings.append(f"{var}.strip({self._constant(repr(outside), 'CLASS')}) != ''")
            else:
                pattern = self._constant(f"re.compile({python!r})", "PATTERN")
                strings.append(f"{pattern}.search({var}) is not None")
        if strings:
            only = names == ["string"]
            conditions.append(
                _all(strings) if only else _any([f"not isinstance({var}, str)", _all(strings)])
            )
        return conditions

    def _type_test(self, name: str, var: str, direction: Direction) -> str:
        if name == "null":
            return f"{var} is None"
        if name == "boolean":
            return f"isinstance({var}, bool)"
        if name == "string":
            return f"isinstance({var}, str)"
        if name == "array":
            return f"isinstance({var}, list)"
        if name == "object":
            return f"isinstance({var}, dict)"
        if name == "integer":
            return (
                f"(type({var}) is int or (isinstance({var}, int) and not isinstance({var}, bool))"
                f" or (isinstance({var}, float) and {var}.is_integer()))"
            )
        if direction == "request":  # JSON has no NaN nor infinity
            self._uses.add("isfinite")
            return (
                f"(type({var}) is int or (isinstance({var}, int) and not isinstance({var}, bool))"
                f" or (isinstance({var}, float) and isfinite({var})))"
            )
        return _number(var)

    def _equal_any(self, options: list[Any], var: str) -> str:
        """``var`` equals one of ``options`` as JSON does: ``1 == 1.0``, ``True != 1``."""
        tests = []
        strings = [o for o in options if isinstance(o, str)]
        numbers = [o for o in options if isinstance(o, (int, float)) and not isinstance(o, bool)]
        # json_equal compares strings by exact type: a str subclass is not equal.
        if len(strings) == 1:
            tests.append(f"(type({var}) is str and {var} == {strings[0]!r})")
        elif strings:
            names = self._constant(_frozenset(strings), "ONE_OF")
            tests.append(f"(type({var}) is str and {var} in {names})")
        if len(numbers) == 1:
            tests.append(f"({_number(var)} and {var} == {numbers[0]!r})")
        elif numbers:
            names = self._constant(_frozenset(numbers), "ONE_OF")
            tests.append(f"({_number(var)} and {var} in {names})")
        singles = (None, True, False)  # by identity: True == 1 in Python, not in JSON
        tests += [f"{var} is {o!r}" for o in singles if any(x is o for x in options)]
        for option in options:
            if isinstance(option, (list, dict)):
                self._uses.add("json_equal")
                tests.append(f"json_equal({var}, {option!r})")
        return _any(tests) if tests else "False"

    # Statements: the body of a predicate whose value is the parameter ``var``.

    def _statements(self, schema: Any, var: str, direction: Direction, owner: str) -> list[str]:
        if schema is True or schema is False or not set(schema) - _NOT_DECIDING:
            return [f"return {self._expression(schema, var, direction, owner, 'value')}"]
        return _returned(self._failures(schema, var, direction, owner, whole=True))

    def _part(
        self,
        schema: Any,
        var: str,
        direction: Direction,
        owner: str,
        part: str,
        present: frozenset[str] | None,
    ) -> list[str]:
        """Statements that return False when ``var`` breaks ``schema``, a part of another.

        The part is an ``allOf`` branch, ``then`` or ``else``, compiled for the same
        value as the schema it is part of. Written in place rather than called: the
        value is the same, and the schema it is part of checks that it is JSON
        (and, when ``present`` is not None, that it is an object with those keys).
        """
        if schema is True or (schema is not False and not set(schema) - _NOT_DECIDING):
            return []
        if schema is False:
            return ["return False"]
        if self._depth >= _MAX_DEPTH:  # Python allows 100 levels of indentation: call instead
            return _fail_unless(self._expression(schema, var, direction, owner, part))
        self._depth += 1
        try:
            return self._failures(schema, var, direction, owner, whole=False, present=present)
        finally:
            self._depth -= 1

    def _failures(
        self,
        schema: Mapping[str, Any],
        var: str,
        direction: Direction,
        owner: str,
        whole: bool,
        present: frozenset[str] | None = None,
    ) -> list[str]:
        """Statements that return False when ``var`` breaks ``schema`` and go on otherwise.

        ``whole``: the schema is all that is checked of the value here, so a
        request's value that nothing pins to a JSON type is checked to be JSON.
        ``present``: the value is known to be an object holding these keys (a part
        of an object's schema, which checked them); None: not known to be an object.
        """
        if present is None and _types(schema) == ["object"]:  # checked first, below
            present = frozenset()
        lines: list[str] = []
        for condition in self._value_conditions(schema, var, direction):
            lines += _fail_unless(condition)
        if "$ref" in schema:
            lines += _fail_unless(f"{self.named(schema['$ref'], direction)}({var})")
        lines += self._object_statements(schema, var, direction, owner, present is not None)
        if present is not None:  # the required keys are checked above
            present |= frozenset(self._required(schema, direction))
        lines += self._array_statements(schema, var, direction, owner)
        lines += self._combinator_statements(schema, var, direction, owner, present)
        if whole and direction == "request" and not self._covers(schema):
            # Nothing above pins the value to a JSON type: it may be anything.
            self._uses.add("is_json")
            lines += _fail_unless(f"is_json({var})")
        return lines

    def _object_statements(
        self, schema: Mapping[str, Any], var: str, direction: Direction, owner: str, is_dict: bool
    ) -> list[str]:
        typed = self._covers(schema) and "type" in schema
        json_extras = direction == "request" and typed and _allows(schema, "object")
        if not any(k in schema for k in _OBJECT_KEYWORDS) and not json_extras:
            return []
        lines: list[str] = []
        properties: Mapping[str, Any] = schema.get("properties", {})
        tests = {
            name: self._expression(sub, "item", direction, owner, name)
            for name, sub in properties.items()
            if not (direction == "request" and self._flagged(sub, "readOnly"))
        }
        required = self._required(schema, direction)
        lines += _required_statements(properties, tests, required, var)
        others = _optional_statements(properties, tests, required, var)
        others += self._extra_statements(schema, var, direction, owner, json_extras)
        if set(required) <= set(properties) and others:
            # The required keys are there by now: a value of no more keys holds no other.
            guard = f"len({var}) != {len(set(required))}" if required else var
            lines += ["# Optional or unlisted properties, when there are more keys than required."]
            lines += _guarded(guard, others)
        else:  # a required key the properties do not declare is an extra one
            lines += others
        if "minProperties" in schema:
            lines += _fail_unless(f"len({var}) >= {int(schema['minProperties'])}")
        if "maxProperties" in schema:
            lines += _fail_unless(f"len({var}) <= {int(schema['maxProperties'])}")
        for left, right in schema.get("x-equal-properties", ()):
            self._uses.add("json_equal")
            unequal = f"not json_equal({var}[{left!r}], {var}[{right!r}])"
            both = [f"{name!r} in {var}" for name in (left, right) if name not in required]
            lines += _fail_if(_all([*both, unequal]))
        for rule in schema.get("x-exclusive", ()):
            present = [_has(var, _pointer_keys(pointer)) for pointer in rule["fields"]]
            if len(present) == 2:  # both: "and" stops at the first one missing
                lines += _fail_if(_all(present))
            else:
                lines += _fail_if(" + ".join(f"({test})" for test in present) + " > 1")
        if is_dict:
            return lines
        return _guarded(f"isinstance({var}, dict)", lines)

    def _extra_statements(
        self,
        schema: Mapping[str, Any],
        var: str,
        direction: Direction,
        owner: str,
        json_extras: bool,
    ) -> list[str]:
        """Statements that return False when a key ``properties`` does not declare is wrong."""
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True if json_extras else None)
        keys = ""
        if properties and extra is not None:
            keys = self._constant(_frozenset(list(properties)), "KEYS")
        if extra is False:
            return _fail_unless(f"{keys}.issuperset({var})" if keys else f"not {var}")
        if extra is None:
            return []
        test = (
            "True" if extra is True else self._expression(extra, "item", direction, owner, "extra")
        )
        if json_extras:
            if test == "True":
                self._uses.add("is_json")
                test = "is_json(item)"
            test = f"isinstance(key, str) and {_parenthesised(test)}"
        if test == "True":
            return []
        if keys:
            # The declared keys are checked already: only the others need a look, and
            # a set comparison (in C) tells whether there are any.
            loop = [f"for key in {var}.keys() - {keys}:", f"{_INDENT}item = {var}[key]"]
            loop += _indented(_fail_if(f"not {_parenthesised(test)}"))
            return _guarded(f"not {keys}.issuperset({var})", loop)
        header = (
            f"for key, item in {var}.items():" if json_extras else f"for item in {var}.values():"
        )
        return [header, *_indented(_fail_if(f"not {_parenthesised(test)}"))]

    def _required(self, schema: Mapping[str, Any], direction: Direction) -> list[str]:
        """The properties ``schema`` requires in ``direction`` (not those flagged the other way)."""
        properties: Mapping[str, Any] = schema.get("properties", {})
        return [
            name
            for name in schema.get("required", ())
            if not self._flagged(properties.get(name), _ONLY[direction])
        ]

    def _array_statements(
        self, schema: Mapping[str, Any], var: str, direction: Direction, owner: str
    ) -> list[str]:
        typed = self._covers(schema) and "type" in schema
        json_items = direction == "request" and typed and _allows(schema, "array")
        if not any(k in schema for k in _ARRAY_KEYWORDS) and not json_items:
            return []
        lines: list[str] = []
        if "minItems" in schema:
            lines += _fail_unless(f"len({var}) >= {int(schema['minItems'])}")
        if "maxItems" in schema:
            lines += _fail_unless(f"len({var}) <= {int(schema['maxItems'])}")
        if schema.get("uniqueItems") is True:
            self._uses.add("has_duplicates")
            lines += _fail_if(f"has_duplicates({var})")
        items = schema.get("items", True if json_items else None)
        if items is not None:
            test = (
                "True"
                if items is True
                else self._expression(items, "item", direction, owner, "item")
            )
            if test == "True" and json_items:
                self._uses.add("is_json")
                test = "is_json(item)"
            if test != "True":
                lines += [f"for item in {var}:", *_indented(_fail_unless(test))]
        if not lines:
            return []
        if typed and set(_types(schema)) == {"array"}:
            return lines
        return _guarded(f"isinstance({var}, list)", lines)

    def _combinator_statements(
        self,
        schema: Mapping[str, Any],
        var: str,
        direction: Direction,
        owner: str,
        present: frozenset[str] | None,
    ) -> list[str]:
        lines: list[str] = []
        for index, branch in enumerate(schema.get("allOf", ())):
            if isinstance(branch, Mapping) and set(branch) - _NOT_DECIDING != {"$ref"}:
                lines += self._part(branch, var, direction, owner, f"all_of_{index + 1}", present)
            else:  # a reference: its own predicate
                test = self._expression(branch, var, direction, owner, f"all_of_{index + 1}")
                lines += _fail_unless(test)
        if "if" in schema:
            condition = self._condition(schema["if"], var, direction, present) or self._expression(
                schema["if"], var, direction, owner, "if"
            )
            # A missing branch accepts: the value's JSON shape is checked elsewhere.
            then, otherwise = (
                self._part(schema.get(key, True), var, direction, owner, key, present)
                for key in ("then", "else")
            )
            if condition == "True":  # every value satisfies the if: only then applies
                lines += then
            elif then and otherwise:
                lines += [f"if {condition}:", *_indented(then), "else:", *_indented(otherwise)]
            elif then:
                lines += _guarded(condition, then)
            elif otherwise:
                lines += _guarded(f"not {_parenthesised(condition)}", otherwise)
        if "not" in schema:
            lines += _fail_if(self._expression(schema["not"], var, direction, owner, "not"))
        for keyword, part in (("anyOf", "any_of"), ("oneOf", "one_of")):
            if keyword not in schema:
                continue
            tests = [
                self._expression(branch, var, direction, owner, f"{part}_{index + 1}")
                for index, branch in enumerate(schema[keyword])
            ]
            tag = self._tag(schema[keyword])
            if tag is not None:
                lines += _fail_unless(_dispatched(var, tag, tests))
            elif keyword == "anyOf":
                lines += _fail_unless(_any(tests))
            else:
                # Every branch is tried, as the Validator does: exactly one may accept.
                lines += _fail_unless(" + ".join(_parenthesised(t) for t in tests) + " == 1")
        return lines

    def _condition(
        self, schema: Any, var: str, direction: Direction, present: frozenset[str] | None
    ) -> str:
        """An ``if`` schema of a few plain properties as one expression ("" for any other).

        Whether the value is JSON is left out: the schema holding the ``if``
        checks that, and for a JSON value the answer is the same. Nor is asked
        whether the keys in ``present`` are there (see :meth:`_failures`).
        """
        if not isinstance(schema, Mapping) or set(schema) - _NOT_DECIDING - _SMALL_OBJECT:
            return ""
        properties: Mapping[str, Any] = schema.get("properties", {})
        plain = all(
            sub is True or (isinstance(sub, Mapping) and self._plain(sub, "response"))
            for sub in properties.values()
        )
        flagged = any(
            self._flagged(sub, flag) for sub in properties.values() for flag in _ONLY.values()
        )
        if schema.get("type", "object") != "object" or len(properties) > 3 or not plain or flagged:
            return ""
        required = list(schema.get("required", ()))
        known = present or frozenset()
        tests = [
            f"{name!r} in {var}"
            for name in required
            if properties.get(name, True) is True and name not in known
        ]
        for name, sub in properties.items():
            if sub is True:
                continue
            test = _all(self._value_conditions(sub, f"{var}[{name!r}]", direction))
            if name in known:
                tests.append(test)
            elif name in required:
                tests.append(f"{name!r} in {var} and {_parenthesised(test)}")
            else:
                tests.append(f"{name!r} not in {var} or {_parenthesised(test)}")
        if present is not None:
            return _all(tests)
        if "type" in schema:
            return _all([f"isinstance({var}, dict)", *tests])
        return _any([f"not isinstance({var}, dict)", _all(tests)])

    def _tag(self, branches: Sequence[Any]) -> tuple[str, list[str]] | None:
        """A property every branch requires with its own string ``const``, and those consts.

        Objects tagged so can satisfy one branch at most, the one whose const
        the value's property equals: the predicate asks only that branch.
        """
        found: list[Mapping[str, Any]] = []
        for branch in branches:
            resolved = self._resolved(branch)
            if resolved is None or resolved.get("type") != "object":
                return None
            found.append(resolved)
        if len(found) < 2:
            return None
        for name in found[0].get("required", ()):
            values = [self._const_of(branch, name) for branch in found]
            strings = [v for v in values if isinstance(v, str)]
            if len(strings) == len(values) and len(set(strings)) == len(strings):
                return name, strings
        return None

    def _resolved(self, schema: Any) -> Mapping[str, Any] | None:
        """``schema`` with references that stand alone followed (None for a cycle)."""
        seen: set[str] = set()
        while isinstance(schema, Mapping) and set(schema) - _NOT_DECIDING == {"$ref"}:
            if schema["$ref"] in seen:
                return None
            seen.add(schema["$ref"])
            schema = self.schemas.get(schema["$ref"])
        return schema if isinstance(schema, Mapping) else None

    def _const_of(self, schema: Mapping[str, Any], name: str) -> Any:
        """The ``const`` of required property ``name`` of ``schema``, if it has one plainly."""
        if name not in schema.get("required", ()):
            return None
        sub = schema.get("properties", {}).get(name)
        if not isinstance(sub, Mapping) or "const" not in sub:
            return None
        if self._flagged(sub, "readOnly") or self._flagged(sub, "writeOnly"):
            return None  # required in one direction only
        return sub["const"]

    # What a schema says, read at generation time.

    def _flagged(self, schema: Any, flag: str) -> bool:
        """Whether ``schema`` (or one it refers to) says ``flag: true``, as Validator._flagged."""
        seen: set[str] = set()
        while isinstance(schema, Mapping):
            if schema.get(flag) is True:
                return True
            reference = schema.get("$ref")
            if reference is None or reference in seen:
                return False
            seen.add(reference)
            schema = self.schemas.get(reference)
        return False

    def _covers(self, schema: Any) -> bool:
        """Whether a value ``schema`` accepts is JSON, given its parts are checked as JSON."""
        if schema is True:
            return False
        if schema is False:
            return True
        if "type" in schema or "const" in schema or "enum" in schema or "$ref" in schema:
            return True  # a referenced predicate checks JSON itself
        if any(self._covers(branch) for branch in schema.get("allOf", ())):
            return True
        return any(
            key in schema and all(self._covers(branch) for branch in schema[key])
            for key in ("anyOf", "oneOf")
        )


def _required_statements(
    properties: Mapping[str, Any], tests: dict[str, str], required: list[str], var: str
) -> list[str]:
    """Statements that return False unless each required property is there and valid."""
    lines: list[str] = []
    for name in required:
        if tests.get(name, "True") == "True":
            lines += _fail_if(f"{name!r} not in {var}")
    for name in properties:
        if name in required and tests[name] != "True":
            # One lookup per property: absent or invalid in the same test.
            lines += [f"item = {var}.get({name!r}, _ABSENT)"]
            lines += _fail_if(f"item is _ABSENT or not {_parenthesised(tests[name])}")
    return lines


def _optional_statements(
    properties: Mapping[str, Any], tests: dict[str, str], required: list[str], var: str
) -> list[str]:
    """Statements that return False when an optional property is there and invalid."""
    lines: list[str] = []
    for name in properties:
        if name in required:
            continue
        if name not in tests:  # read-only, in a request
            lines += _fail_if(f"{name!r} in {var}")
        elif tests[name] != "True":
            lines += [f"item = {var}.get({name!r}, _ABSENT)"]
            lines += _fail_unless(f"item is _ABSENT or {_parenthesised(tests[name])}")
    return lines


def _types(schema: Mapping[str, Any]) -> list[str]:
    types = schema.get("type")
    return [types] if isinstance(types, str) else list(types or ())


def _allows(schema: Mapping[str, Any], name: str) -> bool:
    return name in _types(schema)


def _number(var: str) -> str:
    return f"(isinstance({var}, (int, float)) and not isinstance({var}, bool))"


def _frozenset(values: list[Any]) -> str:
    return "frozenset({" + ", ".join(repr(v) for v in dict.fromkeys(values)) + "})"


def _pointer_keys(pointer: str) -> list[str]:
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


def _has(var: str, keys: list[str]) -> str:
    """Whether the object ``var`` holds the nested keys (``_validation._has``)."""
    tests, node = [], var
    for index, key in enumerate(keys):
        if index:
            tests.append(f"isinstance({node}, dict)")
        tests.append(f"{key!r} in {node}")
        node = f"{node}[{key!r}]"
    return " and ".join(tests) if tests else "True"


def _parenthesised(test: str) -> str:
    """``test`` in parentheses unless it is already one operand of ``+`` (a name, a call)."""
    try:
        alone = ast.dump(ast.parse(test, mode="eval").body)
        inside = ast.parse(f"_ + {test} + _", mode="eval").body
    except SyntaxError:
        return f"({test})"
    if (
        isinstance(inside, ast.BinOp)
        and isinstance(inside.left, ast.BinOp)
        and ast.dump(inside.left.right) == alone
    ):
        return test
    return f"({test})"


def _all(tests: list[str]) -> str:
    if not tests:
        return "True"
    if len(tests) == 1:
        return tests[0]
    return " and ".join(_parenthesised(t) for t in tests)


def _any(tests: list[str]) -> str:
    if not tests:
        return "False"
    if len(tests) == 1:
        return tests[0]
    return "(" + " or ".join(_parenthesised(t) for t in tests) + ")"


def _dispatched(var: str, tag: tuple[str, list[str]], tests: list[str]) -> str:
    """Whether ``var`` satisfies the branch its ``tag`` property names (``tests`` in order)."""
    name, values = tag
    chosen = "False"
    for value, test in reversed(list(zip(values, tests, strict=True))):
        chosen = f"{_parenthesised(test)} if {var}.get({name!r}) == {value!r} else {chosen}"
    return f"isinstance({var}, dict) and ({chosen})"


def _fail_unless(test: str) -> list[str]:
    if test == "True":
        return []
    return [f"if not {_parenthesised(test)}:", f"{_INDENT}return False"]


def _fail_if(test: str) -> list[str]:
    return [f"if {test}:", f"{_INDENT}return False"]


def _returned(lines: list[str]) -> list[str]:
    """``lines`` then ``return True``, the last check folded into the return when it is one."""
    if len(lines) >= 2 and lines[-1] == f"{_INDENT}return False" and lines[-2].startswith("if "):
        test = lines[-2][3:-1]
        tree = ast.parse(test, mode="eval").body
        # Only a test that is one negation as a whole loses its "not": "not a and not b" is
        # (not a) and (not b), whose negation is not that minus its first "not".
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
            return [*lines[:-2], f"return {_parenthesised(ast.unparse(tree.operand))}"]
        return [*lines[:-2], f"return not {_parenthesised(test)}"]
    return [*lines, "return True"]


def _guarded(guard: str, lines: list[str]) -> list[str]:
    """``lines`` run only when ``guard`` holds; one ``if`` is joined to it with ``and``."""
    if not lines:
        return []
    if lines[0].startswith("if ") and all(line.startswith(_INDENT) for line in lines[1:]):
        return [f"if {guard} and {_parenthesised(lines[0][3:-1])}:", *lines[1:]]
    return [f"if {guard}:", *_indented(lines)]


def _indented(lines: list[str]) -> list[str]:
    return [_INDENT + line for line in lines]
