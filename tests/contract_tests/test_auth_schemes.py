"""API keys outside the bearer header: the contract tools follow each operation's security.

A copy of the project spec (with the operations ``test_declarative`` adds)
where ``listModels`` takes its key in a header of its own (``X-Api-Key``),
``labelVideo`` in the query string (``api_key``) and ``deleteVideo`` none
(``security: []``), while the task's own operations keep the bearer token. No
code of the contract tools names a scheme's header or parameter: the mock
checks each key where the spec says, the runner sends it there, and the auth
checks cover every operation that takes a key. A key in the query string is
in the URL of every request, so the reports are searched for it, in every
form it may be echoed in.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from tests.contract import checks, conformance
from tests.contract import spec as spec_module
from tests.contract.checks import KEY as OWN_KEY
from tests.contract.mock import MockApi, serve
from tests.contract.runner import Target
from tests.contract.spec import Auth
from tests.support.conformance_runs import answering, failed_rules, run_conformance, serving
from tests.support.documents import extended_document, loaded

# Characters a query string percent-encodes, so its encoded forms differ from the key.
KEY = "qk-7f3a/9b+c=d~e"
HEADER = Auth("apiKey", "header", "X-Api-Key")
QUERY = Auth("apiKey", "query", "api_key")
KEYED = ("listModels", "labelVideo")
AUTH_RULES = [
    f"{kind}.{operation_id}"
    for operation_id in KEYED
    for kind in (checks.AUTH_MISSING_TOKEN, checks.AUTH_WRONG_TOKEN)
]


def keyed_document() -> dict[str, Any]:
    """The extended project spec with an API key in a header, one in the query, and none."""
    document = extended_document()
    document["components"]["securitySchemes"].update(
        headerKey={"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        queryKey={"type": "apiKey", "in": "query", "name": "api_key"},
    )
    paths = document["paths"]
    paths["/v1/models"]["get"]["security"] = [{"headerKey": []}]
    paths["/v1/videos/{task_id}/labels"]["post"]["security"] = [{"queryKey": []}]
    paths[spec_module.load().retrieval().path]["delete"]["security"] = []
    return document


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> spec_module.Spec:
    return loaded(keyed_document(), tmp_path_factory.mktemp("spec"))


@pytest.fixture
def mock_url(keyed: spec_module.Spec) -> Iterator[str]:
    with serving(MockApi(api_key=KEY, spec=keyed)) as url:
        yield url


def run(
    base_url: str, spec: spec_module.Spec, tmp_path: Path, rules: tuple[str, ...] = ()
) -> tuple[int, list[str], str]:
    """Conformance in-process: the status, the stdout lines and the JUnit text."""
    target = Target(base_url, KEY, 200, submission=spec.submission())
    run = run_conformance(target, tmp_path, spec=spec, rules=rules)
    return run.status, run.out, run.report.read_text(encoding="utf-8")


def run_mock(
    api: MockApi, spec: spec_module.Spec, tmp_path: Path, rules: tuple[str, ...] = ()
) -> tuple[int, list[str], str]:
    with serving(api) as url:
        return run(url, spec, tmp_path, rules)


def reproduce(lines: list[str], rule: str) -> str:
    """The curl printed under the failure of ``rule``."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"FAIL  {rule}:"))
    found = [line for line in lines[start : start + 3] if "reproduce: curl" in line]
    assert found, f"no curl for {rule}"
    return found[0].split("reproduce: ", 1)[1]


