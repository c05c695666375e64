"""Security schemes: where each puts the key, which requirement an operation takes, what is refused.

One inline spec declares every scheme the generator supports (an API key in a
header, in the query, in a cookie; HTTP bearer and basic) and one it does not
(OAuth 2). Its package is generated once; a server echoing the key back in
every way it can shows that a key sent in a header of its own or in the query
string is hidden as well as a bearer token: in errors, reprs, logs and raw
responses.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.loader import SpecError
from codegen.parser import parse
from tests.contract.spec import Spec as ContractSpec
from tests.support.inline import generated

# A key with a scheme word in front, as Discord's bot tokens are sent, and with
# characters a query string percent-encodes.
KEY = "Bot sk-Zq7Wx3Lm9Rv2/Tn8+Pk4"
TOKEN = KEY.split(" ")[1]
FORMS = (KEY, TOKEN, urllib.parse.quote(KEY, safe=""), urllib.parse.quote_plus(KEY))
COOKIE_KEY = "ck-Zq7Wx3Lm9Rv2Tn8Pk4"
SCHEMES: dict[str, Any] = {
    "header": {"type": "apiKey", "in": "header", "name": "X-Api-Token"},
    "query": {"type": "apiKey", "in": "query", "name": "key"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {"type": "http", "scheme": "basic"},
    "oauth": {
        "type": "oauth2",
        "flows": {"implicit": {"authorizationUrl": "https://auth.test/", "scopes": {}}},
    },
}
STATUS = {"type": "object", "properties": {"status": {"enum": ["queued", "done"]}}}


def spec(paths: dict[str, Any], security: Any = None) -> dict[str, Any]:
    """An OpenAPI 3.1 document with every scheme; the header key by default."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Keys", "version": "1.0.0"},
        "servers": [{"url": "https://keys.example.test"}],
        "security": [{"header": []}] if security is None else security,
        "paths": paths,
        "components": {"securitySchemes": SCHEMES},
    }


def get(operation_id: str, **extra: Any) -> dict[str, Any]:
    ok = {"description": "ok", "content": {"application/json": {"schema": STATUS}}}
    return {"get": {"operationId": operation_id, "responses": {"200": ok}, **extra}}


def body_op(operation_id: str, schema: Any, required: bool, *media: str) -> dict[str, Any]:
    content = {m: {"schema": schema} for m in media or ("application/json",)}
    return {
        "post": {
            "operationId": operation_id,
            "requestBody": {"required": required, "content": content},
            "responses": {"204": {"description": "done"}},
        }
    }


