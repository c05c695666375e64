"""The suite's own layout: helpers live in support modules; no test module imports another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Where code that is not a test may live: the toolkit, the shared helpers, the real
# documents' extractors, and the benchmark (``make bench``).
NOT_TESTS = ("contract", "support", "specs")


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_no_module_imports_a_test_module_or_a_conftest() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}: {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in _imported_modules(path)
        if module.startswith("tests.")
        and any(part.startswith("test_") or part == "conftest" for part in module.split("."))
    ]
    assert not offenders, offenders


def test_the_test_folders_hold_only_tests() -> None:
    helpers = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.glob("*/*.py"))
        if path.parent.name not in NOT_TESTS
        and path.name != "__init__.py"
        and path.name != "conftest.py"
        and not path.name.startswith("test_")
    ]
    assert not helpers, f"move these to tests/support/: {helpers}"
