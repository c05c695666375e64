"""The generator's layers point one way: spec -> parser -> IR -> renderer, and the runtime alone.

The IR (``codegen.ir``) is the vocabulary the parser fills in and the renderer
reads, so it must not lean on either of them or on the templates' helpers; the
runtime is copied into every package, so it may reach nothing of the generator
at all. The renderer and what it drives (predicates, decoders, models, names)
see the IR only, never the parser.

Imports are read from the source with :mod:`ast`, every ``import`` and
``from ... import`` node anywhere in a module (inside a function, under
``TYPE_CHECKING``, relative or absolute) and every ``importlib.import_module``
or ``__import__`` call with a literal name, and followed through the
generator's own modules, so a lazy import or a detour through a third module
is caught as well as a direct one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "codegen"
# What the IR and the runtime must never reach: the spec's reader, the renderer and
# the helpers the templates print spec text with.
BELOW_THE_IR = ("codegen.parser", "codegen.render", "codegen.literals")
RUNTIME = "codegen.runtime"
# The renderer and the modules it calls: they read the IR, not the spec.
RENDERING = (
    "codegen.render",
    "codegen.predicates",
    "codegen.decoders",
    "codegen.models",
    "codegen.model_classes",
    "codegen.naming",
)


def module_name(path: Path) -> str:
    """The dotted name of a module: ``codegen/parser/__init__.py`` -> ``codegen.parser``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_by(source: str, name: str, is_package: bool) -> set[str]:
    """Every module name ``source`` (the module ``name``) may import, wherever the import is.

    A relative import is resolved against the module's package; ``from a import b``
    counts as importing both ``a`` and ``a.b``, since ``b`` may be a module.
    """
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and (called := _imported_by_call(node)):
            found.add(called)
    return found


def _imported_by_call(node: ast.Call) -> str:
    """The module ``importlib.import_module("...")`` or ``__import__("...")`` names, else ""."""
    function = node.func
    called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if called not in ("import_module", "__import__") or not node.args:
        return ""
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def generator_modules() -> dict[str, Path]:
    """Every module of ``codegen/`` by its dotted name."""
    return {module_name(path): path for path in sorted(CODEGEN.rglob("*.py"))}


def reached_from(start: str, modules: dict[str, Path]) -> dict[str, list[str]]:
    """Every module ``start`` reaches through the generator's own modules, with the chain there."""
    chains = {start: [start]}
    pending = [start]
    while pending:
        current = pending.pop()
        path = modules[current]
        for target in sorted(imported_by(path.read_text(), current, path.name == "__init__.py")):
            if target in chains:
                continue
            chains[target] = [*chains[current], target]
            if target in modules:
                pending.append(target)
    return chains


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _broken(start: str, forbidden: tuple[str, ...]) -> list[str]:
    """Each forbidden module ``start`` reaches, as the chain of imports that gets there."""
    chains = reached_from(start, generator_modules())
    return [" -> ".join(chain) for name, chain in chains.items() if _within(name, forbidden)]


def test_the_scanner_sees_every_kind_of_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..parser.names import snake\n"
        "if TYPE_CHECKING:\n"
        "    from codegen.render import generate\n"
        "def later():\n"
        "    import codegen.literals\n"
        "    importlib.import_module('codegen.parser.schemas')\n"
        "    return __import__('codegen.models')\n"
    )
    found = imported_by(source, "codegen.runtime._example", is_package=False)
    assert {
        "codegen.runtime.sibling",
        "codegen.parser.names",
        "codegen.parser.names.snake",
        "codegen.render",
        "codegen.literals",
        "codegen.parser.schemas",
        "codegen.models",
    } <= found
    assert imported_by("from .x import y\n", "codegen.runtime", is_package=True) >= {
        "codegen.runtime.x"
    }


def test_the_ir_reaches_neither_the_parser_nor_the_renderer_nor_the_text_helpers() -> None:
    broken = _broken("codegen.ir", BELOW_THE_IR)
    assert not broken, "; ".join(broken[:3])


@pytest.mark.parametrize(
    "module", sorted(name for name in generator_modules() if _within(name, (RUNTIME,)))
)
def test_the_runtime_reaches_nothing_of_the_generator(module: str) -> None:
    # Copied into packages where there is no codegen: only its own modules resolve there.
    chains = reached_from(module, generator_modules())
    outside = [
        " -> ".join(chain)
        for name, chain in chains.items()
        if _within(name, ("codegen",)) and not _within(name, (RUNTIME,))
    ]
    assert not outside, "; ".join(outside[:3])


@pytest.mark.parametrize("module", RENDERING)
def test_the_renderer_side_reads_the_ir_not_the_parser(module: str) -> None:
    assert module in generator_modules()
    broken = _broken(module, ("codegen.parser",))
    assert not broken, "; ".join(broken[:3])