MEMBER = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string", "minLength": 1}, "flags": {"type": "integer"}},
}
NOTE = {"type": "object", "properties": {"text": {"type": "string"}}}
PATHS = {
    "/default": get("getDefault"),
    "/query": get(
        "getQuery",
        security=[{"query": []}],
        parameters=[{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
    ),
    "/cookie": get("getCookie", security=[{"cookie": []}]),
    "/bearer": get("getBearer", security=[{"bearer": []}]),
    "/basic": get("getBasic", security=[{"basic": []}]),
    "/open": get("getOpen", security=[]),
    "/either": get("getEither", security=[{"oauth": []}, {"query": []}]),
    "/members": body_op(
        "bulkMembers", {"type": "array", "items": MEMBER, "minItems": 1, "maxItems": 3}, True
    ),
    "/tags": body_op(
        "putTags",
        {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2},
        True,
        "application/json",
        "application/x-www-form-urlencoded",
    ),
    "/maybe": body_op("maybeList", {"type": ["array", "null"], "items": {"type": "string"}}, False),
    "/nulls": body_op("nullList", {"type": ["array", "null"], "items": {"type": "string"}}, True),
    "/notes": {"post": {**body_op("postNote", NOTE, True)["post"], "security": []}},
    # A JSON body and no parameters: built by the runtime's quick path.
    "/basic-notes": {
        "post": {**body_op("postBasicNote", NOTE, True)["post"], "security": [{"basic": []}]}
    },
    "/cookie-notes": {
        "post": {**body_op("postCookieNote", NOTE, True)["post"], "security": [{"cookie": []}]}
    },
    "/bearer-notes": {
        "post": {**body_op("postBearerNote", NOTE, True)["post"], "security": [{"bearer": []}]}
    },
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with generated(spec(PATHS), tmp_path_factory.mktemp("security")) as module:
        yield module


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


# --- where the key goes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "key", "header", "value"),
    [
        ("get_default", KEY, "X-Api-Token", KEY),  # the document's default requirement
        ("get_cookie", COOKIE_KEY, "Cookie", f"session={COOKIE_KEY}"),
        ("get_bearer", KEY, "Authorization", f"Bearer {KEY}"),
        ("get_basic", "ann:pa ss", "Authorization", basic("ann:pa ss")),
    ],
)
def test_a_header_key_goes_where_its_scheme_says(
    package: ModuleType, operation: str, key: str, header: str, value: str
) -> None:
    request = getattr(package, f"build_{operation}")(api_key=key)
    assert request.headers[header] == value
    others = {"X-Api-Token", "Cookie", "Authorization"} - {header}
    assert not others & set(request.headers) and "?" not in request.url


@pytest.mark.parametrize("operation", ["get_query", "get_either"])
def test_a_query_key_is_percent_encoded_after_the_parameters(
    package: ModuleType, operation: str
) -> None:
    """``get_either`` offers OAuth 2 first, which the generator skips for the query key."""
    arguments = {"limit": 5} if operation == "get_query" else {}
    request = getattr(package, f"build_{operation}")(api_key=KEY, **arguments)
    query = urllib.parse.urlsplit(request.url).query
    assert urllib.parse.parse_qsl(query)[-1] == ("key", KEY)
    assert ("limit=5&" if arguments else "") + "key=" + urllib.parse.quote_plus(KEY) == query
    assert not {"X-Api-Token", "Authorization", "Cookie"} & set(request.headers)


def test_security_empty_takes_no_key(package: ModuleType) -> None:
    request = package.build_get_open()
    assert "?" not in request.url
    assert set(request.headers) == {"Accept", "User-Agent"}


@pytest.mark.parametrize(
    ("operation", "key", "rule"),
    [
        ("get_cookie", "a;b", "cookie"),
        ("get_cookie", "a b", "cookie"),
        ("get_basic", "no-colon", "basic"),
        ("get_query", "", "required"),
        ("get_default", "k\r\nX-Evil: 1", "header"),
        ("post_basic_note", "no-colon", "basic"),
        ("post_cookie_note", "a;b", "cookie"),
        ("post_bearer_note", "   ", "required"),
        ("post_bearer_note", "k\u00e9y", "header"),
    ],
)
def test_a_key_its_scheme_cannot_carry_is_refused_unshown(
    package: ModuleType, operation: str, key: str, rule: str
) -> None:
    with pytest.raises(package.RequestValidationError) as raised:
        getattr(package, f"build_{operation}")(api_key=key)
    assert [(e.path, e.rule) for e in raised.value.errors] == [("api_key", rule)]
    assert not key or key not in str(raised.value)


# --- the key never shows ---------------------------------------------------------------------


def echoing(package: ModuleType, status: int) -> Any:
    """A server that echoes the key it was sent in every form, in its body and headers."""

    def answer(request: Any) -> Any:
        sent = " ".join(FORMS)
        body = {"error": {"message": f"bad key {sent}"}, "seen": [request.url, sent]}
        headers = {"content-type": "application/json", "x-echo": sent, "x-request-id": sent}
        return package.HttpResponse(status, headers, json.dumps(body).encode())

    return answer


def leaked(*texts: str) -> list[str]:
    return [text for text in texts if any(form in text for form in FORMS)]


@pytest.mark.parametrize("operation", ["get_default", "get_query"])
def test_a_key_in_its_own_header_or_the_query_never_shows(
    package: ModuleType, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = package.MockTransport(echoing(package, 401))
    client = package.Client(api_key=KEY, transport=transport)
    caplog.set_level(logging.DEBUG, logger=package.__name__)
    with pytest.raises(package.AuthenticationError) as raised:
        getattr(client, operation)()
    error = raised.value
    sent = transport.requests[0]
    assert urllib.parse.quote_plus(KEY) in sent.url or sent.headers.get("X-Api-Token") == KEY
    shown = [
        str(error),
        repr(error),
        error.message,
        repr(error.body),
        repr(error.headers),
        str(error.request_id),
        repr(sent),
        caplog.text,
    ]
    assert not leaked(*shown), leaked(*shown)
    assert "***" in error.message and "***" in repr(sent)


@pytest.mark.parametrize("operation", ["get_default", "get_query"])
def test_a_raw_response_echoing_the_key_never_shows_it(package: ModuleType, operation: str) -> None:
    client = package.Client(api_key=KEY, transport=package.MockTransport(echoing(package, 503)))
    raw = getattr(client.with_options(max_retries=0).with_raw_response, operation)()
    assert raw.status_code == 503
    assert not leaked(repr(raw), str(raw.request_id)), repr(raw)
    with pytest.raises(package.ServerError) as raised:
        raw.parse()
    assert not leaked(str(raised.value), repr(raised.value.body))


@pytest.mark.parametrize("operation", ["get_default", "get_query"])
def test_a_kept_status_echoing_the_key_is_logged_without_it(
    package: ModuleType, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"status": TOKEN}).encode()
    transport = package.MockTransport(
        lambda request: package.HttpResponse(200, {"content-type": "application/json"}, body)
    )
    caplog.set_level(logging.DEBUG, logger=package.__name__)
    result = getattr(package.Client(api_key=KEY, transport=transport), operation)()
    assert result.status == TOKEN  # kept as it came: the caller asked for it
    assert "kept as it came" in caplog.text and not leaked(caplog.text), caplog.text


def test_a_redirect_to_another_origin_drops_a_key_header_of_any_name(package: ModuleType) -> None:
    def answer(request: Any) -> Any:
        if "keys.example.test" in request.url:
            return package.HttpResponse(302, {"location": "https://other.test/default"}, b"")
        return package.HttpResponse(200, {"content-type": "application/json"}, b"{}")

    transport = package.MockTransport(answer)
    package.Client(api_key=KEY, transport=transport).get_default()
    first, second = transport.requests
    assert first.headers["X-Api-Token"] == KEY
    assert "X-Api-Token" not in second.headers and not leaked(repr(second), second.url)


def follow(package: ModuleType, location: str) -> tuple[Any, Any]:
    """``get_query(limit=5)`` redirected once to ``location``: the two requests sent."""

    def answer(request: Any) -> Any:
        if request.url.startswith("https://keys.example.test/query"):
            return package.HttpResponse(302, {"location": location}, b"")
        return package.HttpResponse(200, {"content-type": "application/json"}, b"{}")

    transport = package.MockTransport(answer)
    package.Client(api_key=KEY, transport=transport).get_query(limit=5)
    first, second = transport.requests
    return first, second


@pytest.mark.parametrize(
    ("location", "query"),
    [
        ("/moved?page=2", "page=2"),
        ("https://keys.example.test/moved", ""),
        # A parameter of the key's name in the Location gives way: one key, the client's.
        ("/moved?key=stale&page=%7E2", "page=%7E2"),
    ],
)
def test_a_redirect_on_the_same_origin_keeps_a_query_key(
    package: ModuleType, location: str, query: str
) -> None:
    """The Location's query stays as written; the key is added after it, as the builder does."""
    first, second = follow(package, location)
    expected = "&".join(filter(None, [query, "key=" + urllib.parse.quote_plus(KEY)]))
    assert second.url == f"https://keys.example.test/moved?{expected}"
    assert urllib.parse.parse_qsl(urllib.parse.urlsplit(first.url).query)[-1] == ("key", KEY)
    assert not leaked(repr(second))


@pytest.mark.parametrize(
    ("location", "sent"),
    [
        ("https://other.test/moved?page=2", "https://other.test/moved?page=2"),
        # Echoed into the Location by the server: the key still never leaves for the other origin.
        (
            "https://other.test/moved?page=2&key=" + urllib.parse.quote(KEY, safe=""),
            "https://other.test/moved?page=2",
        ),
        # The other origin's own parameter of that name is its own business.
        ("https://other.test/moved?key=theirs", "https://other.test/moved?key=theirs"),
        ("https://keys.example.test:8443/moved", "https://keys.example.test:8443/moved"),  # a port
    ],
)
def test_a_redirect_to_another_origin_never_carries_a_query_key(
    package: ModuleType, location: str, sent: str
) -> None:
    _, second = follow(package, location)
    assert second.url == sent and not leaked(second.url)


# --- bodies that are not objects with properties ----------------------------------------------


def test_an_array_body_is_passed_whole_and_checked(package: ModuleType) -> None:
    members = [{"id": "1"}, {"id": "2", "flags": 4}]
    request = package.build_bulk_members(api_key=KEY, body=members)
    assert request.json() == members and request.headers["Content-Type"] == "application/json"
    for bad, where in [([], ("body", "minItems")), ([{"id": ""}], ("body[0].id", "minLength"))]:
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_bulk_members(api_key=KEY, body=bad)
        assert [(e.path, e.rule) for e in raised.value.errors] == [where]
    transport = package.MockTransport(lambda request: package.HttpResponse(204, {}, b""))
    package.Client(api_key=KEY, transport=transport).bulk_members(body=members)
    assert transport.requests[0].json() == members


def test_a_map_body_is_passed_whole_in_any_of_its_media_types(package: ModuleType) -> None:
    request = package.build_put_tags(api_key=KEY, body={"a": "x", "b": "y"})
    assert request.json() == {"a": "x", "b": "y"}
    form = package.build_put_tags(
        api_key=KEY, body={"a": "x y"}, content_type="application/x-www-form-urlencoded"
    )
    assert form.content() == b"a=x+y"
    with pytest.raises(package.RequestValidationError) as raised:
        package.build_put_tags(api_key=KEY, body={"a": "1", "b": "2", "c": "3"})
    assert [(e.path, e.rule) for e in raised.value.errors] == [("body", "maxProperties")]


def test_an_optional_whole_body_left_out_sends_none_and_a_required_null_sends_null(
    package: ModuleType,
) -> None:
    assert package.build_maybe_list(api_key=KEY).body is None
    assert package.build_maybe_list(api_key=KEY, body=["a"]).json() == ["a"]
    assert package.build_null_list(api_key=KEY, body=None).content() == b"null"


# --- what is refused, with the place named ----------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "security", "schemes", "message"),
    [
        (
            {"/x": get("getX", security=[{"oauth": []}])},
            None,
            {},
            "paths./x.get.security: no requirement the generator supports "
            "(components.securitySchemes.oauth: type oauth2 is not supported)",
        ),
        (
            {"/x": get("getX")},
            [{"oauth": []}],
            {},
            "security: no requirement the generator supports",
        ),
        (
            {"/x": get("getX", security=[{"header": [], "query": []}])},
            None,
            {},
            "['header', 'query'] together (one scheme at a time is supported)",
        ),
        (
            {"/x": get("getX", security=[{"nope": []}])},
            None,
            {},
            "paths./x.get.security: ['nope'] are not in components.securitySchemes",
        ),
        (
            {"/x": get("getX")},
            None,
            {"header": {"type": "apiKey", "in": "body", "name": "k"}},
            "components.securitySchemes.header.in: must be header, query or cookie",
        ),
        (
            {"/x": get("getX")},
            None,
            {"header": {"type": "apiKey", "in": "header", "name": "Content-Type"}},
            "'Content-Type' is a header the client sets itself",
        ),
        (
            {"/x": get("getX")},
            None,
            {"digest": {"type": "http", "scheme": "digest"}},
            "",  # declared and unused: no error
        ),
        (
            {
                "/x": get(
                    "getX",
                    security=[{"query": []}],
                    parameters=[{"name": "key", "in": "query", "schema": {}}],
                )
            },
            None,
            {},
            "paths./x.get: parameter 'key' is where 'query' sends the key",
        ),
    ],
)
def test_what_cannot_be_sent_is_refused_with_the_place_named(
    paths: dict[str, Any], security: Any, schemes: dict[str, Any], message: str
) -> None:
    document = spec(paths, security)
    document["components"]["securitySchemes"] = {**SCHEMES, **schemes}
    if not message:
        parse(document, "keys")
        return
    with pytest.raises(SpecError) as raised:
        parse(document, "keys")
    assert message in str(raised.value)


def test_a_body_mixing_fields_and_a_whole_value_is_refused(tmp_path: Path) -> None:
    paths = {
        "/x": body_op(
            "mixed",
            {"type": "object", "additionalProperties": {"type": "string"}},
            True,
            "application/json",
        )
    }
    paths["/x"]["post"]["requestBody"]["content"]["multipart/form-data"] = {"schema": MEMBER}
    with pytest.raises(SpecError) as raised:
        parse(spec(paths), "keys")
    assert "its media types must all be objects with properties, or none" in str(raised.value)


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        ([{}], None),  # anonymous access only
        ([{}, {"query": []}], "query"),  # a key is taken when one is offered
        ([{"oauth": []}, {}], None),  # nothing supported, but anonymous access allowed
        ([{"basic": []}, {"header": []}], "basic"),  # the first supported wins
    ],
)
def test_which_requirement_an_operation_takes(security: Any, expected: str | None) -> None:
    api = parse(spec({"/x": get("getX", security=security)}), "keys")
    chosen = api.operations[0].security
    assert (chosen.scheme_name if chosen else None) == expected


