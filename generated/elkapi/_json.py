# Runtime of the generated package: codegen copies this file in unchanged.
"""JSON in and out of bytes, as fast as the standard library allows, and bounded in depth.

The request side encodes with one reused C encoder; the response side
decodes with one reused scanner, refusing NaN and infinity, and refuses
nesting deep enough to exhaust the stack of whoever walks it.
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
import typing
from collections.abc import Callable
from typing import Any

from ._validation import pointer_keys

MAX_DEPTH = 128
"""JSON nested deeper than this is refused: it would exhaust the stack of whoever walks it."""
MISSING = object()
"""No value at all (not even JSON null): what a lookup finds where there is nothing."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` uses, made once, not per call."""


def _json_encoder() -> Callable[[Any], bytes]:
    """``_ENCODER.encode(value).encode()``, a third faster where the C accelerator is there.

    ``JSONEncoder.encode`` makes a new C encoder (``json.encoder.c_make_encoder``,
    None without the accelerator) on every call; this one is made once and
    reused. The bodies it is given were checked to be JSON already.
    """
    fallback: Callable[[Any], bytes] = lambda value: _ENCODER.encode(value).encode()  # noqa: E731
    make = getattr(json.encoder, "c_make_encoder", None)
    try:
        encode = make(  # type: ignore[misc]
            None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, 1
        )
        if "".join(encode({"a": [1, "é"]}, 0)) != _ENCODER.encode({"a": [1, "é"]}):
            return fallback
    except Exception:  # no accelerator, or one that takes other arguments
        return fallback
    return lambda value: "".join(encode(value, 0)).encode()


json_bytes = _json_encoder()
"""A JSON value as the compact UTF-8 bytes a request body carries."""


def may_be_too_deep(body: object) -> bool:
    """Whether the JSON in ``body`` may nest more than ``MAX_DEPTH`` levels deep.

    Nesting that deep takes more than ``MAX_DEPTH`` brackets, and valid JSON
    closes each one it opens: a shorter body cannot be too deep, and nor can
    one of objects alone under five bytes a level; any other has its brackets
    counted (in C). A body that is not bytes may be anything.
    """
    if not isinstance(body, bytes):
        return True
    if len(body) <= 2 * MAX_DEPTH:
        return False
    # Most bodies hold no array (find: "in" first tries the operand as an int). Then each
    # level but the last takes five bytes or more ({"":...}), the last two ({}).
    arrays = body.find(b"[") >= 0
    if not arrays and len(body) < 5 * MAX_DEPTH + 2:
        return False
    return body.count(b"{") + (body.count(b"[") if arrays else 0) > MAX_DEPTH


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests containers more than ``limit`` levels deep (without recursing)."""
    level: list[Any] = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            item
            for node in level
            for item in (node.values() if isinstance(node, dict) else node)
            if isinstance(item, (dict, list))
        ]
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
"""``json.loads(..., parse_constant=_reject_constant)``, without a new decoder per call."""


# typeshed types make_scanner's argument as the scanner itself; it takes the decoder.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(typing.cast(Any, _DECODER))
"""The decoder's scanner (in C where the accelerator is): one JSON value from an index on."""


def decode_json(body: bytes) -> Any:
    """``body``'s JSON value as ``json.loads`` reads it (NaN and infinity refused), or MISSING."""
    try:
        if type(body) is bytes and len(body) > 1 and body[0] in _OPENERS and body[1]:
            # UTF-8 by json.detect_encoding's rule (no BOM, no zero byte among the first
            # two), so the scanner runs directly: json.loads would first spend as long as
            # the scan itself detecting that in Python.
            text = body.decode("utf-8", "surrogatepass")
            value, end = _SCAN(text, 0)
            return value if end == len(text) or not text[end:].strip(_JSON_SPACE) else MISSING
        if isinstance(body, (bytes, bytearray)):  # as json.loads reads bytes
            return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError, StopIteration):  # StopIteration: no value at all
        return MISSING


_OPENERS = (ord("{"), ord("["))


_JSON_SPACE = " \t\n\r"
"""What JSON counts as white space (``str.strip`` would take more)."""


def value_at(document: Any, pointer: str) -> Any:
    """The value at the JSON ``pointer`` in ``document``, or MISSING where there is none."""
    node = document
    for key in pointer_keys(pointer):
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def first_value(document: Any, pointers: tuple[str, ...]) -> Any:
    """The first non-null value found at one of the JSON ``pointers``, or None."""
    for pointer in pointers:
        value = value_at(document, pointer)
        if value is not MISSING and value is not None:
            return value
    return None
