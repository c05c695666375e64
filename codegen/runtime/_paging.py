# Runtime of the generated package: codegen copies this file in unchanged.
"""Pagination (``x-pagination``): how the pages of a list operation chain, read from models."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._steps import Call, Items, Pages
from ._validation import FieldError, child_path, pointer_keys, show
from .errors import ResponseValidationError

if TYPE_CHECKING:
    from ._client import RawResponse

_ABSENT = object()


@dataclass(frozen=True)
class Paging:
    """How the pages of a list operation chain (``x-pagination`` in the spec).

    ``cursor`` is the query parameter that takes the cursor; ``items``,
    ``next_cursor`` and ``has_more`` are JSON pointers into a page, where an
    index ``-1`` means the last item of an array (``/data/-1/id``). With
    ``has_more``, the pages go on while it is true, and a page that says so
    must give a cursor; without it, they end with a page that has no items or
    no cursor.
    """

    cursor: str
    items: str
    next_cursor: str
    has_more: str | None = None

    def items_of(self, page: Any) -> tuple[Any, ...]:
        """The items of ``page`` (none if it has no array there)."""
        found = model_at(page, self.items)
        return tuple(found) if isinstance(found, list) else ()

    def cursor_after(self, page: Any, items: tuple[Any, ...], status_code: int) -> Any:
        """The cursor of the page after ``page``, or None when ``page`` is the last one."""
        if self.has_more is not None:
            if model_at(page, self.has_more) is not True:
                return None
        elif not items:
            return None
        cursor = model_at(page, self.next_cursor)
        if cursor is not None and cursor != "":
            return cursor
        if self.has_more is None:
            return None
        message = f"must give the next page's cursor, since {self.has_more} is true (got nothing)"
        raise ResponseValidationError(
            status_code, [FieldError(pointer_path(self.next_cursor), "x-pagination", message)]
        )


def model_at(value: Any, pointer: str) -> Any:
    """What a decoded model holds at a JSON ``pointer`` (an index -1 is the last item), or None.

    A dataclass is read by its fields' JSON names, then its extra properties.
    """
    for key in pointer_keys(pointer):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = _field_value(value, key)
        elif isinstance(value, dict):
            value = value.get(key, _ABSENT)
        elif isinstance(value, list) and key.lstrip("-").isdigit():
            index = int(key)
            value = value[index] if -len(value) <= index < len(value) else _ABSENT
        else:
            value = _ABSENT
        if value is _ABSENT:
            return None
    return value


def _field_value(model: Any, key: str) -> Any:
    extra: Mapping[str, Any] = {}
    for item in dataclasses.fields(model):
        if item.metadata.get("extra"):
            extra = getattr(model, item.name)
        elif item.metadata.get("alias", item.name) == key:
            return getattr(model, item.name)
    return extra.get(key, _ABSENT)


def pointer_path(pointer: str) -> str:
    """A JSON pointer as a field path: ``/data/-1/id`` -> ``data[-1].id``."""
    path = ""
    for key in pointer_keys(pointer):
        path = child_path(path, int(key) if key.lstrip("-").isdigit() else key)
    return path


def _key(cursor: Any) -> tuple[str, str]:
    """A cursor as a set member: its type and text (so 1 and "1" differ)."""
    return type(cursor).__name__, str(cursor)


def pages(
    fetch: Callable[[Any], Any], cursor: Any, paging: Paging, hide: Callable[[str], str]
) -> Pages:
    """Every page of a listing, from ``cursor`` (None: the first page) to the last.

    ``fetch(cursor)`` calls the operation with that cursor (a normal call:
    retries and redirects apply) and gives its :class:`RawResponse`. A
    cursor the pages already gave is refused: they would never end. ``hide``
    keeps the key out of the message.
    """
    sent = {_key(cursor)} if cursor is not None else set()
    while True:
        raw: RawResponse[Any] = yield Call(functools.partial(fetch, cursor))
        page = raw.parse()
        items = paging.items_of(page)
        yield Items(items)
        cursor = paging.cursor_after(page, items, raw.status_code)
        if cursor is None:
            return
        if _key(cursor) in sent:
            message = f"gives the cursor {show(cursor)} again: the pages would never end"
            path = pointer_path(paging.next_cursor)
            raise ResponseValidationError(
                raw.status_code, [FieldError(path, "x-pagination", hide(message))]
            )
        sent.add(_key(cursor))
