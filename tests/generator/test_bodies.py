"""Request bodies beyond JSON: multipart (files streamed from disk), urlencoded, a choice."""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import tracemalloc
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from codegen.parser import parse
from tests.support.inline import document, generated

THING = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
FILE = {"type": "string", "format": "binary", "description": "The clip."}
UPLOAD = {
    "type": "object",
    "required": ["name", "video"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 10},
        "seconds": {"type": "integer", "minimum": 1, "maximum": 20},
        "tags": {"type": "array", "items": {"type": "string"}},
        "options": {"type": "object", "properties": {"loop": {"type": "boolean"}}},
        "video": FILE,
    },
}
JSON_UPLOAD = {
    "type": "object",
    "required": ["name", "video"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "video": {"type": "object", "properties": {"url": {"type": "string"}}},
    },
}


def upload(content: dict[str, Any]) -> dict[str, Any]:
    """``POST /uploads`` (``createUpload``) whose body has ``content``; it answers a Thing."""
    return {
        "/uploads": {
            "post": {
                "operationId": "createUpload",
                "requestBody": {"required": True, "content": content},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": THING}},
                    }
                },
            }
        }
    }


MULTIPART = upload({"multipart/form-data": {"schema": UPLOAD}})
BOTH = upload(
    {"multipart/form-data": {"schema": UPLOAD}, "application/json": {"schema": JSON_UPLOAD}}
)
FORM = upload(
    {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "n": {"type": "integer", "maximum": 5},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        }
    }
)


