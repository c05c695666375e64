"""The generated client against servers that answer anything at all.

Hypothesis draws whole conversations (status codes from 100 to 599, redirects
with and without ``Location``, odd ``Retry-After`` values, lying content
types, request ids, and bodies that are HTML, truncated, empty, over the cap,
invalid UTF-8, nested 10,000 levels deep, of the wrong types, with ``NaN`` or
huge numbers, or echoing the API key) and hands them to every operation of
the client through :class:`elkapi.MockTransport`. Whatever comes back:

- the only exceptions are the package's documented errors (``elkapi.ElkapiError``);
- a successful return is a typed model;
- the API key shows nowhere in an error: not its text, repr, args or attributes;
- a POST is never sent again once the server answered it with anything but 429.

A few hand-picked nasty bodies also go through the default ``HttpTransport``
on a loopback socket.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import elkapi
from tests.contract import spec
from tests.contract.strategies import JSON_VALUES, valid
from tests.support.servers import reply

KEY = "sk-faults-Zq7Wx3Lm9Rv2Tn8Pk4Hd"
TASK_ID = "task_abc123"
EXAMPLES = spec.load().retrieval().examples("response")
QUEUED = spec.load().submission().examples("response")["submitted"]
COMPLETED = EXAMPLES["completed"]
CAP = 4096
MAX_RETRIES = 2
REDIRECTS = (301, 302, 303, 307, 308)
ERRORS_MODULE = elkapi.ApiError.__module__


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- what a server may say -------------------------------------------------------------------

# Text with the key somewhere in it: at the start, past the 60 characters a
# validation message shows of a value, across the 200 bytes of an error snippet.
ECHOED_KEY = st.builds(
    lambda before, prefix, after: prefix + before + KEY + after,
    st.integers(0, 230).map(lambda n: "x" * n),
    st.sampled_from(["", "Bearer ", "token="]),
    st.text(max_size=8),
)
TEXT = st.one_of(st.text(max_size=30), ECHOED_KEY)

STATUSES = st.one_of(
    st.integers(100, 599),
    st.sampled_from([200, 200, 201, 204, *REDIRECTS, 400, 401, 404, 408, 409, 429, 500, 503]),
)
RETRY_AFTER = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "1e400",
            "-1e400",
            "nan",
            "inf",
            "-inf",
            "1_000",
            " 2 ",
            "",
            "soon",
            "99999999999999999999999",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "Mon, 01 Jan 0001 00:00:00 +2359",
            "Sun, 00 Foo 0000 99:99:99 XYZ",
        ]
    ),
    st.integers().map(str),
    st.floats().map(str),
    st.text(max_size=20),
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "application/problem+json",
            "text/html; charset=utf-8",
            "text/plain",
            "application/octet-stream",
            "",
        ]
    ),
    st.text(max_size=20),
)


LOCATIONS = st.one_of(
    st.sampled_from(
        [
            "/v1/videos/moved",
            "moved",
            "http://api.test/v1/videos/moved",
            "https://api.test/v1/videos/moved",
            "http://other.test/steal",
            "//other.test/steal",
            "ftp://other.test/x",
            "javascript:alert(1)",
            " ",
            "/v1/videos/\u00e9\r\nX-Injected: 1",
            f"http://other.test/?token={KEY}",
        ]
    ),
    st.text(max_size=20),
)

HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "content-type": CONTENT_TYPES,
        "retry-after": RETRY_AFTER,
        "retry-after-ms": RETRY_AFTER,
        "location": LOCATIONS,
        "x-request-id": st.text(max_size=20),
        "x-oneapi-request-id": st.text(max_size=20),
        "request-id": st.text(max_size=20),
        "Retry-After": RETRY_AFTER,
        "X-Request-Id": st.text(max_size=20),
        "set-cookie": TEXT,
        "www-authenticate": TEXT,
        "x-echo": TEXT,
    },
)


def nested(depth: int, inner: bytes = b"") -> bytes:
    return b"[" * depth + inner + b"]" * depth


def error_envelope(message: Any, kind: Any, code: Any) -> list[bytes]:
    return [
        encode({"error": {"message": message, "type": kind, "code": code}}),
        encode({"code": code, "message": message, "data": None}),
    ]


def with_field(task: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    return {**task, name: value}


HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
# Hypothesis raises the recursion limit while a test runs, so a body that overflows the
# stack at the usual limit may not inside @given: test_a_deeply_nested_body_... checks that.
DEPTHS = st.sampled_from([10, 128, 129, 500, 900, 990, 10_000])

BODIES = st.one_of(
    # Conforming tasks, the documented examples, and near misses.
    valid("VideoTask").map(encode),
    st.sampled_from([encode(example) for example in EXAMPLES.values()]),
    st.tuples(valid("VideoTask"), st.text(max_size=10), JSON_VALUES).map(
        lambda t: encode(with_field(t[0], t[1] or "id", t[2]))
    ),
    JSON_VALUES.map(encode),
    # Not JSON at all, or not quite.
    st.sampled_from([b"", b" ", HTML, b"null", b"NaN", b"-Infinity", b'{"id": NaN}']),
    st.tuples(valid("VideoTask"), st.integers(0, 200)).map(lambda t: encode(t[0])[: t[1]]),
    st.binary(max_size=64),
    st.sampled_from([b"\xff\xfe\xfd", b'{"error": {"message": "\xff\xc3"}}', b"\xef\xbb\xbf{}"]),
    # Deep, huge, over the cap.
    DEPTHS.map(nested),
    DEPTHS.map(lambda d: b'{"error": {"message": "deep", "detail": ' + nested(d) + b"}}"),
    DEPTHS.map(lambda d: encode(QUEUED)[:-1] + b', "metadata": {"x": ' + nested(d) + b"}}"),
    st.sampled_from([b"1" * 5000, b"1e999", b'{"code": 1e999}', b"9" * 4300]),
    st.sampled_from(["created_at", "progress", "completed_at"]).map(
        lambda name: encode(QUEUED)[:-1] + f', "{name}": {"9" * 4000}}}'.encode()
    ),
    st.integers(CAP - 64, 3 * CAP).map(
        lambda size: encode(with_field(QUEUED, "metadata", {"pad": "x" * size}))
    ),
    # The key, echoed back.
    st.tuples(TEXT, st.one_of(TEXT, JSON_VALUES), st.one_of(TEXT, st.integers())).map(
        lambda t: error_envelope(*t)[0]
    ),
    st.tuples(TEXT, TEXT, TEXT).map(lambda t: error_envelope(*t)[1]),
    ECHOED_KEY.map(str.encode),
    st.tuples(st.sampled_from(["status", "model", "id", "object"]), ECHOED_KEY).map(
        lambda t: encode(with_field(QUEUED, *t))
    ),
    st.tuples(ECHOED_KEY, ECHOED_KEY).map(
        lambda t: encode(with_field(QUEUED, "metadata", {t[0]: [t[1], {"k": t[1]}]}))
    ),
    st.tuples(ECHOED_KEY, st.integers(1, 20)).map(
        lambda t: encode(with_field(QUEUED, "id", [t[0]] * t[1]))
    ),
)

RESPONSES = st.builds(elkapi.HttpResponse, STATUSES, HEADERS, BODIES)


@dataclasses.dataclass
class Server:
    """A MockTransport handler answering from a script, then ``tail`` forever; it logs answers."""

    script: list[elkapi.HttpResponse]
    tail: elkapi.HttpResponse | None  # None: the last answer of the script repeats
    answered: list[tuple[elkapi.HttpRequest, elkapi.HttpResponse]] = dataclasses.field(
        default_factory=list
    )

    def __call__(self, request: elkapi.HttpRequest) -> elkapi.HttpResponse:
        step = len(self.answered)
        scripted = step < len(self.script)
        response = self.script[step] if scripted else self.tail or self.script[-1]
        self.answered.append((request, response))
        return response

    def posts(self) -> list[int]:
        return [
            response.status_code for request, response in self.answered if request.method == "POST"
        ]


SERVERS = st.builds(
    Server,
    st.lists(RESPONSES, min_size=1, max_size=4),
    st.one_of(
        st.none(),
        st.just(elkapi.HttpResponse(200, {"content-type": "application/json"}, encode(COMPLETED))),
    ),
)


def client_for(server: Server, *, base_url: str = "https://api.test") -> elkapi.Client:
    return elkapi.Client(
        KEY,
        base_url,
        transport=elkapi.MockTransport(server),
        max_retries=MAX_RETRIES,
        max_response_bytes=CAP,
        sleep=lambda seconds: None,
    )


def create(client: elkapi.Client) -> Any:
    return client.create_video_generation(prompt="a heron at dawn", seconds="5")


def raw_create(client: elkapi.Client) -> Any:
    return client.with_raw_response.create_video_generation(prompt="a heron", seconds="5").parse()


OPERATIONS: dict[str, Callable[[elkapi.Client], Any]] = {
    "create_video_generation": create,
    "retrieve_video": lambda client: client.retrieve_video(TASK_ID),
    "wait_for_video": lambda client: client.wait_for_video(
        TASK_ID, poll_interval=0.001, max_interval=0.001, timeout=0.05
    ),
    "raw.create_video_generation": raw_create,
    "raw.retrieve_video": lambda client: client.with_raw_response.retrieve_video(TASK_ID).parse(),
}


# --- what is checked -------------------------------------------------------------------------


def shown(value: Any, seen: set[int] | None = None) -> Iterator[str]:
    """Every text reachable from ``value``'s attributes (an error's, its cause's, its parts')."""
    seen = set() if seen is None else seen
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, str):
            yield item
        elif isinstance(item, bytes):
            yield item.decode("latin-1")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, BaseException):
            yield str(item)
            yield repr(item)
            stack.append(item.args)
            stack.extend(v for k, v in vars(item).items() if k != "last")
            stack.extend(e for e in (item.__cause__, item.__context__) if e is not None)
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            yield repr(item)
            stack.extend(vars(item).values())
        elif item is not None:
            yield repr(item)


def assert_keeps_the_key(error: BaseException) -> None:
    """No text of ``error`` holds the key, or a piece of it long enough to mean something."""
    piece = KEY[:10]
    for text in shown(error):
        assert piece not in text, f"{type(error).__name__} shows the key: {text[:300]!r}"


def assert_documented(error: BaseException) -> None:
    assert isinstance(error, elkapi.ElkapiError), repr(error)
    assert type(error).__module__ == ERRORS_MODULE, type(error)
    assert_keeps_the_key(error)
    if isinstance(error, (elkapi.ApiError, elkapi.TransportError, elkapi.RedirectError)):
        assert 1 <= error.attempts <= MAX_RETRIES + 1


def assert_post_not_repeated(server: Server) -> None:
    """A POST went out again only after a 429: never after a 5xx (nor 408, 409, 3xx, 2xx)."""
    statuses = server.posts()
    assert all(status == 429 for status in statuses[:-1]), statuses
    assert len(statuses) <= MAX_RETRIES + 1


def run(operation: str, server: Server) -> Any:
    try:
        result = OPERATIONS[operation](client_for(server))
    except elkapi.ElkapiError as error:
        assert_documented(error)
        result = error
    else:
        assert isinstance(result, elkapi.VideoTask), result
        if operation == "wait_for_video":
            assert result.status in ("completed", "failed")
    assert_post_not_repeated(server)
    return result


# --- properties ------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=200)
@given(operation=st.sampled_from(sorted(OPERATIONS)), server=SERVERS)
def test_any_conversation_ends_in_a_model_or_a_documented_error(
    operation: str, server: Server
) -> None:
    run(operation, server)


@settings(max_examples=40)
@given(
    operation=st.sampled_from(["create_video_generation", "raw.create_video_generation"]),
    statuses=st.lists(st.sampled_from([429, 429, 500, 502, 503, 504, 408, 409, 200]), min_size=1),
    retry_after=RETRY_AFTER,
)
def test_a_post_is_never_sent_again_after_a_5xx(
    operation: str, statuses: list[int], retry_after: str
) -> None:
    script = [
        elkapi.HttpResponse(
            status,
            {"content-type": "application/json", "retry-after": retry_after},
            encode(QUEUED) if status == 200 else b'{"error": {"message": "busy"}}',
        )
        for status in statuses
    ]
    server = Server(script, None)
    outcome = run(operation, server)
    sent = server.posts()
    if any(status >= 500 for status in sent):
        assert sent[-1] >= 500 and isinstance(outcome, elkapi.ServerError)
        assert outcome.attempts == len(sent)


@settings(max_examples=60)
@given(
    operation=st.sampled_from(sorted(OPERATIONS)),
    status=STATUSES,
    echo=ECHOED_KEY,
    where=st.sampled_from(["message", "type", "code", "body", "headers", "task"]),
)
def test_a_server_echoing_the_key_never_gets_it_shown(
    operation: str, status: int, echo: str, where: str
) -> None:
    headers = {"content-type": "application/json", "x-echo": echo, "set-cookie": echo}
    body: Any = {"error": {"message": "no", "type": "t", "code": "c"}, "seen": echo}
    if where in ("message", "type", "code"):
        body["error"][where] = echo
    elif where == "body":
        body = echo
    elif where == "task":
        body = with_field(QUEUED, "status", echo)
    run(operation, Server([elkapi.HttpResponse(status, headers, encode(body))], None))


# --- regressions found by the properties above -----------------------------------------------


@pytest.mark.parametrize("depth", [129, 500, 900, 950, 990, 10_000])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_deeply_nested_body_is_a_documented_error(operation: str, depth: int) -> None:
    """Found: an error body nested ~900 deep decoded, then blew the stack while being scrubbed."""
    for status, body in [
        (400, nested(depth)),
        (503, b'{"error": {"message": "m", "x": ' + nested(depth) + b"}}"),
        (200, encode(QUEUED)[:-1] + b', "metadata": {"x": ' + nested(depth) + b"}}"),
    ]:
        response = elkapi.HttpResponse(status, {"content-type": "application/json"}, body)
        outcome = run(operation, Server([response], None))
        assert isinstance(outcome, elkapi.ElkapiError)
        if isinstance(outcome, elkapi.ApiError):
            assert outcome.body is None


@pytest.mark.parametrize("before", [0, 30, 55, 58, 150, 195, 199])
@pytest.mark.parametrize("operation", ["retrieve_video", "create_video_generation"])
def test_no_start_of_the_key_is_left_where_a_message_cuts_a_value(
    operation: str, before: int
) -> None:
    """Found: a value cut at 60 characters in a message, or a 200-byte error snippet, kept a
    start of the key that the client's scrubbing (whole occurrences only) missed."""
    echo = "x" * before + KEY
    for status, body in [
        (200, encode(with_field(QUEUED, "progress", echo))),
        (200, encode(with_field(QUEUED, "id", [echo, echo]))),
        (200, encode(with_field(QUEUED, "model", {"k": echo}))),
        (502, echo.encode()),
        (404, b"<html>" + echo.encode() + b"</html>"),
    ]:
        response = elkapi.HttpResponse(status, {"content-type": "application/json"}, body)
        outcome = run(operation, Server([response], None))
        assert isinstance(outcome, elkapi.ElkapiError)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:99999", "http://h:port", "http://[::1"])
