"""Where a client finds its key and server: the arguments first, then the environment."""

from __future__ import annotations

import pytest

import elkapi

CLIENTS = [elkapi.Client, elkapi.AsyncClient]


@pytest.mark.parametrize("make", CLIENTS)
def test_the_key_and_server_come_from_the_environment(
    make: type[elkapi.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELKAPI_API_KEY", "sk-from-env")
    monkeypatch.setenv("ELKAPI_BASE_URL", "http://env.example.test")
    client = make()
    request = elkapi.build_retrieve_video(
        api_key=client._api_key, base_url=client.base_url, task_id="t"
    )
    assert request.headers["Authorization"] == "Bearer sk-from-env"
    assert request.url == "http://env.example.test/v1/videos/t"


@pytest.mark.parametrize("make", CLIENTS)
def test_arguments_win_over_the_environment(
    make: type[elkapi.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELKAPI_API_KEY", "sk-from-env")
    monkeypatch.setenv("ELKAPI_BASE_URL", "http://env.example.test")
    client = make("sk-argument", "http://argument.example.test")
    assert client._api_key == "sk-argument" and client.base_url == "http://argument.example.test"


@pytest.mark.parametrize("make", CLIENTS)
def test_without_a_base_url_anywhere_the_spec_server_is_used(make: type[elkapi.Client]) -> None:
    assert make("k").base_url == elkapi.DEFAULT_BASE_URL


@pytest.mark.parametrize("make", CLIENTS)
@pytest.mark.parametrize("key", [None, ""])
def test_no_key_anywhere_is_a_clear_error(make: type[elkapi.Client], key: str | None) -> None:
    with pytest.raises(elkapi.ConfigurationError, match="ELKAPI_API_KEY") as raised:
        make(key)
    assert isinstance(raised.value, elkapi.ElkapiError)


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELKAPI_API_KEY", "")
    monkeypatch.setenv("ELKAPI_BASE_URL", "")
    with pytest.raises(elkapi.ConfigurationError):
        elkapi.Client()
    assert elkapi.Client("k").base_url == elkapi.DEFAULT_BASE_URL


def test_the_environment_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELKAPI_API_KEY", "sk-secret-from-env")
    client = elkapi.Client()
    assert "sk-secret-from-env" not in repr(client) + repr(client.with_raw_response)
