"""``import elkapi`` is light: each public name loads its module on first use (PEP 562).

What is loaded is checked in a fresh interpreter, since this one has long
imported everything. No timing here: the numbers come from ``make bench``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pytest_httpserver import HTTPServer

import elkapi
from tests.contract import spec

# What the transport and the async client bring in; building a request needs none of them.
HEAVY = ("asyncio", "http.client", "urllib.request", "ssl", "email", "logging", "secrets")
TASK_ID = "task_abc123"

# Prints, after each step, which of HEAVY are loaded: argv is the generated folder, the
# server's URL and the task the server returns.
SCRIPT = f"""
import json, sys
sys.path.insert(0, sys.argv[1])
base_url, task = sys.argv[2], json.loads(sys.argv[3])

def loaded(step):
    print(step, json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))

import elkapi
loaded("import")
request = elkapi.build_retrieve_video(api_key="k", base_url=base_url, task_id={TASK_ID!r})
parsed = elkapi.parse_retrieve_video_response(
    200, {{"content-type": "application/json"}}, json.dumps(task).encode()
)
assert parsed.id == task["id"], parsed
try:
    elkapi.build_retrieve_video(api_key="k", task_id=7)
except elkapi.ElkapiError:
    pass
loaded("build")
client, async_client = elkapi.Client("k", base_url), elkapi.AsyncClient("k", base_url)
loaded("clients")
assert client.retrieve_video({TASK_ID!r}).id == task["id"]
loaded("send")
import asyncio
assert asyncio.run(async_client.retrieve_video({TASK_ID!r})).id == task["id"]
loaded("async")
"""


@pytest.mark.slow
def test_importing_and_building_load_no_transport_and_first_use_works(
    httpserver: HTTPServer,
) -> None:
    task = spec.load().submission().examples("response")["submitted"]
    httpserver.expect_request(f"/v1/videos/{TASK_ID}").respond_with_json(task)
    generated = str(spec.ROOT / "generated")
    done = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, generated, httpserver.url_for(""), json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    steps = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    loaded = {step: json.loads(names) for step, names in steps.items()}
    assert loaded["import"] == loaded["build"] == loaded["clients"] == []
    assert {"http.client", "logging"} <= set(loaded["send"])
    assert "asyncio" not in loaded["send"], "the blocking client needs no event loop"
    assert "asyncio" in loaded["async"]


def fresh(script: str) -> list[str]:
    """What ``script`` prints, run in a fresh interpreter that finds the generated package."""
    prelude = "import sys; sys.path.insert(0, sys.argv[1]); import elkapi; "
    done = subprocess.run(
        [sys.executable, "-I", "-c", prelude + script, str(spec.ROOT / "generated")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_every_public_name_is_listed_before_use_and_resolves() -> None:
    # A fresh interpreter: here every name is long loaded, and kept in the package.
    assert fresh(
        "listed = set(elkapi.__all__) <= set(dir(elkapi)); "
        "found = [n for n in elkapi.__all__ if getattr(elkapi, n) is not None]; "
        "print(listed, found == elkapi.__all__, elkapi.ElkapiError is elkapi.errors.Error, "
        "'Client' in vars(elkapi))"
    ) == ["True", "True", "True", "True"]
    assert elkapi.Client.__module__ == "elkapi.client"
    assert elkapi.HttpTransport is elkapi._http.HttpTransport


def test_a_submodule_is_an_attribute_as_when_the_package_imported_them_all() -> None:
    # The command line is not: it was never imported with the package.
    assert fresh(
        "print(elkapi._spec.VERSION == elkapi.__version__, elkapi.operations.__name__, "
        "hasattr(elkapi, '__main__'))"
    ) == ["True", "elkapi.operations", "False"]


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    with pytest.raises(AttributeError, match="module 'elkapi' has no attribute 'Clinet'"):
        elkapi.Clinet  # type: ignore[attr-defined]  # noqa: B018
    for name in ("no_such_module", "a.b"):
        assert not hasattr(elkapi, name), name
    with pytest.raises(ImportError, match="cannot import name 'Clinet' from 'elkapi'"):
        from elkapi import Clinet  # type: ignore[attr-defined]  # noqa: F401
