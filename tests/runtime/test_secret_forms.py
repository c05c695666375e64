"""The key is hidden in every form a server may echo it in, JSON-escaped text included."""

from __future__ import annotations

import json

import pytest

from codegen.runtime._secrets import hide_secret

KEYS = ['sk-"quoted"-0123456789', "sk-back\\slash-0123456789", "sk-clé-0123456789"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_a_key_inside_json_text_is_hidden(key: str, ascii_only: bool) -> None:
    text = json.dumps({"error": {"message": f"bad key {key}"}}, ensure_ascii=ascii_only)
    hidden = hide_secret(text, key)
    assert json.loads(hidden) == {"error": {"message": "bad key ***"}}