def test_a_base_url_with_a_bad_port_or_host_is_refused_before_sending(base_url: str) -> None:
    """Found: the builder accepted these, then the default transport raised ValueError."""
    with pytest.raises(elkapi.RequestValidationError) as raised:
        elkapi.Client(KEY, base_url).retrieve_video(TASK_ID)
    assert [(e.path, e.rule) for e in raised.value.errors] == [("base_url", "url")]


@pytest.mark.parametrize(
    "url", ["http://[::1/x", "http://h:99999/x", "http://h:abc/x", "http://a..b/x"]
)
def test_the_default_transport_refuses_an_unusable_url_as_a_transport_error(url: str) -> None:
    """Found: ValueError or UnicodeError escaped the transport for these (e.g. from a redirect)."""
    with pytest.raises(elkapi.TransportError) as raised:
        elkapi.HttpTransport()(elkapi.HttpRequest("GET", url, {}), 1.0)
    assert raised.value.request_sent is False


@pytest.mark.parametrize("kind", ["blocking", "async"])
def test_the_body_cap_holds_whatever_the_transport(kind: str) -> None:
    """``max_response_bytes`` caps a given transport's answers too, not only ``HttpTransport``'s."""
    big = encode(with_field(QUEUED, "metadata", {"pad": "x" * (2 * CAP)}))
    server = Server([elkapi.HttpResponse(200, {"content-type": "application/json"}, big)], None)
    with pytest.raises(elkapi.ResponseTooLargeError) as raised:
        if kind == "blocking":
            client_for(server).retrieve_video(TASK_ID)
        else:
            client = elkapi.AsyncClient(
                KEY, transport=elkapi.MockTransport(server), max_response_bytes=CAP
            )
            asyncio.run(client.retrieve_video(TASK_ID))
    assert raised.value.limit == CAP and raised.value.attempts == 1
    assert len(server.answered) == 1, "an oversized answer is not retried"


