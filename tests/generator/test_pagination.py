"""``x-pagination``: a list operation gets an iterator over the items of all its pages."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from codegen.loader import SpecError
from codegen.parser import parse
from tests.support.inline import document, generated
from tests.support.type_check import mypy_strict

VIDEO = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string"}, "status": {"type": "string"}},
}
PAGE: dict[str, Any] = {
    "type": "object",
    "required": ["data", "has_more"],
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Video"}},
        "has_more": {"type": "boolean"},
        "last_id": {"type": ["string", "null"]},
    },
}
OPENAI_STYLE = {
    "cursor": "after",
    "items": "/data",
    "has_more": "/has_more",
    "next_cursor": "/last_id",
}


def list_videos(pagination: Any = None, page: Any = None) -> dict[str, Any]:
    """A ``GET /videos`` operation ``listVideos`` with ``after`` and ``limit``."""
    operation: dict[str, Any] = {
        "operationId": "listVideos",
        "parameters": [
            {"name": "after", "in": "query", "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        ],
        "responses": {
            "200": {
                "description": "a page",
                "content": {
                    "application/json": {"schema": page or {"$ref": "#/components/schemas/Page"}}
                },
            }
        },
    }
    if pagination is not None:
        operation["x-pagination"] = pagination
    return {"/videos": {"get": operation}}


def spec(pagination: Any = OPENAI_STYLE, page: Any = None) -> dict[str, Any]:
    return document(schemas={"Video": VIDEO, "Page": PAGE}, paths=list_videos(pagination, page))


def pages_of(package: Any, ids: list[list[str]], *, last_id: bool = True) -> Any:
    """A MockTransport serving ``ids`` page by page: the page after the cursor ``after``."""

    def handler(request: Any) -> Any:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
        index = 0
        if "after" in query:
            index = next(i for i, page in enumerate(ids) if page and page[-1] == query["after"]) + 1
        page = ids[index]
        body: dict[str, Any] = {
            "data": [{"id": i, "status": "completed"} for i in page],
            "has_more": index + 1 < len(ids),
        }
        if last_id:
            body["last_id"] = page[-1] if page else None
        return package.HttpResponse(
            200, {"content-type": "application/json"}, json.dumps(body).encode()
        )

    return package.MockTransport(handler)


def queries(transport: Any) -> list[dict[str, str]]:
    return [
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.url).query)) for r in transport.requests
    ]


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse(document, "inline")
    return raised.value.problems


def test_the_iterator_goes_through_every_page_passing_the_cursor(tmp_path: Path) -> None:
    with generated(spec(), tmp_path) as package:
        transport = pages_of(package, [["a", "b"], ["c"], ["d", "e"]])
        client = package.Client(api_key="k", transport=transport)
        videos = client.iter_list_videos(limit=2)
        assert transport.requests == []  # nothing is sent before the first item is asked for
        assert [v.id for v in videos] == ["a", "b", "c", "d", "e"]
        assert isinstance(client.iter_list_videos(limit=2).__next__(), package.Video)
        assert queries(transport)[:3] == [
            {"limit": "2"},
            {"limit": "2", "after": "b"},
            {"limit": "2", "after": "c"},
        ]


def test_a_start_cursor_and_the_last_item_as_cursor(tmp_path: Path) -> None:
    pagination = {**OPENAI_STYLE, "next_cursor": "/data/-1/id"}
    with generated(spec(pagination), tmp_path) as package:
        transport = pages_of(package, [["a"], ["b"], ["c"]], last_id=False)
        client = package.Client(api_key="k", transport=transport)
        assert [v.id for v in client.iter_list_videos(after="a")] == ["b", "c"]
        assert [q.get("after") for q in queries(transport)] == ["a", "b"]


def test_the_pages_stop_when_has_more_is_false(tmp_path: Path) -> None:
    with generated(spec(), tmp_path) as package:
        transport = pages_of(package, [["a"]])
        client = package.Client(api_key="k", transport=transport)
        assert [v.id for v in client.iter_list_videos()] == ["a"]
        assert len(transport.requests) == 1


def test_without_has_more_the_pages_end_with_no_cursor(tmp_path: Path) -> None:
    pagination = {"cursor": "after", "items": "/data", "next_cursor": "/last_id"}
    with generated(spec(pagination), tmp_path) as package:
        transport = pages_of(package, [["a"], ["b"], []])
        client = package.Client(api_key="k", transport=transport)
        assert [v.id for v in client.iter_list_videos()] == ["a", "b"]
        assert len(transport.requests) == 3


def test_each_page_is_a_normal_call_with_retries(tmp_path: Path) -> None:
    with generated(spec(), tmp_path) as package:
        serve = pages_of(package, [["a"], ["b"]])
        failures = [package.HttpResponse(503, {}, b"busy")]

        def handler(request: Any) -> Any:
            if "after" in request.url and failures:
                return failures.pop()
            return serve.handler(request)

        transport = package.MockTransport(handler)
        client = package.Client(api_key="k", transport=transport, sleep=lambda _: None)
        assert [v.id for v in client.iter_list_videos()] == ["a", "b"]
        assert len(transport.requests) == 3


def test_a_page_without_the_promised_cursor_or_repeating_one_is_refused(tmp_path: Path) -> None:
    def answer(package: Any, body: dict[str, Any]) -> Any:
        data = json.dumps(body).encode()
        return package.MockTransport(
            lambda request: package.HttpResponse(200, {"content-type": "application/json"}, data)
        )

    with generated(spec(), tmp_path) as package:
        client = package.Client(
            api_key="k", transport=answer(package, {"data": [], "has_more": True})
        )
        with pytest.raises(package.ResponseValidationError) as raised:
            list(client.iter_list_videos())
        assert [(e.path, e.rule) for e in raised.value.errors] == [("last_id", "x-pagination")]
        looping = {"data": [{"id": "a"}], "has_more": True, "last_id": "a"}
        client = package.Client(api_key="k", transport=answer(package, looping))
        with pytest.raises(package.ResponseValidationError, match='cursor "a" again'):
            list(client.iter_list_videos())


def test_the_async_iterator(tmp_path: Path) -> None:
    with generated(spec(), tmp_path) as package:
        transport = pages_of(package, [["a", "b"], ["c"]])
        client = package.AsyncClient(api_key="k", transport=transport)

        async def collect() -> list[str]:
            return [v.id async for v in client.iter_list_videos(limit=5)]

        assert asyncio.run(collect()) == ["a", "b", "c"]
        assert [q.get("after") for q in queries(transport)] == [None, "b"]


@pytest.mark.slow
def test_the_iterators_pass_mypy_strict(tmp_path: Path) -> None:
    with generated(spec(), tmp_path) as package:
        checked = mypy_strict(
            f"import {package.__name__} as p\n"
            "from collections.abc import AsyncIterator, Iterator\n"
            "client = p.Client('k')\n"
            "videos: Iterator[p.Video] = client.iter_list_videos(limit=10, after='x')\n"
            "first: str = next(videos).id\n"
            "async def main() -> list[str]:\n"
            "    listing: AsyncIterator[p.Video] = p.AsyncClient('k').iter_list_videos()\n"
            "    return [video.id async for video in listing]\n",
            tmp_path,
            tmp_path / "out",
        )
        assert checked.returncode == 0, checked.stdout
        refused = mypy_strict(
            f"import {package.__name__} as p\np.Client('k').iter_list_videos(limit='ten')\n",
            tmp_path,
            tmp_path / "out",
        )
        assert "incompatible type" in refused.stdout


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"cursor": "before"}, "x-pagination.cursor: 'before' is not a query parameter"),
        ({"items": "/videos"}, "x-pagination.items: /videos is not in the response schema"),
        ({"items": "/has_more"}, "x-pagination.items: /has_more must be an array"),
        ({"next_cursor": "/data/-1/key"}, "x-pagination.next_cursor: /data/-1/key is not in"),
        ({"next_cursor": "/data"}, "x-pagination.next_cursor: /data must be a string or a number"),
        ({"has_more": "/last_id"}, "x-pagination.has_more: /last_id must be a boolean"),
        ({"page_size": "limit"}, "x-pagination: unknown keys ['page_size']"),
        ({"items": "data"}, "x-pagination.items: must be a JSON pointer"),
    ],
)
def test_a_wrong_declaration_says_where(change: dict[str, Any], problem: str) -> None:
    (found,) = problems_of(spec({**OPENAI_STYLE, **change}))
    assert found.startswith("paths./videos.get.x-pagination"), found
    assert problem in found, found


def test_inline_items_are_refused_since_they_name_no_type() -> None:
    page = {**PAGE, "properties": {**PAGE["properties"], "data": {"type": "array", "items": VIDEO}}}
    (found,) = problems_of(spec(page=page))
    assert "items of /data must be a $ref to a component schema" in found


def test_the_iterator_name_comes_from_names_and_steps_aside(tmp_path: Path) -> None:
    api = parse(spec(), "inline")
    (op,) = api.operations
    assert op.pagination is not None and op.pagination.method == "iter_list_videos"
    assert op.pagination.item_type == "Video" and op.pagination.cursor_argument == "after"
    document_ = spec({**OPENAI_STYLE, "method": "list_videos"})
    (op,) = parse(document_, "inline").operations
    assert op.pagination is not None and op.pagination.method == "list_videos_2"
    (op,) = parse(spec({**OPENAI_STYLE, "method": "allVideos"}), "inline").operations
    assert op.pagination is not None and op.pagination.method == "allVideos"
