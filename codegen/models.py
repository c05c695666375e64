"""Data models through datamodel-code-generator: TypedDicts for requests, dataclasses for responses.

datamodel-code-generator sees the structural view of each schema that the
parser prepared (validation-only keywords removed; the validator enforces
those). Its TypedDict output imports ``NotRequired`` from
``typing_extensions`` for Python 3.10; because the module has ``from
__future__ import annotations``, those names are only needed by type checkers,
so they move under ``if TYPE_CHECKING:`` and the package stays
standard-library only at run time.

Each response dataclass also gets a field for the properties the spec does
not list (see :func:`_with_extra_fields`), so that a server adding one breaks
nobody and loses nothing.

Spec text reaches datamodel-code-generator prepared (:func:`_prepared`): what
only documents (descriptions, titles, examples) is made :func:`plain_text`,
and what the models must hold exactly (property names, enum values,
defaults) it writes as string literals itself. Its output is edited here by
the lines the tokenizer sees (:func:`_lines`), never by ``str.splitlines``,
which also breaks at characters a string literal may hold (U+2028, a form feed):
line numbers and lines then agree with the AST's.
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from codegen.ir import Model
from codegen.literals import plain_text
from codegen.loader import SpecError

ModelKind = Literal["typeddict", "dataclass"]

_MODULE_DOCS = {
    "typeddict": "Request shapes: what callers pass, as TypedDicts.",
    "dataclass": "Response models: what the server returns, as dataclasses.",
}
# Keywords whose strings only document: the models show them in docstrings, if at all.
_DOCUMENTING = frozenset({"description", "title", "$comment", "example", "examples"})
# Keywords holding a schema, a list of schemas, or schemas by name.
_SCHEMAS = frozenset(
    {
        "items",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "contains",
        "not",
        "if",
        "then",
        "else",
    }
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
# The line breaks of Python's tokenizer; str.splitlines() knows more.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def generate_models(
    models: tuple[Model, ...],
    kind: ModelKind,
    header: str,
    field_names: Mapping[str, str] | None = None,
) -> str:
    """Python source defining each of ``models`` (which hold every model they reference).

    ``field_names`` (dataclasses only) gives the field name of each property
    whose name is not one as it is (:mod:`codegen.parser.names` chose them);
    such a field keeps the property's name as its alias. A TypedDict's keys are
    the property names themselves.
    """
    if not models:
        return f'{header}\n"""{_MODULE_DOCS[kind]} (The spec has none.)"""\n'
    from datamodel_code_generator import LiteralType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, InputFileType

    defs = {model.name: _prepared(model.schema, model.name) for model in models}
    model_type = (
        DataModelType.TypingTypedDict if kind == "typeddict" else DataModelType.DataclassesDataclass
    )
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "models.py"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generate(
                _dumps({"$defs": defs}),
                input_file_type=InputFileType.JsonSchema,
                output=output,
                output_model_type=model_type,
                target_python_version=PythonVersion.PY_310,
                disable_timestamp=True,
                custom_file_header=f'{header}\n"""{_MODULE_DOCS[kind]}"""',
                use_standard_collections=True,
                use_union_operator=True,
                enum_field_as_literal=LiteralType.All,
                use_schema_description=True,
                use_field_description=True,
                use_single_line_docstring=True,
                use_closed_typed_dict=False,
                keyword_only=True,
                skip_root_model=True,
                formatters=[],
                aliases=dict(field_names or {}) if kind == "dataclass" else None,
            )
        source = output.read_text(encoding="utf-8")
    _check_classes(source, models)
    if kind == "typeddict":
        return _standard_library_only(source)
    return _with_extra_fields(_with_aliases(source, field_names or {}))


def _check_classes(source: str, models: tuple[Model, ...]) -> None:
    """Every model is defined under the name the parser chose for it."""
    defined = {node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)}
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        defined |= {target.id for target in targets if isinstance(target, ast.Name)}
    missing = [model.name for model in models if model.name not in defined]
    if missing:
        raise SpecError(
            f"datamodel-code-generator named the models {missing} otherwise; "
            "an inline object of another model may take the same class name"
        )


def _with_aliases(source: str, field_names: Mapping[str, str]) -> str:
    """Give each dataclass field named otherwise than its property the property's name.

    The runtime reads a field's JSON name from ``metadata["alias"]``.
    """
    wire_of = {name: wire for wire, name in field_names.items()}
    tree = ast.parse(source)
    lines = _lines(source)
    edits = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not any(
            _is_dataclass(d) for d in node.decorator_list
        ):
            continue
        for item in node.body:
            if (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and item.target.id in wire_of
            ):
                edits.append((item, wire_of[item.target.id]))
    for item, wire in sorted(edits, key=lambda edit: edit[0].lineno, reverse=True):
        metadata = ast.keyword("metadata", ast.Dict([ast.Constant("alias")], [ast.Constant(wire)]))
        value = item.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "field"
        ):
            call = ast.Call(ast.Name("_field"), value.args, [*value.keywords, metadata])
        else:
            defaults = [] if value is None else [ast.keyword("default", value)]
            call = ast.Call(ast.Name("_field"), [], [*defaults, metadata])
        assignment = ast.AnnAssign(item.target, item.annotation, call, simple=1)
        indent = " " * item.col_offset
        lines[item.lineno - 1 : item.end_lineno or item.lineno] = [indent + ast.unparse(assignment)]
    return "\n".join(lines) + "\n"


EXTRA_FIELD = "extra"
"""The extra field's name, unless a model has a field of that name: then ``extra_``, ..."""