def detail(lines: list[str], rule: str) -> str:
    """The line that says why ``rule`` failed."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"FAIL  {rule}:"))
    return lines[start + 1]


def leaks(text: str) -> bool:
    """Whether the key shows in ``text``: as it is, percent-encoded in any way, or base64.

    Decoding the whole text finds every percent-encoding, not only the ones
    the suite's own redaction thought of.
    """
    decoded = (text, urllib.parse.unquote(text), urllib.parse.unquote_plus(text))
    return any(KEY in form for form in decoded) or base64.b64encode(KEY.encode()).decode() in text


def raw_status(url: str, headers: dict[str, str], method: str = "GET") -> int:
    """The status of one request sent as given (no key placed by the suite)."""
    request = urllib.request.Request(url, None, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


# --- the spec model -------------------------------------------------------------------------


def test_the_spec_model_reads_where_each_key_travels(keyed: spec_module.Spec) -> None:
    auth = {op.operation_id: op.auth for op in keyed.operations}
    assert auth.pop("listModels") == HEADER
    assert auth.pop("labelVideo") == QUERY
    assert auth.pop("deleteVideo") is None  # security: [] overrides the document's bearer
    assert set(auth.values()) == {Auth("bearer")}, "the task's own operations keep the default"
    assert keyed.submission().needs_bearer and not keyed.operation("listModels").needs_bearer


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        ([], None),
        ([{}], None),  # anonymous access only
        ([{}, {"queryKey": []}], QUERY),  # a key is taken when one is offered
        ([{"oauth": []}, {}], None),  # nothing a key can be sent for, anonymous allowed
        ([{"oauth": []}, {"headerKey": []}], HEADER),  # the first one a key can be sent for
        ([{"headerKey": [], "queryKey": []}, {"bearerAuth": []}], Auth("bearer")),  # not both
        ([{"basic": []}, {"headerKey": []}], Auth("basic")),
    ],
)
def test_which_requirement_an_operation_takes(security: Any, expected: Auth | None) -> None:
    """The generator's rules (tests/generator/test_security.py checks the two agree)."""
    document = keyed_document()
    document["components"]["securitySchemes"].update(
        basic={"type": "http", "scheme": "basic"},
        oauth={"type": "oauth2", "flows": {}},
    )
    document["paths"]["/v1/models"]["get"]["security"] = security
    spec = spec_module.Spec(Path("inline.yaml"), document)
    assert spec.operation("listModels").auth == expected


def test_each_scheme_places_and_reads_its_key() -> None:
    headers: dict[str, str] = {}
    url = QUERY.place("http://h/p?limit=5", headers, KEY)
    assert url == "http://h/p?limit=5&api_key=" + urllib.parse.quote_plus(KEY) and not headers
    assert HEADER.place("http://h/p", headers, KEY) == "http://h/p" and headers == {
        "X-Api-Key": KEY
    }
    cookie: dict[str, str] = {}
    Auth("apiKey", "cookie", "session").place("http://h/p", cookie, KEY)
    assert cookie == {"Cookie": f"session={KEY}"}
    assert Auth("basic").value("ann:pw") == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert Auth("bearer").value(KEY) == f"Bearer {KEY}"


# --- the mock -------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_mock_checks_each_key_where_its_scheme_says(
    keyed: spec_module.Spec, mock_url: str
) -> None:
    target = Target(mock_url, KEY, 5, submission=keyed.submission())
    models, label = keyed.operation("listModels"), keyed.operation("labelVideo")
    assert target.send("GET", "/v1/models", op=models).status == 200
    assert target.send("GET", "/v1/models", token=None, op=models).status == 401
    assert target.send("GET", "/v1/models", token="wrong", op=models).status == 401
    labels, body = "/v1/videos/task_1/labels", b'{"label": "cat"}'
    assert target.send("POST", labels, body, op=label).status == 200
    assert target.send("POST", labels, body, token=None, op=label).status == 401
    assert target.send("POST", labels, body, token="wrong", op=label).status == 401
    # An operation without security takes no key, and the bearer ones keep theirs.
    deleted = keyed.operation("deleteVideo")
    assert target.send("DELETE", "/v1/videos/task_1", token=None, op=deleted).status == 200
    assert target.send("GET", "/v1/videos/task_unknown", token=None).status == 401
    # The right key in the wrong place is no key: a server reads only its scheme's place.
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert raw_status(mock_url + "/v1/models", bearer) == 401
    assert raw_status(mock_url + "/v1/models?api_key=" + urllib.parse.quote_plus(KEY), {}) == 401
    assert raw_status(mock_url + "/v1/models", {"x-api-key": KEY}) == 200  # any case, as HTTP


# --- conformance against the mock -----------------------------------------------------------


@pytest.mark.slow
def test_conformance_passes_and_checks_auth_on_every_keyed_operation(
    keyed: spec_module.Spec, mock_url: str, tmp_path: Path
) -> None:
    status, lines, _ = run(mock_url, keyed, tmp_path)
    assert status == 0, "\n".join(line for line in lines if not line.startswith("PASS"))
    passed = [line.split(":")[0].removeprefix("PASS  ") for line in lines if line[:4] == "PASS"]
    assert set(AUTH_RULES) <= set(passed)
    assert not [rule for rule in passed if rule.startswith("auth.") and "deleteVideo" in rule]
    assert {"operation.listModels", "operation.labelVideo", "operation.deleteVideo"} <= set(passed)


@pytest.mark.slow
@pytest.mark.parametrize("rule", AUTH_RULES)
def test_breaking_a_key_check_fails_exactly_that_rule(
    keyed: spec_module.Spec, tmp_path: Path, rule: str
) -> None:
    status, lines, junit = run_mock(
        MockApi(api_key=KEY, spec=keyed, broken=frozenset({rule})), keyed, tmp_path
    )
    assert status == 1
    assert failed_rules(lines) == [rule]
    curl = reproduce(lines, rule)
    assert "$ELKAPI_API_KEY" not in curl and not leaks("\n".join(lines) + junit)
    name = "X-Api-Key" if "listModels" in rule else "api_key="
    assert (name in curl) == rule.startswith(checks.AUTH_WRONG_TOKEN), curl


