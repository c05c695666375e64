"""Reporters: what a run's outcomes look like on stdout and in JUnit XML.

Both redact the key: a server may echo it back in a body the report quotes.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from codegen.runtime._printable import escape
from codegen.runtime._secrets import hide_cut_starts
from tests.contract import coverage
from tests.contract.runner import COVERAGE, KEY_PLACEHOLDER, RunResult


def redact(text: str, api_key: str) -> str:
    """``text`` with the key replaced, in case a server echoed it back, and made safe to show.

    Also its forms on the wire: percent-encoded (a key in the query, echoed in
    a URL) and base64 (HTTP basic, echoed from the header); and the start of
    one that a cut (``…``) left behind, since the server's text is shortened
    before it reaches a report. Characters a terminal would act on (controls
    other than a line break or tab, bidi overrides) are written as escapes.
    """
    if api_key:
        text = key_pattern(api_key).sub(KEY_PLACEHOLDER, text)
        quoted = urllib.parse.quote(api_key, safe="")
        forms = (api_key, quoted, base64.b64encode(api_key.encode()).decode())
        text = hide_cut_starts(text, forms, KEY_PLACEHOLDER)
    return "".join(c if c.isprintable() or c in "\n\t" else escape(c) for c in text)


def key_pattern(api_key: str) -> re.Pattern[str]:
    """Every form of ``api_key`` a server may echo: as it is, percent-encoded, base64.

    Percent-encoding is not canonical (servers and libraries each escape
    their own set of characters, in either case), so each character may come
    as itself or escaped, and a space also as ``+``.
    """
    parts = []
    for char in api_key:
        escaped = "".join(f"%{byte:02X}" for byte in char.encode())
        forms = [re.escape(char), f"(?i:{re.escape(escaped)})", *([r"\+"] if char == " " else [])]
        parts.append("(?:" + "|".join(forms) + ")")
    encoded = re.escape(base64.b64encode(api_key.encode()).decode())
    return re.compile(f"{''.join(parts)}|{encoded}")


def stdout(result: RunResult, out: Callable[[str], None], api_key: str = "") -> None:
    """The human summary: one line per rule, a curl for each failure, spending, totals."""

    def say(line: str) -> None:
        out(redact(line, api_key))

    say(f"ElkAPI conformance: {result.base_url}")
    for outcome in result.outcomes:
        say(f"{outcome.status.upper():5} {outcome.rule}: {outcome.description}")
        if outcome.detail:
            say(f"      {outcome.detail}")
        if outcome.curl:
            say(f"      reproduce: {outcome.curl}")
    if result.coverage:
        say("coverage: the spec's rules and the cases that exercised them")
        for line in coverage.table(list(result.coverage)):
            say(f"  {line}")
    counts = {s: sum(o.status == s for o in result.outcomes) for s in ("pass", "fail", "skip")}
    say(f"budget: {result.spent} of {result.budget} accepted submissions spent")
    say(f"requests: {result.requests} in {result.elapsed:.1f}s")
    say(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    if result.stopped:
        say(f"stopped before every rule ran: {result.stopped}")


def junit(result: RunResult, path: Path, api_key: str = "") -> None:
    """Write the outcomes as JUnit XML to ``path``."""
    outcomes = result.outcomes
    root = ET.Element(
        "testsuite",
        name="elkapi-conformance",
        tests=str(len(outcomes)),
        failures=str(sum(o.status == "fail" for o in outcomes)),
        skipped=str(sum(o.status == "skip" for o in outcomes)),
        time=f"{result.elapsed:.3f}",
    )
    if result.stopped:
        properties = ET.SubElement(root, "properties")
        ET.SubElement(properties, "property", name="stopped", value=redact(result.stopped, api_key))
    for outcome in outcomes:
        case = ET.SubElement(root, "testcase", classname="conformance", name=outcome.rule)
        detail, curl = redact(outcome.detail, api_key), redact(outcome.curl, api_key)
        if outcome.status == "fail":
            failure = ET.SubElement(case, "failure", message=detail)
            failure.text = f"{outcome.description}\n{detail}\nreproduce: {curl}"
        elif outcome.status == "skip":
            ET.SubElement(case, "skipped", message=detail)
        if outcome.rule == COVERAGE and result.coverage:
            _coverage(case, result)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def junit_error(path: Path, message: str, api_key: str = "") -> None:
    """Write a JUnit report of a run that could not start judging: one error, no rule."""
    root = ET.Element("testsuite", name="elkapi-conformance", tests="1", errors="1", failures="0")
    case = ET.SubElement(root, "testcase", classname="conformance", name="could-not-run")
    ET.SubElement(case, "error", message=redact(message, api_key))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _coverage(case: ET.Element, result: RunResult) -> None:
    """The coverage table inside the coverage testcase: a property per rule, and as text."""
    properties = ET.SubElement(case, "properties")
    for row in result.coverage:
        value = f"{row.verdict}; refusals {dict(row.refused)}; acceptances {dict(row.accepted)}"
        ET.SubElement(
            properties, "property", name=f"{row.kind} {row.where} {row.keyword}", value=value
        )
    output = ET.SubElement(case, "system-out")
    output.text = "\n".join(coverage.table(list(result.coverage)))
