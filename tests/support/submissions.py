"""Submissions by hand: the fields a caller passes, a raw POST, the duration that comes back."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from tests.contract import spec
from tests.contract.rules import MISSING
from tests.support.keys import API_KEY

SPEC = spec.load()
CREATE = SPEC.operation("createVideoGeneration")
DECLARED = set(SPEC.resolve(spec.ref("CreateVideoGenerationRequest"))["properties"])


def known_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The body's declared top-level fields: what a caller passes as keyword arguments."""
    return {key: value for key, value in body.items() if key in DECLARED}


def post_raw(base_url: str, body: bytes, token: str | None = API_KEY) -> tuple[int, bytes]:
    """POST ``body`` untouched by the builder; return status and body."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        base_url + CREATE.path, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def expected_duration(body: dict[str, Any]) -> Any:
    """The documented effective duration: ``seconds`` overrides ``metadata.duration``."""
    if "seconds" in body:
        return int(body["seconds"])
    return body.get("metadata", {}).get("duration", MISSING)
