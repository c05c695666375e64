"""The runtime's export list (``codegen/runtime/__init__.py``) is what a generated package exports.

The list is kept beside the runtime it names and is not copied into packages,
so nothing else would notice an entry that names the wrong module, or a name
a refactor of the runtime moved elsewhere: ``import elkapi; elkapi.<name>``
would then fail on first use, far from its cause.
"""

from __future__ import annotations

import importlib

import pytest

import elkapi
from codegen.render import runtime_files
from codegen.runtime import RUNTIME_EXPORTS

# The rendered modules the list may name beside the runtime's own.
RENDERED = {"client", "operations"}


@pytest.mark.parametrize(("name", "module"), sorted(RUNTIME_EXPORTS.items()))
def test_each_runtime_export_is_the_package_attribute_from_the_module_it_names(
    name: str, module: str
) -> None:
    assert name in elkapi.__all__
    home = importlib.import_module(f"elkapi.{module}")
    assert getattr(elkapi, name) is getattr(home, name)


def test_every_module_the_list_names_is_copied_in_or_rendered() -> None:
    copied = {path.stem for path in runtime_files() if path.suffix == ".py"}
    named = set(RUNTIME_EXPORTS.values())
    assert named <= copied | RENDERED, sorted(named - copied - RENDERED)
