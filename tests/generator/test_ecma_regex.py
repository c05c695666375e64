"""The ECMA-262 -> Python translation matches what an ECMA-262 engine (regress) matches."""

from __future__ import annotations

import re
from typing import Any

import pytest
import regress
from hypothesis import given
from hypothesis import strategies as st

from codegen.ecma_regex import UnsupportedPatternError, finite_matches, negated_class, translate
from tests.contract import spec


def spec_patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in spec_patterns(value)]
    if isinstance(node, list):
        return [p for item in node for p in spec_patterns(item)]
    return []


# Each of these means something else in Python's re if copied as is.
TRICKY = [
    r"^\d+$",
    r"\w+",
    r"^\s*$",
    r"\S",
    r"^a.b$",
    r"[\d\s]",
    r"\bword\b",
    r"^[^\w]$",
    r"(?<year>\d{4})-\k<year>",
    r"\u00e9|\x41",
    r"[&~|]",
    r"a$",
    r"\D\W",
]
PATTERNS = sorted(set(spec_patterns(spec.load().document))) + TRICKY
# Characters on which Python's and ECMA-262's classes disagree.
EDGES = "0a_ \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u0663\u00e9\u2028\u2029\u3000\ufeff\u200bAé-/=+:"
TEXT = st.one_of(st.text(), st.text(alphabet=EDGES, max_size=8))


def ecma_matches(pattern: str, text: str) -> bool:
    return regress.Regex(pattern, "u").find(text) is not None


@pytest.mark.parametrize("pattern", PATTERNS)
def test_translation_matches_ecma_262(pattern: str) -> None:
    compiled = re.compile(translate(pattern))

    @given(text=st.one_of(TEXT, st.from_regex(compiled)))
    def check(text: str) -> None:
        assert (compiled.search(text) is not None) == ecma_matches(pattern, text), repr(text)

    check()


@pytest.mark.parametrize(
    ("pattern", "text", "python_says"),
    [
        (r"^\d$", "\u0663", True),
        (r"^\s$", "\ufeff", False),
        (r"^a$", "a\n", True),
        (r"^.$", "\u2028", True),
        (r"^\w$", "é", True),
    ],
)
def test_each_known_difference_is_translated(pattern: str, text: str, python_says: bool) -> None:
    assert (re.search(pattern, text) is not None) == python_says
    assert (re.search(translate(pattern), text) is not None) == ecma_matches(pattern, text)
    assert python_says != ecma_matches(pattern, text)


@pytest.mark.parametrize("pattern", [r"\p{L}", r"[\S]", r"(?i)a", r"\A", "[^]", r"\c1"])
def test_untranslatable_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(UnsupportedPatternError) as raised:
        translate(pattern)
    assert pattern in str(raised.value)


FINITE = [
    r"^(?:[4-9]|1[0-5])$",
    r"^v[12](?:\.0)?$",
    r"^(a|bc){0,2}$",
    r"^[0-3]\d?$",
    r"^(?:x|y)?z$",
    r"^[a-c][a-c]?$",
    r"^$",
]
# Unanchored, unbounded, too many strings, or beyond literals: searched as before.
NOT_FINITE = [r"\S", r"^a+$", r"^a*$", r"a$", r"^a", r"^[^a]$", r"^\w\w$", r"^.$", r"^\d{3}$"]
NEAR = st.text(alphabet="0123456789.abcvxyz", max_size=5) | st.text(max_size=5)


@pytest.mark.parametrize("pattern", FINITE)
@given(text=NEAR)
def test_a_finite_pattern_is_the_set_of_its_strings(pattern: str, text: str) -> None:
    python = translate(pattern)
    matches = finite_matches(python)
    assert matches is not None and matches == sorted(matches)
    compiled = re.compile(python)
    near = [text, *(m + text for m in matches), *(text + m for m in matches)]
    for candidate in [*matches, *near, *(m[:-1] for m in matches if m)]:
        assert (candidate in matches) is (compiled.search(candidate) is not None), candidate


@pytest.mark.parametrize("pattern", NOT_FINITE)
def test_other_patterns_are_not_made_sets(pattern: str) -> None:
    assert finite_matches(translate(pattern)) is None


NEGATED = [r"\S", r"[^abc]", r"[^a-f0-9]", r"[^\s_]", r"\D", r"\W"]
NOT_NEGATED = [r"[abc]", r"^\S", r"\S\S", r"[^\u0100-\u01ff]", r"\S+", r"[^a]b"]
BLANKISH = st.text(alphabet=" \t\n\xa0\u2003\u3000\ufeff\x1c\x85abcf09_", max_size=6)


@pytest.mark.parametrize("pattern", NEGATED)
@given(text=BLANKISH | st.text(max_size=6))
def test_a_negated_class_is_what_strip_leaves(pattern: str, text: str) -> None:
    python = translate(pattern)
    chars = negated_class(python)
    assert chars is not None
    assert (text.strip(chars) != "") is (re.search(python, text) is not None)


@pytest.mark.parametrize("pattern", NOT_NEGATED)
def test_other_patterns_are_not_stripped(pattern: str) -> None:
    assert negated_class(translate(pattern)) is None
