"""The runtime's quick paths give exactly what the paths they shortcut give.

Building: for an operation with no parameters and a JSON body, ``build_request``
first tries a quick path (the compiled predicate, one reused JSON encoder, a
request made without the frozen dataclass's per-field setattr). Asking for the
media type explicitly takes the general path, so the two can be compared on
the same arguments. Parsing: ``decode`` stores a dataclass's fields without
calling its ``__init__`` when that is all ``__init__`` would do; the general
construction (``_constructed``) is compared with it on the same values, and
``parse_response``'s quick read (predicate, then decode) with its general one.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import elkapi
from elkapi import RequestValidationError, ResponseValidationError, _build, _decode, _json
from elkapi import _read as reading
from elkapi.operations import CREATE_VIDEO_GENERATION, RETRIEVE_VIDEO
from tests.contract import spec as spec_module
from tests.contract.strategies import JSON_VALUES, valid_for

SPEC = spec_module.load()
KEY = "sk-quick-path-7c1e"
BODY = CREATE_VIDEO_GENERATION.body_type
JSON_TEXT = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_TEXT)
def test_the_reused_encoder_writes_what_the_json_module_writes(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert _json.json_bytes(value) == expected


def _loaded(body: bytes) -> Any:
    """What ``json.loads`` reads, NaN and infinities refused; a marker for an error."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(body, parse_constant=refuse)
    except (ValueError, RecursionError):
        return "<refused>"


# A JSON text in any encoding json.loads detects, with white space around it
# or something after it; or bytes that may not be JSON at all. Most start with
# a bracket, as the bodies decode_json reads without detecting the encoding do.
SPACE = st.sampled_from(["", " ", "\n", "\t\r\n ", "\x0b", "\u00a0"])
ENCODINGS = st.sampled_from(["utf-8", "utf-16-le", "utf-8", "utf-8-sig", "utf-16", "utf-32-be"])
CONTAINERS = st.lists(JSON_TEXT, max_size=3) | st.dictionaries(st.text(), JSON_TEXT, max_size=3)
TAILS = st.sampled_from(["", "x", "{}", "NaN", "]"])
TEXTS = (
    st.builds(lambda value, after: json.dumps(value) + after, CONTAINERS, SPACE)
    | st.builds(lambda value, tail: json.dumps(value) + tail, CONTAINERS, TAILS)
    | st.builds(lambda before, value: before + json.dumps(value), SPACE, JSON_TEXT)
    | st.sampled_from(["NaN", "[Infinity]", '{"a": -Infinity}', "{", "[1,]", '{"a":1}\x00'])
)
BODIES = st.builds(lambda text, encoding: text.encode(encoding, "surrogatepass"), TEXTS, ENCODINGS)


@given(BODIES | st.binary(max_size=20) | st.binary(max_size=20).map(lambda b: b"{" + b))
@example(b"[1]\x0b")  # white space to str.strip, not to JSON
@example(b"{}\xc2\xa0")
@example(b"[1] \r\n")
@example("{}".encode("utf-16-le"))  # a bracket first, and yet not UTF-8
@example(b"{")
def test_reading_json_bytes_gives_what_json_loads_gives(body: bytes) -> None:
    found = _json.decode_json(body)
    expected = _loaded(body)
    assert ("<refused>" if found is _json.MISSING else found) == expected
    assert type(found) is type(expected) or found is _json.MISSING


def _built(
    fields: dict[str, Any],
    content_type: str | None,
    key: str = KEY,
    base_url: str = "https://api.example.com/",
) -> Any:
    try:
        request = _build.build_request(
            CREATE_VIDEO_GENERATION,
            api_key=key,
            base_url=base_url,
            params={},
            fields=fields,
            content_type=content_type,
        )
    except RequestValidationError as error:
        return [str(e) for e in error.errors]
    return request.method, request.url, request.headers, request.body, request.secret


BODIES = valid_for({"$ref": f"#/components/schemas/{BODY}"}, spec=SPEC)


@pytest.mark.slow
@given(
    st.one_of(
        BODIES,
        BODIES.flatmap(lambda body: st.builds(lambda v: {**body, "prompt": v}, JSON_VALUES)),
        st.dictionaries(st.sampled_from(["model", "prompt", "seconds", "extra"]), JSON_VALUES),
    )
)
def test_the_quick_build_is_the_general_build(fields: dict[str, Any]) -> None:
    assert CREATE_VIDEO_GENERATION.quick_plan is not None
    quick = _built(fields, None)
    general = _built(fields, "application/json")
    assert quick == general


KEYS = (
    st.sampled_from(["", " ", "   ", "\t", "k y", " key ", "k\r\n", "k\x7f", "ké", KEY]) | st.text()
)
BASE_URLS = st.sampled_from(
    ["https://api.example.com", "http://h:8080/v2/", "ftp://h", "https://h:99999", "h", ""]
) | st.text(max_size=12)


@given(BODIES, KEYS, BASE_URLS)
def test_the_quick_build_refuses_the_keys_and_servers_the_general_build_refuses(
    fields: dict[str, Any], key: str, base_url: str
) -> None:
    assert CREATE_VIDEO_GENERATION.quick_plan is not None
    for _ in range(2):  # the second time, a server already seen
        quick = _built(fields, None, key, base_url)
        assert quick == _built(fields, "application/json", key, base_url)


