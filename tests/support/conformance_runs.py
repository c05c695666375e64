"""Conformance mode run in-process against a loopback server: the mock, or any handler."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug import Request, Response

from tests.contract import conformance
from tests.contract.mock import MockApi, serve
from tests.contract.runner import FUZZ_EXAMPLES, Target
from tests.contract.server import QuickServer
from tests.contract.spec import Spec


@contextmanager
def answering(handler: Callable[[Request], Response]) -> Iterator[str]:
    """A loopback server answering every request with ``handler``; yields its base URL."""
    server = QuickServer(host="127.0.0.1", port=0)
    server.expect_request(re.compile(".*")).respond_with_handler(handler)
    server.start()
    try:
        yield server.url_for("/").rstrip("/")
    finally:
        server.stop()


@contextmanager
def serving(api: MockApi) -> Iterator[str]:
    """The mock gateway ``api`` on a loopback server; yields its base URL."""
    server = serve(api)
    try:
        yield server.url_for("/").rstrip("/")
    finally:
        server.stop()


@dataclass(frozen=True)
class Run:
    """What one in-process run printed and reported."""

    status: int
    out: list[str]
    report: Path
    # The lines meant for stderr, when asked apart (else they are in ``out``).
    err: list[str] = field(default_factory=list)

    def junit(self) -> ET.Element:
        """The root of the JUnit report."""
        return ET.parse(self.report).getroot()


def failed_rules(lines: Sequence[str]) -> list[str]:
    """The ids of the rules a stdout report marks FAIL, in order."""
    return [line.split(":")[0].removeprefix("FAIL  ") for line in lines if line.startswith("FAIL")]


def run_conformance(
    target: Target,
    tmp_path: Path,
    *,
    spec: Spec | None = None,
    rules: Sequence[str] = (),
    examples: int = 1,
    fuzz: int = FUZZ_EXAMPLES,
    errors_apart: bool = False,
) -> Run:
    """Run conformance mode on ``target``, its JUnit report in ``tmp_path``."""
    out: list[str] = []
    err: list[str] = []
    report = tmp_path / "r.xml"
    status = conformance.run(
        target,
        examples=examples,
        report_path=report,
        out=out.append,
        spec=spec,
        rules=rules,
        err=err.append if errors_apart else None,
        fuzz=fuzz,
    )
    return Run(status, out, report, err)