def parts_of(content_type: str, body: bytes) -> list[Any]:
    """The parts of a multipart body, read by the standard library's email parser."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert message.is_multipart()
    return list(message.iter_parts())


def test_the_ir_knows_the_media_types_and_files() -> None:
    api = parse(document(paths=BOTH), "inline")
    (op,) = api.operations
    assert [b.media_type for b in op.bodies] == ["application/json", "multipart/form-data"]
    assert op.body is not None and op.body.files == ()
    assert op.other_bodies[0].files == ("video",)
    assert op.other_bodies[0].type_name == "CreateUploadMultipartBody"


@pytest.mark.slow
def test_a_multipart_file_is_streamed_from_disk(tmp_path: Path, httpserver: HTTPServer) -> None:
    video = tmp_path / "clip.mp4"
    size = 20 * 1024 * 1024
    with video.open("wb") as handle:
        for index in range(size // 65536):
            handle.write(bytes([index % 251]) * 65536)
    received: dict[str, Any] = {}

    def handler(request: Request) -> Response:
        received["headers"] = dict(request.headers)
        received["form"] = request.form.to_dict(flat=False)
        received["file"] = request.files["video"]
        received["file_bytes"] = request.files["video"].read()
        return Response(json.dumps({"id": "u1"}), content_type="application/json")

    httpserver.expect_request("/uploads", method="POST").respond_with_handler(handler)
    with generated(document(paths=MULTIPART), tmp_path) as package:
        request = package.build_create_upload(
            api_key="k",
            base_url=httpserver.url_for("/").rstrip("/"),
            name="cat",
            seconds=4,
            tags=["a", "b"],
            options={"loop": True},
            video=video,
        )
        assert isinstance(request.body, package.StreamBody)
        assert request.headers["Content-Length"] == str(request.body.length)
        assert request.body.length > size
        # Iterating reads the file a chunk at a time: memory stays far below its size.
        tracemalloc.start()
        try:
            chunks = sum(1 for _ in request.body)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert chunks > 300 and peak < 2 * 1024 * 1024, peak
        client = package.Client(api_key="k", base_url=httpserver.url_for("/").rstrip("/"))
        thing = client.create_upload(
            name="cat", seconds=4, tags=["a", "b"], options={"loop": True}, video=video
        )
    assert thing.id == "u1"
    assert received["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert "Transfer-Encoding" not in received["headers"]
    assert received["form"] == {
        "name": ["cat"],
        "seconds": ["4"],
        "tags": ["a", "b"],
        "options": ['{"loop":true}'],
    }
    assert received["file"].filename == "clip.mp4"
    assert received["file"].content_type == "video/mp4"
    assert received["file_bytes"] == video.read_bytes()


def test_files_from_bytes_file_objects_and_uploads(tmp_path: Path) -> None:
    with generated(document(paths=MULTIPART), tmp_path) as package:
        transport = package.MockTransport(
            lambda request: package.HttpResponse(
                200, {"content-type": "application/json"}, b'{"id": "u"}'
            )
        )
        client = package.Client(api_key="k", transport=transport)
        handle = io.BytesIO(b"skip-me|the file")
        handle.seek(len(b"skip-me|"))
        sources = [
            (b"raw bytes", "upload", "application/octet-stream", b"raw bytes"),
            (handle, "upload", "application/octet-stream", b"the file"),
            (package.Upload(b"<svg/>", "a.svg"), "a.svg", "image/svg+xml", b"<svg/>"),
            (package.Upload(b"x", "a", "video/webm"), "a", "video/webm", b"x"),
        ]
        for source, filename, media, data in sources:
            client.create_upload(name="n", video=source)
            request = transport.requests[-1]
            (name, video) = parts_of(request.headers["Content-Type"], request.content())
            assert name.get_content() == "n"
            assert video.get_filename() == filename
            assert video.get_content_type() == media
            assert video.get_content() == data
        # A stream body is iterable again (a retry, a redirect): the same bytes each time.
        assert b"".join(request.body) == b"".join(request.body) == request.content()


def test_non_file_fields_are_still_validated_and_files_checked(tmp_path: Path) -> None:
    with generated(document(paths=MULTIPART), tmp_path) as package:
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_upload(
                api_key="k", name="far too long a name", seconds=99, video=tmp_path / "missing"
            )
        rules = {(e.path, e.rule) for e in raised.value.errors}
        assert rules == {("name", "maxLength"), ("seconds", "maximum"), ("video", "file")}
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_upload(api_key="k", name="n")
        assert {(e.path, e.rule) for e in raised.value.errors} == {("video", "required")}
        with (
            (tmp_path / "t.txt").open("w") as text,
            pytest.raises(package.RequestValidationError) as raised,
        ):
            package.build_create_upload(api_key="k", name="n", video=text)
        assert "binary mode" in str(raised.value)


def test_an_urlencoded_body(tmp_path: Path) -> None:
    with generated(document(paths=FORM), tmp_path) as package:
        request = package.build_create_upload(api_key="k", name="a b&c", n=3, tags=["x", "y"])
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert isinstance(request.body, bytes)
        assert urllib.parse.parse_qs(request.body.decode()) == {
            "name": ["a b&c"],
            "n": ["3"],
            "tags": ["x", "y"],
        }
        with pytest.raises(package.RequestValidationError, match="n: "):
            package.build_create_upload(api_key="k", name="a", n=6)


def test_the_caller_chooses_the_content_type_json_by_default(tmp_path: Path) -> None:
    with generated(document(paths=BOTH), tmp_path) as package:
        request = package.build_create_upload(api_key="k", name="n", video={"url": "https://v"})
        assert request.headers["Content-Type"] == "application/json"
        assert request.json() == {"name": "n", "video": {"url": "https://v"}}
        request = package.build_create_upload(
            api_key="k", name="n", video=b"data", content_type="multipart/form-data"
        )
        assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert [
            p.get_param("name", header="content-disposition")
            for p in parts_of(request.headers["Content-Type"], request.content())
        ] == ["name", "video"]
        # Each media type has its own schema: bytes are no JSON object.
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_upload(api_key="k", name="n", video=b"data")
        assert [e.path for e in raised.value.errors] == ["video"]
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_upload(
                api_key="k",
                name="n",
                video=b"x",
                content_type="text/csv",
            )
        assert [(e.path, e.rule) for e in raised.value.errors] == [("content_type", "enum")]
        client = package.Client(
            api_key="k",
            transport=package.MockTransport(
                lambda request: package.HttpResponse(200, {}, b'{"id": "u"}')
            ),
        )
        assert client.create_upload(name="n", video=b"v", content_type="multipart/form-data").id


def test_the_fields_of_a_body_include_those_of_its_all_of_branches(tmp_path: Path) -> None:
    named = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    body = {
        "type": "object",
        "allOf": [
            {"type": "object", "properties": {"email": {"type": "string"}}},
            {"$ref": "#/components/schemas/Named"},
        ],
    }
    spec = document(schemas={"Named": named, "Body": body}, paths=post_body())
    (op,) = parse(spec, "inline").operations
    assert op.body is not None
    assert [(f.name, f.required) for f in op.body.fields] == [("email", False), ("name", True)]
    with generated(spec, tmp_path) as package:
        request = package.build_create_thing(api_key="k", email="a@b.c", name="Ann")
        assert request.json() == {"email": "a@b.c", "name": "Ann"}
        with pytest.raises(package.RequestValidationError) as raised:
            package.build_create_thing(api_key="k", email="a@b.c", nickname="Ann")
        rules = {(e.path, e.rule) for e in raised.value.errors}
        assert ("nickname", "unknown-field") in rules


def post_body() -> dict[str, Any]:
    """``POST /things`` with the body ``#/components/schemas/Body``, answered by it."""
    ref = {"$ref": "#/components/schemas/Body"}
    return {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": ref}}}
                },
            }
        }
    }
