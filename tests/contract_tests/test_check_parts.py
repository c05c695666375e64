"""The table of which parts of a ``Check`` each scope reads holds for every registered check."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from tests.contract import checks
from tests.support.documents import extended_document, loaded

DEFAULTS = {
    field.name: field.default
    for field in dataclasses.fields(checks.Check)
    if field.default is not dataclasses.MISSING
}


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> list[checks.Registry]:
    extended = loaded(extended_document(), tmp_path_factory.mktemp("spec"))
    return [checks.registry(), checks.registry(extended)]


def test_the_table_names_every_scope_and_every_part() -> None:
    assert set(checks.PARTS) == set(typing.get_args(checks.Scope))
    every_part = checks.COMMON_PARTS.union(*checks.PARTS.values())
    assert every_part == {field.name for field in dataclasses.fields(checks.Check)}


def test_every_check_sets_only_the_parts_its_scope_reads(
    registries: list[checks.Registry],
) -> None:
    for registry in registries:
        for check in registry.checks:
            set_parts = {
                name
                for name, default in DEFAULTS.items()
                if name not in checks.COMMON_PARTS and getattr(check, name) != default
            }
            assert set_parts <= checks.PARTS[check.scope], (check.id, check.scope, set_parts)


def test_every_scope_is_filled_by_some_check(registries: list[checks.Registry]) -> None:
    filled = {check.scope for registry in registries for check in registry.checks}
    assert filled == set(checks.PARTS)