# --- the key never shows ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_key_in_the_query_never_shows_in_lines_or_junit(
    keyed: spec_module.Spec, tmp_path: Path
) -> None:
    """A server echoing each request's URL and headers: every form of the key is redacted."""
    api = MockApi(api_key=KEY, spec=keyed, broken=frozenset({"auth.wrong-token.labelVideo"}))

    def echoing(request: Request) -> Response:
        answer = api.handle(request)
        if request.path.endswith(("/labels", "/models")) and answer.status_code == 200:
            echo = {"url": request.url, "key": request.headers.get("X-Api-Key")}
            return Response(json.dumps(echo), 200, content_type="application/json")
        return answer

    with answering(echoing) as base_url:
        status, lines, junit = run(base_url, keyed, tmp_path)
    assert status == 1
    assert set(failed_rules(lines)) == {
        "auth.wrong-token.labelVideo",
        "operation.labelVideo",
        "operation.listModels",
    }
    assert not leaks("\n".join(lines)) and not leaks(junit)
    # The echoed key is replaced, raw (a header) and percent-encoded (the URL), not cut out.
    assert "$ELKAPI_API_KEY" in detail(lines, "operation.listModels")
    assert "api_key=$ELKAPI_API_KEY" in detail(lines, "operation.labelVideo")
    # The URL in the curl line carries the variable, in double quotes for the shell.
    curl = reproduce(lines, "operation.labelVideo")
    assert re.search(r'"http://[^"]+/labels\?api_key=\$ELKAPI_API_KEY"', curl), curl
    assert "Authorization" not in curl
    assert '-H "X-Api-Key: $ELKAPI_API_KEY"' in reproduce(lines, "operation.listModels")
    failures = ET.fromstring(junit).iter("failure")
    assert any("api_key=$ELKAPI_API_KEY" in (f.text or "") for f in failures)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_the_curl_line_of_a_query_key_repeats_the_request(
    keyed: spec_module.Spec, tmp_path: Path
) -> None:
    """Run as printed, with the key in the environment, the curl gets the mock's answer.

    The key is URL-safe: the line pastes it into the URL as it is (see ``runner._curl_key``).
    """
    safe_key = "qk-7f3a9bcde"
    api = MockApi(api_key=safe_key, spec=keyed, broken=frozenset({"operation.labelVideo"}))
    server = serve(api)
    try:
        base_url = server.url_for("/").rstrip("/")
        target = Target(base_url, safe_key, 200, submission=keyed.submission())
        lines: list[str] = []
        status = conformance.run(
            target,
            examples=1,
            report_path=tmp_path / "r.xml",
            out=lines.append,
            spec=keyed,
            rules=("operation.labelVideo",),
        )
        assert status == 1
        curl = reproduce(lines, "operation.labelVideo")
        shell = subprocess.run(
            ["sh", "-c", curl + " -o /dev/null -w '%{http_code}'"],
            env={"ELKAPI_API_KEY": safe_key, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        server.stop()
    # The broken mock answers 200 with a body its schema refuses: the key got through.
    assert shell.stdout == "200", (curl, shell.stdout, shell.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8080", "http://[::1]:8080"])
@pytest.mark.parametrize("auth", [Auth("apiKey", "query", "key"), Auth("bearer", "header")])
def test_a_curl_line_is_one_url_word_with_the_key_left_to_the_shell(
    base_url: str, auth: Auth
) -> None:
    # A URL the shell must quote ([::1]) once held the placeholder inside single quotes.
    target = Target(base_url, "sk-never-shown", 10)
    line = target.curl("GET", "/v1/videos/t", None, OWN_KEY, auth)
    words = shlex.split(line)
    assert words[4].startswith(base_url + "/v1/videos/t")
    expanded = [w.replace("$ELKAPI_API_KEY", "K") for w in words]
    assert any("K" in w for w in expanded) and "sk-never-shown" not in line
    if auth.location == "query":
        assert words[4] == f"{base_url}/v1/videos/t?key=$ELKAPI_API_KEY"
        # What the shell makes of the URL word: the key in place of its variable.
        shown = subprocess.run(
            ["sh", "-c", f"printf %s {line.split(' ')[4]}"],
            env={"ELKAPI_API_KEY": "K"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert shown == f"{base_url}/v1/videos/t?key=K"
