# Runtime of the generated package: codegen copies this file in unchanged.
"""The package's logger, made on first use.

Importing ``logging`` costs more than building a request does, and a program
that builds requests, or never logs, should not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import logging


class _LazyLogger:
    """Stands for ``logging.getLogger(<package>)``: each use goes to that logger."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger(__package__ or __name__), name)

    def __repr__(self) -> str:
        return f"<lazy logger {__package__ or __name__!r}>"


# The package's own logger: "elkapi" inside the generated package elkapi. Typed as
# the Logger it stands for, so every call is checked against the real methods.
logger = cast("logging.Logger", _LazyLogger())
