"""The dataclasses a generated models module defines, rebuilt from its AST without running it.

Generation never executes generated code: :mod:`codegen.decoders` needs the
response dataclasses as classes (their fields, defaults, metadata and type
hints, read by the runtime's own helpers), and gets them from here. The
module is parsed, not run; each class is rebuilt from what its statements
say, with only literals evaluated (``ast.literal_eval``) and type annotations
read by a small interpreter of the few forms datamodel-code-generator writes
(names, subscripts, ``X | Y``, string forward references). Anything else in
the module is refused: it is not what :mod:`codegen.models` writes.
"""

from __future__ import annotations

import ast
import dataclasses
import typing
from collections.abc import Callable
from typing import Any

from codegen.loader import SpecError

_BUILTIN_TYPES: dict[str, Any] = {
    "Any": Any,
    "Literal": typing.Literal,
    "Optional": typing.Optional,
    "Union": typing.Union,
    "None": None,
    "bool": bool,
    "bytes": bytes,
    "dict": dict,
    "float": float,
    "frozenset": frozenset,
    "int": int,
    "list": list,
    "object": object,
    "set": set,
    "str": str,
    "tuple": tuple,
}
_FACTORIES: dict[str, Callable[[], Any]] = {"dict": dict, "list": list}
_FIELD_FUNCTIONS = frozenset({"field", "_field"})
_PENDING = object()
"""A class's annotations while the classes it names may not exist yet."""


def dataclasses_of(source: str, module: str) -> list[type]:
    """The dataclasses of the models module ``source``, in order, as if ``module`` defined them.

    Raises:
        SpecError: ``source`` holds a statement or expression no models module has.
    """
    tree = ast.parse(source)
    namespace = dict(_BUILTIN_TYPES)
    classes: list[tuple[type, ast.ClassDef]] = []
    aliases: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_docstring(node):
            continue
        if isinstance(node, ast.ClassDef):
            built = _class(node, namespace, module)
            namespace[node.name] = built
            if dataclasses.is_dataclass(built):
                classes.append((built, node))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            aliases.append(node)
        else:
            raise _unexpected(node)
    # Type aliases and annotations may name classes defined after them: read them last.
    for node in aliases:
        target, value = _alias(node)
        namespace[target] = _annotation(value, namespace)
    for built, node in classes:
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                hint = _annotation(item.annotation, namespace)
                built.__annotations__[item.target.id] = hint
                vars(built)["__dataclass_fields__"][item.target.id].type = hint
    return [built for built, _ in classes]


def _class(node: ast.ClassDef, namespace: dict[str, Any], module: str) -> type:
    """The class ``node`` defines, a dataclass if decorated so, its annotations pending."""
    bases = tuple(_base(base, namespace) for base in node.bases)
    body: dict[str, Any] = {"__module__": module, "__qualname__": node.name}
    annotations: dict[str, Any] = {}
    for item in node.body:
        if _is_docstring(item) or isinstance(item, ast.Pass):
            continue
        if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
            raise _unexpected(item)
        annotations[item.target.id] = _PENDING
        if item.value is not None:
            body[item.target.id] = _default(item.value)
    body["__annotations__"] = annotations
    built = type(node.name, bases, body)
    for decorator in reversed(node.decorator_list):
        built = _dataclass(decorator)(built)
    return built


def _base(node: ast.expr, namespace: dict[str, Any]) -> type:
    if isinstance(node, ast.Name) and isinstance(namespace.get(node.id), type):
        found: type = namespace[node.id]
        return found
    raise _unexpected(node)


def _dataclass(decorator: ast.expr) -> Callable[[type], type]:
    """``@dataclass`` or ``@dataclass(option=literal, ...)``."""
    if isinstance(decorator, ast.Name) and decorator.id == "dataclass":
        return dataclasses.dataclass
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Name)
        and decorator.func.id == "dataclass"
        and not decorator.args
        and all(keyword.arg for keyword in decorator.keywords)
    ):
        options = {str(k.arg): _literal(k.value) for k in decorator.keywords}
        return lambda cls: dataclasses.dataclass(cls, **options)
    raise _unexpected(decorator)


def _default(node: ast.expr) -> Any:
    """A field's default: a literal, or ``field(...)`` of literals and a list or dict factory."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FIELD_FUNCTIONS
    ):
        return _literal(node)
    if node.args or not all(keyword.arg for keyword in node.keywords):
        raise _unexpected(node)
    options: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg == "default_factory":
            value = keyword.value
            if not isinstance(value, ast.Name) or value.id not in _FACTORIES:
                raise _unexpected(value)
            options["default_factory"] = _FACTORIES[value.id]
        else:
            options[str(keyword.arg)] = _literal(keyword.value)
    return dataclasses.field(**options)


def _alias(node: ast.stmt) -> tuple[str, ast.expr]:
    """``Name = annotation`` or ``Name: TypeAlias = annotation``."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        raise _unexpected(node)
    if not isinstance(target, ast.Name):
        raise _unexpected(node)
    return target.id, value


def _annotation(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """What the annotation ``node`` evaluates to, were the module run; only type forms read."""
    if isinstance(node, ast.Name) and node.id in namespace:
        return namespace[node.id]
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # A forward reference, which get_type_hints would evaluate: read the same way.
        return _annotation(ast.parse(node.value, mode="eval").body, namespace)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotation(node.left, namespace) | _annotation(node.right, namespace)
    if isinstance(node, ast.Subscript):
        origin = _annotation(node.value, namespace)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin is typing.Literal:
            arguments = tuple(_literal(item) for item in items)
        else:
            arguments = tuple(_annotation(item, namespace) for item in items)
        return origin[arguments if len(arguments) != 1 else arguments[0]]
    raise _unexpected(node)


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _unexpected(node) from None


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _unexpected(node: ast.AST) -> SpecError:
    code = ast.unparse(node).split("\n", 1)[0][:80]
    line = getattr(node, "lineno", "?")
    return SpecError(f"the generated models module, line {line}: unexpected code {code!r}")
