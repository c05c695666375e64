# Runtime of the generated package: codegen copies this file in unchanged.
"""Decoding validated JSON into models (dataclasses, lists, dicts, unions, scalars) and back.

What :func:`decode` does for a model is worked out once and cached; the
generated ``_decoders.py`` writes the same out per response model, and
calls :func:`decode` for what it does not write out.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._validation import json_equal, json_type_of

EXTRA = "extra"
"""The ``metadata`` key that marks the dataclass field holding a model's unknown properties."""


def decode(model: Any, value: Any) -> Any:
    """Build ``model`` (a dataclass, list, dict, union or scalar type) from validated JSON.

    A dataclass with an extra field (marked ``metadata={"extra": True}``) gets
    there every property it does not declare, unchanged.
    """
    decoder = _decoder(model)
    return value if decoder is None else decoder(value)


Decoder = Callable[[Any], Any]


def _decoder(model: Any) -> Decoder | None:
    """What :func:`decode` does for ``model``, worked out once: None when it returns the value.

    The type hints, fields, union arms and JSON names are read here, once per
    model, so decoding a response is a few dict lookups and calls per field.
    """
    # Unions that differ only in the order of their arms are equal (and hash the
    # same), but the first arm that fits wins: the cache tells them apart by repr.
    return _decoder_of(model, "" if isinstance(model, type) else repr(model))


@functools.cache
def _decoder_of(model: Any, spelled: str) -> Decoder | None:
    if dataclasses.is_dataclass(model) and isinstance(model, type):
        return _dataclass_decoder(model)
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin in (typing.Union, types.UnionType):
        others = [arm for arm in args if arm is not type(None)]
        if len(others) == 1:  # ``X | None``: None is itself; what fits X is an X
            only, fits = _decoder(others[0]), _fitter(others[0])
            if only is None:
                return None
            return lambda value: only(value) if value is not None and fits(value) else value
        arms = [(_fitter(arm), _decoder(arm)) for arm in args]
        if all(decoder is None for _, decoder in arms):
            return None  # whichever arm fits, the value comes back as it is

        def union(value: Any) -> Any:
            for fits, decoder in arms:
                if fits(value):
                    return value if decoder is None else decoder(value)
            return value

        return union
    if origin is list:
        item = _decoder(args[0])
        if item is None:
            return list
        return lambda value: [item(entry) for entry in value]
    if origin is dict:
        entry = _decoder(args[1])
        if entry is None:
            return dict
        return lambda value: {key: entry(item) for key, item in value.items()}
    if model is int:
        return lambda value: int(value) if type(value) is float else value
    if model is float:
        return lambda value: float(value) if isinstance(value, int) else value
    return None


def _dataclass_decoder(model: type) -> Decoder:
    fields = dataclasses.fields(model)
    extras = [f.name for f in fields if f.metadata.get(EXTRA)]
    plain, required = _plain_defaults(model)
    # The fields' decoders are worked out on first use: a recursive model refers to itself.
    plans: list[_Plan] = []

    def build(value: Any) -> Any:
        if not plans:
            plans.append(_Plan.of(model, fields))
        plan = plans[0]
        if plain is None or plan.renamed or not required <= value.keys():
            return _constructed(model, plan, extras, value)
        # What __init__ would store, stored at once: calling it with keyword
        # arguments costs more than the rest of decoding a response.
        instance: Any = object.__new__(model)
        attributes = instance.__dict__
        attributes.update(plain)
        if value.keys() <= plan.names:
            attributes.update(value)
            unknown = {}
        else:
            unknown = {k: v for k, v in value.items() if k not in plan.names}
            attributes.update({k: v for k, v in value.items() if k in plan.names})
        # JSON numbers come as int or float: a field typed int (float) gets one.
        for name in plan.integers:
            if type(attributes[name]) is float:
                attributes[name] = int(attributes[name])
        for name in plan.floats:
            if type(attributes[name]) is int:
                attributes[name] = float(attributes[name])
        for name, decoder in plan.converted:
            if attributes[name] is not None:
                attributes[name] = decoder(attributes[name])
        for name in extras:
            attributes[name] = dict(unknown)
        return instance

    return build