def test_the_quick_build_keeps_the_request_frozen_and_the_key_out_of_its_repr() -> None:
    request = elkapi.build_create_video_generation(api_key=KEY, prompt="a heron")
    assert KEY not in repr(request)
    try:
        request.url = "https://elsewhere.example"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a built request can be changed")


TASKS = valid_for({"$ref": "#/components/schemas/VideoTask"}, spec=SPEC)


@given(TASKS)
def test_decoding_without_init_gives_what_init_gives(value: dict[str, Any]) -> None:
    stored = _decode.decode(elkapi.VideoTask, value)
    plan = _decode._Plan.of(elkapi.VideoTask, dataclasses.fields(elkapi.VideoTask))
    constructed = _decode._constructed(elkapi.VideoTask, plan, ["extra"], value)
    assert stored == constructed
    assert vars(stored) == vars(constructed)
    assert type(stored.progress) is int


def _read(body: bytes, model: Any, headers: dict[str, str]) -> Any:
    try:
        return reading.parse_response(RETRIEVE_VIDEO, model, 200, headers, body)
    except ResponseValidationError as error:
        return [str(e) for e in error.errors]


@given(
    st.one_of(
        TASKS,
        TASKS.flatmap(lambda task: st.builds(lambda v: {**task, "progress": v}, JSON_VALUES)),
        TASKS.map(lambda task: {**task, "progress": float(task["progress"])}),
        JSON_VALUES,
    ),
    st.sampled_from(
        [
            {},
            {"Content-Type": "application/json"},
            {"content-type": "text/html"},
            {"CONTENT-TYPE": "text/html"},
            # Two spellings that disagree: both paths read the same one.
            {"content-type": "application/json", "Content-Type": "text/html"},
            {"Content-Type": "text/html", "content-type": "application/json"},
            {"Content-Type": "application/json", "CONTENT-TYPE": "text/html"},
        ]
    ),
)
def test_the_quick_read_is_the_general_read(value: Any, headers: dict[str, str]) -> None:
    body = json.dumps(value).encode()
    assert RETRIEVE_VIDEO.quick_reads
    # A model per status (a mapping) is read by the general path only.
    general = _read(body, {"200": elkapi.VideoTask}, headers)
    assert _read(body, elkapi.VideoTask, headers) == general
    try:  # the generated parser, which tries quick_read first
        parsed: Any = elkapi.parse_retrieve_video_response(200, headers, body)
    except ResponseValidationError as error:
        parsed = [str(e) for e in error.errors]
    assert parsed == general


QUEUED = {
    "id": "task_1",
    "task_id": "task_1",
    "object": "video",
    "model": "doubao-seedance-2-0-260128",
    "status": "queued",
    "progress": 0,
    "created_at": 1764547200,
}


@pytest.mark.parametrize(
    ("opener", "closer"), [(b"[", b"]"), (b'{"a":', b"}"), (b'{"a":[', b"]}"), (b'[{"a":', b"}]")]
)
@pytest.mark.parametrize("levels", [40, 63, 64, 125, 126, 127, 128])
def test_a_task_nested_past_the_limit_is_refused_by_either_read(
    opener: bytes, closer: bytes, levels: int
) -> None:
    inner = opener * levels + b"1" + closer * levels
    body = json.dumps(QUEUED).encode()[:-1] + b', "metadata": {"x": ' + inner + b"}}"
    quick = _read(body, elkapi.VideoTask, {})
    assert quick == _read(body, {"200": elkapi.VideoTask}, {})
    refused = quick == [f"(body): is nested more than {_json.MAX_DEPTH} levels deep"]
    assert refused is _json.too_deep(json.loads(body))


@pytest.mark.parametrize("levels", [127, 128])
def test_objects_nested_past_the_limit_in_the_fewest_bytes_are_refused(levels: int) -> None:
    body = b'{"":' * levels + b"{}" + b"}" * levels  # levels + 1 deep
    refused = _read(body, elkapi.VideoTask, {})
    too_deep = [f"(body): is nested more than {_json.MAX_DEPTH} levels deep"]
    assert (refused == too_deep) is (levels == _json.MAX_DEPTH)


@pytest.mark.parametrize("levels", [127, 128])
def test_an_array_nested_past_the_limit_is_refused(levels: int) -> None:
    body = b"[" + b'{"a":' * levels + b"1" + b"}" * levels + b"]"
    refused = _read(body, elkapi.VideoTask, {})
    too_deep = [f"(body): is nested more than {_json.MAX_DEPTH} levels deep"]
    assert (refused == too_deep) is (levels == _json.MAX_DEPTH)


def test_unions_in_another_order_are_decoded_in_their_own_order() -> None:
    # int | float == float | int (and hash the same), but the first arm that fits wins.
    assert type(_decode.decode(int | float, 1)) is int
    assert type(_decode.decode(float | int, 1)) is float
    assert type(_decode.decode(list[int | float], [1])[0]) is int
    assert type(_decode.decode(list[float | int], [1])[0]) is float


@pytest.mark.parametrize(
    ("model", "value"), [(int | None, 1.5), (float | None, True), (list[str] | None, "abc")]
)
def test_a_value_that_does_not_fit_an_optional_model_comes_back_as_it_is(
    model: Any, value: Any
) -> None:
    assert _decode.decode(model, value) is value
