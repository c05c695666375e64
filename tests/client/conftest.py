"""Fixtures of the client tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.servers import RawServer


@pytest.fixture
def raw_servers() -> Iterator[Callable[[list[Any]], RawServer]]:
    """Start loopback servers that answer from a script; all are closed after the test."""
    started: list[RawServer] = []

    def start(script: list[Any]) -> RawServer:
        started.append(RawServer(script))
        return started[-1]

    yield start
    for server in started:
        server.close()