def test_the_contract_tools_read_security_as_the_generator_does() -> None:
    """The contract tools read ``security`` on their own (never importing codegen): same answers."""
    alternatives = [[{}], [{}, {"query": []}], [{"oauth": []}, {}], [{"basic": []}, {"header": []}]]
    paths = {
        **PATHS,
        **{f"/alt{i}": get(f"getAlt{i}", security=s) for i, s in enumerate(alternatives)},
    }
    document = spec(paths)
    generator = {op.operation_id: op.security for op in parse(document, "keys").operations}
    contract = {
        op.operation_id: op.auth for op in ContractSpec(Path("keys.yaml"), document).operations
    }
    assert set(contract) == set(generator)
    for operation_id, chosen in generator.items():
        expected = (chosen.scheme, chosen.location, chosen.name) if chosen else None
        auth = contract[operation_id]
        assert (auth and (auth.scheme, auth.location, auth.name)) == expected, operation_id


def test_the_transport_s_own_errors_never_show_a_query_key(package: ModuleType) -> None:
    # Port 9 (discard) on loopback: nothing listens, so connecting fails at once.
    request = package.build_get_query(api_key=KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(package.TransportError) as raised:
        package.HttpTransport()(request, 2)
    assert not leaked(str(raised.value), repr(raised.value)), str(raised.value)
    assert "127.0.0.1:9/query" in str(raised.value)


def test_a_kept_value_cut_short_in_the_warning_shows_no_start_of_the_key(
    package: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    # The warning shows values cut at 60 characters: the key starts just before the cut.
    status = "echo " + "y" * 40 + KEY
    body = json.dumps({"status": status}).encode()
    transport = package.MockTransport(
        lambda request: package.HttpResponse(200, {"content-type": "application/json"}, body)
    )
    caplog.set_level(logging.WARNING, logger=package.__name__)
    package.Client(api_key=KEY, transport=transport).get_default()
    assert "kept as it came" in caplog.text
    assert KEY[:6] not in caplog.text, caplog.text


@pytest.mark.parametrize("content_type", [None, "application/json"])
def test_an_operation_without_security_sends_no_key_even_when_given_one(
    package: ModuleType, content_type: str | None
) -> None:
    # None takes the builders' quick path, a named media type the general one.
    request = package._build.build_request(
        package.operations.POST_NOTE,
        api_key=KEY,
        base_url="https://keys.example.test",
        params={},
        fields={"text": "x"},
        content_type=content_type,
    )
    assert not leaked(request.url, *request.headers.values()) and not request.secret
    assert request.json() == {"text": "x"}