def extra_field_name(field_names: set[str]) -> str:
    """The one name the package's extra fields take: the first not already a field."""
    name = EXTRA_FIELD
    while name in field_names:
        name += "_"
    return name


def extra_field_of(source: str) -> str:
    """The name the extra fields have in the models module ``source`` (``extra`` if none)."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "_field"
        ):
            return node.target.id
    return EXTRA_FIELD


def _with_extra_fields(source: str) -> str:
    """Give every dataclass a last field holding the properties the spec does not list.

    Its name is the same in every model of the package (``extra``, or with
    enough trailing underscores to be no model's field); the runtime finds it
    by its ``metadata``, not its name, and fills it in when decoding.
    """
    tree = ast.parse(source)
    classes = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and any(_is_dataclass(d) for d in node.decorator_list)
    ]
    names = {
        item.target.id
        for node in classes
        for item in node.body
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    }
    name = extra_field_name(names)
    models = {node.name for node in classes}
    lines = _lines(source)
    for node in sorted(classes, key=lambda c: c.lineno, reverse=True):
        if any(isinstance(base, ast.Name) and base.id in models for base in node.bases):
            continue  # inherits the field
        indent = " " * node.body[0].col_offset
        lines[node.end_lineno or node.lineno : node.end_lineno or node.lineno] = [
            f"{indent}{name}: dict[str, Any] = _field("
            f'default_factory=dict, metadata={{"extra": True}})',
            f'{indent}"""Properties the spec does not list, by JSON name, as they came."""',
        ]
    future = next(
        (
            node.end_lineno or node.lineno
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
        ),
        None,
    )
    if future is None:
        raise SpecError(
            "datamodel-code-generator output lacks `from __future__ import annotations`"
        )
    # Aliased: a model may well have a property named ``field``.
    lines[future:future] = ["", "from dataclasses import field as _field", "from typing import Any"]
    return "\n".join(lines) + "\n"


def _lines(source: str) -> list[str]:
    """The lines of ``source`` as the tokenizer (and so ``lineno``) counts them, without breaks.

    Like ``str.splitlines``, no last empty line for a final line break; unlike
    it, only CR, LF and CRLF end a line.
    """
    lines = _LINE_BREAK.split(source)
    return lines[:-1] if lines and not lines[-1] else lines


def _prepared(schema: Any, model: str, where: str = "") -> Any:
    """``schema`` as datamodel-code-generator is given it: each documenting string plain text.

    A lone surrogate elsewhere (a property name, an enum value, a default) is
    refused: the model must hold it exactly, and the generator cannot write it
    (UTF-8 cannot encode it).
    """
    if not isinstance(schema, dict):
        return _unchanged(schema, model, where)
    prepared: dict[str, Any] = {}
    for key, value in schema.items():
        here = f"{where}/{key}"
        if key in _DOCUMENTING:
            prepared[key] = _documenting(value)
        elif key in _NAMED_SCHEMAS and isinstance(value, dict):
            prepared[key] = {
                _unchanged(name, model, here): _prepared(sub, model, f"{here}/{name}")
                for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            prepared[key] = [_prepared(sub, model, f"{here}/{i}") for i, sub in enumerate(value)]
        elif key in _SCHEMAS:
            prepared[key] = _prepared(value, model, here)
        else:
            prepared[_unchanged(key, model, where)] = _unchanged(value, model, here)
    return prepared


def _unchanged(value: Any, model: str, where: str) -> Any:
    """``value`` as it is, once sure it holds no lone surrogate."""
    for text in _strings(value):
        if isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text):
            raise SpecError(
                f"schema {model}{where}: {text!r} holds a lone surrogate, which UTF-8 cannot "
                "encode, so no data model can hold it"
            )
    return value


def _strings(value: Any) -> list[Any]:
    """Every key and value in ``value``, at any depth."""
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in (key, *_strings(sub))]
    if isinstance(value, list):
        return [item for sub in value for item in _strings(sub)]
    return [value]


def _documenting(value: Any) -> Any:
    """``value`` (a description, an example) with each string in it :func:`plain_text`."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, list):
        return [_documenting(item) for item in value]
    if isinstance(value, dict):
        return {plain_text(str(key)): _documenting(item) for key, item in value.items()}
    return value


def _is_dataclass(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "dataclass"


def _dumps(document: Any) -> str:
    import json

    return json.dumps(document, indent=2, sort_keys=False)


def _standard_library_only(source: str) -> str:
    """Move typing-only imports under ``TYPE_CHECKING``; refuse any other third-party import."""
    tree = ast.parse(source)
    if not any(
        isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in tree.body
    ):
        raise SpecError(
            "datamodel-code-generator output lacks `from __future__ import annotations`"
        )
    lines = _lines(source)
    # The functional form (keys that are not identifiers) evaluates its values at
    # run time: quoted, they stay annotations only, like those of the class form.
    for node in reversed(tree.body):
        if _is_functional_typeddict(node):
            assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            fields = node.value.args[1]
            assert isinstance(fields, ast.Dict)
            fields.values = [
                value
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
                else ast.Constant(ast.unparse(value))
                for value in fields.values
            ]
            lines[node.lineno - 1 : node.end_lineno] = [ast.unparse(node)]
    tree = ast.parse("\n".join(lines))
    lines = _lines("\n".join(lines))
    typing_only: list[str] = []
    for node in reversed(tree.body):
        if not isinstance(node, ast.ImportFrom) or node.module != "typing_extensions":
            continue
        names = [alias.name for alias in node.names]
        replacement = ["from typing import TypedDict"] if "TypedDict" in names else []
        typing_only = [n for n in names if n != "TypedDict"] + typing_only
        lines[node.lineno - 1 : node.end_lineno] = replacement
    if typing_only:
        last_import = max(
            node.end_lineno or node.lineno
            for node in ast.parse("\n".join(lines)).body
            if isinstance(node, (ast.Import, ast.ImportFrom))
        )
        guard = [
            "",
            "if TYPE_CHECKING:",
            f"    from typing_extensions import {', '.join(typing_only)}",
        ]
        lines[last_import:last_import] = ["from typing import TYPE_CHECKING", *guard]
    result = "\n".join(lines) + "\n"
    _check_imports(result)
    return result


def _is_functional_typeddict(node: ast.stmt) -> bool:
    """``Name = TypedDict("Name", {...})``."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "TypedDict"
        and len(node.value.args) == 2
        and isinstance(node.value.args[1], ast.Dict)
    )


def _check_imports(source: str) -> None:
    for node in ast.parse(source).body:
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        for module in modules:
            if module.split(".")[0] not in sys.stdlib_module_names:
                raise SpecError(
                    f"generated models import {module!r}, which is not standard library"
                )
