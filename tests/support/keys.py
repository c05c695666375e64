"""The key the shared mock (``tests/conftest.py``) accepts, for tests that build or send by hand."""

from __future__ import annotations

API_KEY = "test-key-5f3a1c"
