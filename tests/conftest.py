"""Shared fixtures: Hypothesis profiles and the mock server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import elkapi
from tests.contract.mock import MockApi, serve
from tests.support.keys import API_KEY

# "ci" is derandomized: the same examples every run, so a failure reproduces.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _no_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients read their key and server from the environment: tests start without either."""
    for name in ("ELKAPI_API_KEY", "ELKAPI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def mock_api() -> MockApi:
    """The mock gateway's state (tasks, upstream log); shared, so tests read only their own."""
    return MockApi(api_key=API_KEY)


@pytest.fixture(scope="session")
def base_url(mock_api: MockApi) -> Iterator[str]:
    """The URL of a running mock server."""
    server = serve(mock_api)
    yield server.url_for("/").rstrip("/")
    server.stop()


@pytest.fixture(scope="session")
def client(base_url: str) -> elkapi.Client:
    """A generated client pointed at the mock with the right key."""
    return elkapi.Client(api_key=API_KEY, base_url=base_url, timeout=10)
