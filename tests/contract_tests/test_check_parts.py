"""The table of which parts of a ``Check`` each scope reads holds for every registered check."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from tests.contract import checks
from tests.support.documents import extended_document, loaded

DEFAULTS = {
    field.name: field.default
    for field in dataclasses.fields(checks.Check)
    if field.default is not dataclasses.MISSING
}


def _parts_set(check: checks.Check) -> set[str]:
    return {
        name
        for name, default in DEFAULTS.items()
        if name not in checks.COMMON_PARTS and getattr(check, name) != default
    }


def test_the_table_names_every_scope_and_every_part() -> None:
    assert set(checks.PARTS) == set(typing.get_args(checks.Scope))
    every_part = checks.COMMON_PARTS.union(*checks.PARTS.values())
    assert every_part == {field.name for field in dataclasses.fields(checks.Check)}


def test_every_check_sets_only_the_parts_its_scope_reads() -> None:
    for check in checks.registry().checks:
        assert _parts_set(check) <= checks.PARTS[check.scope], (check.id, _parts_set(check))


@pytest.mark.slow
def test_so_do_the_generic_checks_of_operations_no_code_names(tmp_path: Path) -> None:
    extended = checks.registry(loaded(extended_document(), tmp_path))
    generic = [c for c in extended.checks if c.id.startswith(f"{checks.GENERIC}.")]
    assert {c.scope for c in generic} == {"done", "finally"}
    for check in generic:
        assert _parts_set(check) <= checks.PARTS[check.scope], (check.id, _parts_set(check))


def test_every_scope_is_filled_by_some_check() -> None:
    assert {check.scope for check in checks.registry().checks} == set(checks.PARTS)
