"""Per-model decoders for ``_decoders.py``: what ``decode(model, data)`` does, written out.

The generated models module is not run: its dataclasses are rebuilt from
its AST (:mod:`codegen.model_classes`), and each is read the way the runtime
reads it: its fields, their JSON names and defaults, and their type hints.
The runtime's own helpers (:func:`codegen.runtime._decode._plain_defaults`,
``_decoder``, ``_without_none``) decide what each field needs, so a
generated decoder does what ``decode`` does by construction. A model whose ``__init__`` does
more than store its arguments, or whose fields have JSON names of their own,
gets a decoder that calls ``decode``.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from typing import Any

from codegen import naming
from codegen.model_classes import dataclasses_of
from codegen.runtime import _decode

_MODULE = "_codegen_models_for_decoders"


@dataclass(frozen=True)
class FieldFix:
    """What a decoder does to one field's value after storing the JSON object's properties.

    ``kind``: ``int`` / ``float`` (a JSON number of the other kind is converted),
    ``model`` (decoded by ``function``), ``list`` / ``dict`` (copied),
    ``model_list`` / ``model_dict`` (each item decoded by ``function``), or
    ``general`` (``decode`` with the field's type hint).
    """

    name: str
    kind: str
    function: str = ""
    optional: bool = False
    """The field defaults to None, which needs no fix: absent, it is left alone."""


@dataclass(frozen=True)
class ModelDecoder:
    """One function of ``_decoders.py``: the decoder of the dataclass ``model``."""

    model: str
    function: str
    constant: str
    """The prefix of the module-level names the function reads (``_VIDEO_TASK``)."""
    plain: bool
    """Whether the fields are stored straight into the instance; else ``decode`` is called."""
    defaults: dict[str, Any]
    names: tuple[str, ...]
    extras: tuple[str, ...]
    fixes: tuple[FieldFix, ...]

    @property
    def required_count(self) -> int:
        """How many fields have no default: a valid value holds at least these properties."""
        return len(self.names) - len(self.defaults)

    @property
    def uses_hints(self) -> bool:
        """Whether a field is decoded by ``decode`` with its type hint."""
        return any(fix.kind == "general" for fix in self.fixes)


def model_decoders(models_source: str) -> list[ModelDecoder]:
    """A decoder for each dataclass that ``models_source`` (the models module) defines."""
    classes = dataclasses_of(models_source, _MODULE)
    functions = naming.decoder_functions([cls.__name__ for cls in classes])
    return [_decoder_of(cls, functions) for cls in classes]


def _decoder_of(model: type, functions: dict[str, str]) -> ModelDecoder:
    name = model.__name__
    function = functions[name]
    constant = naming.decoder_constant(function)
    fields = dataclasses.fields(model)
    extras = tuple(f.name for f in fields if f.metadata.get(_decode.EXTRA))
    declared = [f for f in fields if not f.metadata.get(_decode.EXTRA)]
    plain, _ = _decode._plain_defaults(model)
    renamed = any(_decode._json_name(f) != f.name for f in declared)
    if plain is None or renamed or not all(_literal(value) for value in plain.values()):
        return ModelDecoder(name, function, constant, False, {}, (), extras, ())
    hints = typing.get_type_hints(model)
    fixes = tuple(
        dataclasses.replace(fix, optional=f.name in plain and plain[f.name] is None)
        for f in declared
        if (fix := _fix(f.name, hints[f.name], functions)) is not None
    )
    names = tuple(f.name for f in declared)
    return ModelDecoder(name, function, constant, True, plain, names, extras, fixes)


def _fix(name: str, hint: Any, functions: dict[str, str]) -> FieldFix | None:
    """What is done to the field ``name`` (typed ``hint``) once stored; None: nothing."""
    if _decode._decoder(hint) is None:
        return None
    base = _decode._without_none(hint)
    if base is int or base is float:
        return FieldFix(name, base.__name__)
    number = _number_arm(base)
    if number:
        return FieldFix(name, f"{number}_union")
    model = _model_name(base, functions)
    if model:
        return FieldFix(name, "model", functions[model])
    origin, args = typing.get_origin(base), typing.get_args(base)
    if origin in (list, dict):
        item = args[0] if origin is list else args[1]
        if _decode._decoder(item) is None:
            return FieldFix(name, origin.__name__)
        model = _model_name(item, functions)
        if model:
            return FieldFix(name, f"model_{origin.__name__}", functions[model])
    return FieldFix(name, "general")


def _number_arm(hint: Any) -> str:
    """``int`` (``float``) for a union of it and arms no JSON number fits, else "".

    Such a union (``str | int | None``, say) is decoded by its number arm whenever
    the value is a number that arm fits: an integer-valued float for ``int``, an
    int for ``float``; the other arms (null, boolean, string, string literals) never
    fit a number.
    """
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return ""
    numbers = [arm for arm in typing.get_args(hint) if arm is int or arm is float]
    others = [arm for arm in typing.get_args(hint) if arm is not int and arm is not float]
    never_a_number = all(
        arm in (type(None), bool, str)
        or (
            typing.get_origin(arm) is typing.Literal
            and all(isinstance(option, str) for option in typing.get_args(arm))
        )
        for arm in others
    )
    return numbers[0].__name__ if len(numbers) == 1 and never_a_number else ""


def _model_name(hint: Any, functions: dict[str, str]) -> str:
    """The name of the dataclass of this module ``hint`` is, or ""."""
    if isinstance(hint, type) and hint.__module__ == _MODULE and hint.__name__ in functions:
        return hint.__name__
    return ""


def _literal(value: Any) -> bool:
    """Whether ``value`` prints as a Python literal that reads back as itself."""
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or type(value) in (bool, int, str)