# --- a Location the client cannot read, a request id that echoes the key ----------------------


@pytest.mark.parametrize(
    "location", ["https://[::1/x", "https://other:abc/x", "https://other:99999/x"]
)
def test_an_unparseable_location_is_a_redirect_error(location: str) -> None:
    response = elkapi.HttpResponse(302, {"location": location}, b"")
    with pytest.raises(elkapi.RedirectError):
        client_for(Server([response], None)).retrieve_video(TASK_ID)


@pytest.mark.parametrize("status", [302, 404, 503])
@pytest.mark.parametrize("operation", ["retrieve_video", "create_video_generation"])
def test_a_request_id_echoing_the_key_is_scrubbed(operation: str, status: int) -> None:
    headers = {"x-request-id": f"req-{KEY}", "location": "http://other.test/x"}
    outcome = run(operation, Server([elkapi.HttpResponse(status, headers, b"{}")], None))
    assert isinstance(outcome, elkapi.ElkapiError)


# --- the default transport on a loopback socket ----------------------------------------------


def head(status: int, *fields: str) -> bytes:
    lines = "".join(f"{field}\r\n" for field in fields)
    return f"HTTP/1.1 {status} X\r\n{lines}Connection: close\r\n\r\n".encode()


NASTY = {
    "deep-error": reply(400, nested(900)),
    "deep-error-10000": reply(503, nested(10_000)),
    "deep-task": reply(200, encode(QUEUED)[:-1] + b', "metadata": {"x": ' + nested(900) + b"}}"),
    "invalid-utf8": reply(500, b'{"error": {"message": "\xff\xfe"}}\xc3'),
    "invalid-utf8-task": reply(200, encode(QUEUED).replace(b"queued", b"qu\xffeued")),
    "html-as-json": reply(502, HTML),
    "json-as-html": reply(200, QUEUED, {"Content-Type": "text/html"}),
    "nan": reply(200, encode(QUEUED).replace(b"0,", b"NaN,", 1)),
    "huge-number": reply(200, encode(QUEUED).replace(b"1764547200", b"9" * 5000)),
    "oversize-declared": reply(200, b"x" * (CAP + 1)),
    "oversize-undeclared": head(200) + encode(with_field(QUEUED, "metadata", {"p": "x" * CAP})),
    "truncated": head(200, "Content-Length: 500") + encode(QUEUED)[:40],
    "redirect-utf8-location": head(302, "Content-Length: 0").replace(
        b"\r\nConnection", b"\r\nLocation: /v1/videos/\xc3\xa9\r\nConnection"
    ),
    "redirect-space-location": head(302, "Content-Length: 0").replace(
        b"\r\nConnection", b"\r\nLocation: /v1/videos/a b\x01\r\nConnection"
    ),
    "redirect-no-location": head(307, "Content-Length: 0"),
    "key-echo": reply(401, {"error": {"message": "x" * 190 + KEY}}, {"X-Echo": KEY}),
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("case", sorted(NASTY))
def test_nasty_answers_over_a_real_socket_are_documented_errors(
    raw_servers: Any, case: str, method: str
) -> None:
    server = raw_servers([NASTY[case]])
    client = elkapi.Client(
        KEY,
        server.url,
        timeout=2,
        max_retries=1,
        max_response_bytes=CAP,
        sleep=lambda seconds: None,
    )
    with pytest.raises(elkapi.ElkapiError) as raised:
        if method == "POST":
            create(client)
        else:
            client.retrieve_video(TASK_ID)
    assert_documented(raised.value)
    if method == "POST":
        assert len(server.requests) == 1
    if case.startswith("oversize"):
        assert isinstance(raised.value, elkapi.ResponseTooLargeError) and len(server.requests) == 1
    if case == "truncated":
        assert isinstance(raised.value, elkapi.TransportError) and raised.value.request_sent