@dataclass(frozen=True)
class _Plan:
    """What decoding a dataclass needs to know of its fields, read once."""

    declared: dict[str, tuple[str, Decoder | None]]
    """Each field by JSON name: its name and how its value is decoded (None: as it is)."""
    names: frozenset[str]
    """The JSON names of the fields."""
    renamed: bool
    """Whether a field's JSON name is not its name."""
    integers: tuple[str, ...]
    """The fields typed ``int`` (or ``int | None``), by name."""
    floats: tuple[str, ...]
    """The fields typed ``float`` (or ``float | None``), by name."""
    converted: tuple[tuple[str, Decoder], ...]
    """The other fields whose values are decoded (a model, say), by name: None stays None."""

    @classmethod
    def of(cls, model: type, fields: tuple[dataclasses.Field[Any], ...]) -> _Plan:
        """The plan of ``model``, whose fields are ``fields``."""
        hints = _type_hints(model)
        declared = {
            _json_name(f): (f.name, _decoder(hints[f.name]))
            for f in fields
            if not f.metadata.get(EXTRA)
        }
        bases = {f.name: _without_none(hints[f.name]) for f in fields if not f.metadata.get(EXTRA)}
        return cls(
            declared,
            frozenset(declared),
            any(name != field_name for name, (field_name, _) in declared.items()),
            tuple(name for name, base in bases.items() if base is int),
            tuple(name for name, base in bases.items() if base is float),
            tuple(
                (name, decoder)
                for name, base in bases.items()
                if base not in (int, float) and (decoder := _decoder(base)) is not None
            ),
        )


def _without_none(hint: Any) -> Any:
    """``X`` for ``X | None``; any other hint as it is."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        others = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        if len(others) == 1:
            return others[0]
    return hint


def _constructed(model: type, plan: _Plan, extras: list[str], value: Any) -> Any:
    """``model`` built by its ``__init__``: each property is a field, or goes to the extra field."""
    kwargs: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, item in value.items():
        found = plan.declared.get(key)
        if found is None:
            unknown[key] = item
        else:
            kwargs[found[0]] = item if found[1] is None else found[1](item)
    for name in extras:
        kwargs[name] = dict(unknown)
    return model(**kwargs)


def _plain_defaults(model: type) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """The defaults ``model.__init__`` stores, if storing is all it does; its required fields.

    None when ``__init__`` does more than store its arguments: a ``__post_init__``,
    slots, a default factory other than the extra field's, or a field it does not take.
    """
    fields = dataclasses.fields(model)
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    simple = (
        not hasattr(model, "__post_init__")
        and "__slots__" not in vars(model)
        and all(f.init for f in fields)
        and all(f.default_factory is dataclasses.MISSING or f.metadata.get(EXTRA) for f in fields)
    )
    if not simple:
        return None, required
    plain = {
        f.name: f.default
        for f in fields
        if f.default is not dataclasses.MISSING and not f.metadata.get(EXTRA)
    }
    return plain, required


def to_json(value: Any) -> Any:
    """A decoded model back as JSON data; dataclass fields left unset (None) are omitted.

    The properties in a model's extra field come back beside the declared ones.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.metadata.get(EXTRA):
                extras.update(item)
            elif item is not None:
                data[_json_name(f)] = to_json(item)
        data.update({key: to_json(item) for key, item in extras.items() if key not in data})
        return data
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


@functools.cache
def _fitter(model: Any) -> Callable[[Any], bool]:
    """Whether a value has the JSON shape of ``model``, to pick a union arm; read once per model."""
    if dataclasses.is_dataclass(model):
        required = [
            _json_name(f)
            for f in dataclasses.fields(model)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        return lambda value: isinstance(value, dict) and all(name in value for name in required)
    origin = typing.get_origin(model)
    if origin is typing.Literal:
        options = typing.get_args(model)
        return lambda value: any(json_equal(value, option) for option in options)
    if origin in (list, dict):
        return lambda value: isinstance(value, origin)
    simple = {type(None): "null", bool: "boolean", str: "string", int: "integer"}
    if model in simple:
        kind = simple[model]
        return lambda value: json_type_of(value) == kind
    if model is float:
        return lambda value: json_type_of(value) in ("integer", "number")
    return lambda value: True


def _json_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("alias", f.name))


@functools.cache
def _type_hints(model: type) -> dict[str, Any]:
    # Resolving the annotations evaluates strings: once per model, not once per parse.
    return typing.get_type_hints(model)
