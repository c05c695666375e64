"""Data models through datamodel-code-generator: TypedDicts for requests, dataclasses for responses.

datamodel-code-generator sees the structural view of each schema that the
parser prepared (validation-only keywords removed; the validator enforces
those). Its TypedDict output imports ``NotRequired`` from
``typing_extensions`` for Python 3.10; because the module has ``from
__future__ import annotations``, those names are only needed by type checkers,
so they move under ``if TYPE_CHECKING:`` and the package stays
standard-library only at run time.
"""

from __future__ import annotations

import ast
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal

from codegen.ir import Model
from codegen.loader import SpecError

ModelKind = Literal["typeddict", "dataclass"]

_MODULE_DOCS = {
    "typeddict": "Request shapes: what callers pass, as TypedDicts.",
    "dataclass": "Response models: what the server returns, as dataclasses.",
}


def generate_models(models: tuple[Model, ...], kind: ModelKind, header: str) -> str:
    """Python source defining each of ``models`` (which hold every model they reference)."""
    from datamodel_code_generator import LiteralType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, InputFileType

    defs = {model.name: model.schema for model in models}
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
            )
        source = output.read_text(encoding="utf-8")
    return _standard_library_only(source) if kind == "typeddict" else source


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
    lines = source.splitlines()
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
