# Runtime of the generated package: codegen copies this file in unchanged.
"""The API key is a secret: every way it is kept out of text, headers and errors.

Every form the key may take in text (:func:`secret_forms`), the one set of
headers that carry credentials, and the ``***`` that stands for them: a
request's repr, a message, a log line, an error's attributes and a redirect
to another origin use these and nothing else.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._validation import FieldError

if TYPE_CHECKING:
    from ._http import HttpRequest

CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
"""The request headers that carry credentials (lower case), whatever the key."""
RESPONSE_CREDENTIAL_HEADERS = frozenset({"set-cookie", "authorization", "proxy-authorization"})
"""The response headers that carry credentials (lower case): an error never shows them."""
HIDDEN = "***"
"""What stands in for a credential wherever one is hidden."""
# A piece of a key shorter than this is not hidden on its own: it would hide common words.
_SHORTEST_PART = 6


def secret_forms(secret: str) -> tuple[str, ...]:
    """Every way the key ``secret`` may show in text, longest first ("" for none).

    As it is; percent-encoded, as a query string carries it; in base64, as
    HTTP basic sends ``user:password``; escaped as in a JSON string (a key
    with a quote, a backslash or non-ASCII text); and, for a key with a
    scheme word or a user in front (``Bot abc...``, ``user:password``), the
    part after it, which a server may echo alone.
    """
    if not secret:
        return ()
    forms = {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        base64.b64encode(secret.encode()).decode(),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    for separator in (" ", ":"):
        part = secret.rpartition(separator)[2].strip()
        if separator in secret and len(part) >= _SHORTEST_PART:
            forms.add(part)
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


def hide_secret(text: str, secret: str) -> str:
    """``text`` with every form of ``secret`` (:func:`secret_forms`) replaced by ``***``."""
    for form in secret_forms(secret):
        text = text.replace(form, HIDDEN)
    return text


def redact_headers(headers: Mapping[str, str], secret: str = "") -> dict[str, str]:
    """A copy of ``headers`` with credentials replaced by ``***``.

    Credentials are the usual headers (``Authorization``, ``Cookie``, ...) and
    any header carrying the key ``secret`` (an API key in a header of its own).
    """
    return {
        name: (
            HIDDEN
            if name.lower() in CREDENTIAL_HEADERS or hide_secret(value, secret) != value
            else value
        )
        for name, value in headers.items()
    }


def without_credentials(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    """``headers`` without the credential headers, nor any header carrying the key ``secret``.

    What a request keeps when a redirect sends it to another origin.
    """
    return {
        name: value
        for name, value in headers.items()
        if name.lower() not in CREDENTIAL_HEADERS and hide_secret(value, secret) == value
    }


_ELLIPSIS = "…"


def secret_of(request: HttpRequest | None) -> str:
    """The key ``request`` carries, or "" when it has none.

    A request built by hand, without its ``secret``, gives its bearer token.
    """
    if request is None:
        return ""
    if request.secret:
        return request.secret
    for name, value in request.headers.items():
        if name.lower() == "authorization":
            return value.partition(" ")[2] or value
    return ""


def redact(text: str, secret: str) -> str:
    """``text`` without any form of ``secret``, nor the start of one left at a cut (``…``)."""
    return hide_cut_starts(hide_secret(text, secret), secret_forms(secret), HIDDEN)


SHORTEST_START = 4
"""The fewest characters of a key, left just before a cut, that are hidden as a part of it."""


def hide_cut_starts(text: str, forms: tuple[str, ...], mask: str) -> str:
    """``text`` with ``mask`` for the start of any of ``forms`` that a cut (``…``) left behind.

    Text shortened for a message may end in the middle of an echoed key: the
    whole forms were hidden before, but the start of one is still there, just
    before the ``…``. Starts of :data:`SHORTEST_START` characters or more are
    hidden (of a shorter form, all but its last character).
    """
    parts = text.split(_ELLIPSIS)
    for index, part in enumerate(parts[:-1]):
        for form in forms:
            sizes = range(len(form) - 1, min(len(form) - 1, SHORTEST_START) - 1, -1)
            cut = next((n for n in sizes if n and part.endswith(form[:n])), 0)
            if cut:
                part = parts[index] = part[:-cut] + mask
    return _ELLIPSIS.join(parts)


def redact_error(error: FieldError, secret: str) -> FieldError:
    """``error`` with :func:`redact` applied to its path and message."""
    if not secret:
        return error
    return FieldError(redact(error.path, secret), error.rule, redact(error.message, secret))


def scrub(value: Any, secret: str) -> Any:
    """``value`` with every form of ``secret`` replaced, looking inside containers.

    The forms (:func:`secret_forms`) include the key percent-encoded, as a URL
    carrying it in its query shows it.
    """
    if not secret:
        return value
    if isinstance(value, str):
        return hide_secret(value, secret)
    if isinstance(value, bytes):
        for form in secret_forms(secret):
            value = value.replace(form.encode(), HIDDEN.encode())
        return value
    if isinstance(value, list):
        return [scrub(item, secret) for item in value]
    if isinstance(value, tuple):
        return tuple(scrub(item, secret) for item in value)
    if isinstance(value, dict):
        return {scrub(key, secret): scrub(item, secret) for key, item in value.items()}
    if isinstance(value, FieldError):
        return FieldError(scrub(value.path, secret), value.rule, scrub(value.message, secret))
    return value


def scrub_error(error: BaseException, secret: str) -> None:
    """Remove ``secret`` from the message and every attribute an error shows."""
    error.args = scrub(error.args, secret)
    for name in ("message", "body", "headers", "errors", "location", "type", "code", "request_id"):
        if hasattr(error, name):
            setattr(error, name, scrub(getattr(error, name), secret))
