"""What a report shows of a server's text: never a part of the key, nothing a terminal acts on."""

from __future__ import annotations

import base64
import urllib.parse

import pytest

from codegen.runtime._secrets import SHORTEST_START
from tests.contract import report
from tests.contract.checks import snippet
from tests.contract.runner import KEY_PLACEHOLDER

KEY = "sk-live-" + "9d" * 16


@pytest.mark.parametrize(
    "form",
    [KEY, urllib.parse.quote(KEY, safe=""), base64.b64encode(KEY.encode()).decode()],
    ids=["plain", "percent-encoded", "base64"],
)
def test_a_key_cut_short_by_a_snippet_leaves_no_part_behind(form: str) -> None:
    """At every offset, the start of an echoed key left before the cut is hidden too."""
    for offset in range(0, 220):
        body = ("x" * offset + form).encode()
        shown = report.redact(snippet(body), KEY)
        assert form[:SHORTEST_START] not in shown, (offset, shown)
        if form in snippet(body):
            assert KEY_PLACEHOLDER in shown, (offset, shown)


def test_text_shorter_than_a_part_of_the_key_is_left_alone() -> None:
    assert report.redact("sk-…", KEY) == "sk-…"
    assert report.redact("work done…", KEY) == "work done…"


def test_server_text_a_terminal_would_act_on_is_escaped() -> None:
    shown = report.redact("a\x1b[2J\u202eb\x85c\nd\te", KEY)
    assert shown == "a\\x1b[2J\\u202eb\\x85c\nd\te"
