"""Binary responses in the generator: a non-JSON 2xx response becomes a download method."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest

from codegen.loader import SpecError
from codegen.parser import parse
from tests.support.inline import document, generated, post

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {"message": {"type": "string"}}}},
    "x-error-fields": {"message": ["/error/message"]},
}


def get_file(content: dict[str, Any], **extensions: Any) -> dict[str, Any]:
    """A ``GET /files/{name}`` operation ``getFile`` whose 200 answer has ``content``."""
    operation: dict[str, Any] = {
        "operationId": "getFile",
        "parameters": [
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "part", "in": "query", "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": {"description": "the file", "content": content},
            "404": {
                "description": "no such file",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}},
            },
        },
    }
    operation.update({key.replace("_", "-"): value for key, value in extensions.items()})
    return {"/files/{name}": {"get": operation}}


BINARY = {"type": "string", "format": "binary"}


def problems_of(spec: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse(spec, "inline")
    return raised.value.problems


def test_a_non_json_response_is_binary_in_the_ir() -> None:
    content = {"application/pdf": {"schema": BINARY}, "*/*": {}}
    api = parse(document(schemas={"E": ERROR}, paths=get_file(content)), "inline")
    (op,) = api.operations
    assert op.download and op.media_types == {"200": ("application/pdf", "*/*")}
    assert op.success_models == () and api.response_models == ()


@pytest.mark.slow
def test_the_download_method_streams_and_the_parser_returns_bytes(tmp_path: Path) -> None:
    # A JSON operation beside it: a package needs a model (a limitation of models.py).
    thing = {"type": "object", "properties": {"name": {"type": "string"}}}
    spec = document(
        schemas={"E": ERROR},
        paths={**get_file({"application/octet-stream": {"schema": BINARY}}), **post(thing, thing)},
    )
    data = b"%PDF-1.7 " + bytes(range(256)) * 40

    def handler(request: Any) -> Any:
        if request.url.endswith("/files/missing"):
            body = json.dumps({"error": {"message": "no such file"}}).encode()
            return package.HttpResponse(404, {"content-type": "application/json"}, body)
        return package.HttpResponse(200, {"content-type": "application/octet-stream"}, data)

    with generated(spec, tmp_path) as package:
        transport = package.MockTransport(handler)
        client = package.Client(api_key="k", transport=transport)
        result = client.get_file("a.pdf", tmp_path / "a.pdf", part=2)
        assert result.size == len(data) and (tmp_path / "a.pdf").read_bytes() == data
        assert transport.requests[0].url.endswith("/files/a.pdf?part=2")
        assert (
            transport.requests[0].headers["Accept"] == "application/octet-stream, application/json"
        )
        buffer = io.BytesIO()
        client.get_file("a.pdf", buffer)
        assert buffer.getvalue() == data
        with pytest.raises(package.NotFoundError, match="no such file"):
            client.get_file("missing", tmp_path / "m.pdf")
        assert not (tmp_path / "m.pdf").exists()
        parsed = package.parse_get_file_response(200, {"content-type": "application/pdf"}, data)
        assert parsed == data
        assert not hasattr(client.with_raw_response, "get_file")

        async def run() -> Any:
            async_client = package.AsyncClient(api_key="k", transport=transport)
            return await async_client.get_file("a.pdf", tmp_path / "b.pdf")

        assert asyncio.run(run()).size == len(data)
        assert (tmp_path / "b.pdf").read_bytes() == data


def test_bodies_must_be_json_or_forms_and_error_responses_json() -> None:
    text_body = post({"type": "object"}, {"type": "object"})
    text_body["/things"]["post"]["requestBody"]["content"] = {"text/plain": {"schema": BINARY}}
    problems = problems_of(document(paths=text_body))
    assert any(
        "requestBody: only JSON, multipart/form-data and application/x-www-form-urlencoded"
        " bodies are supported (got ['text/plain'])" in p
        for p in problems
    ), problems
    paths = get_file({"video/mp4": {"schema": BINARY}})
    paths["/files/{name}"]["get"]["responses"]["404"]["content"] = {"text/html": {}}
    problems = problems_of(document(schemas={"E": ERROR}, paths=paths))
    assert any("responses.404: only JSON content is supported" in p for p in problems), problems


def test_a_binary_response_schema_must_be_a_string() -> None:
    paths = get_file({"video/mp4": {"schema": {"type": "object"}}})
    problems = problems_of(document(schemas={"E": ERROR}, paths=paths))
    assert any("content.video/mp4.schema: a binary response must be" in p for p in problems)


def test_a_binary_response_schema_may_be_a_reference_to_one() -> None:
    content = {"image/png": {"schema": {"$ref": "#/components/schemas/Image"}}}
    schemas = {"E": ERROR, "Image": {**BINARY, "description": "a picture"}}
    (op,) = parse(document(schemas=schemas, paths=get_file(content)), "inline").operations
    assert op.download and op.media_types == {"200": ("image/png",)}
    schemas["Image"] = {"type": "object"}
    problems = problems_of(document(schemas=schemas, paths=get_file(content)))
    assert any("content.image/png.schema: a binary response must be" in p for p in problems)


def test_a_parameter_named_like_a_download_argument_takes_another_name() -> None:
    paths = get_file({"video/mp4": {"schema": BINARY}})
    paths["/files/{name}"]["get"]["parameters"][1]["name"] = "destination"
    api = parse(document(schemas={"E": ERROR}, paths=paths), "inline")
    (op,) = api.operations
    assert [(p.name, p.python_name) for p in op.parameters] == [
        ("name", "name"),
        ("destination", "destination_"),
    ]


def test_a_download_may_only_follow_commands_that_wait() -> None:
    paths = get_file(
        {"video/mp4": {"schema": BINARY}},
        x_cli={"command": "fetch", "after": {"commands": ["create"], "argument": "/id"}},
    )
    problems = problems_of(document(schemas={"E": ERROR}, paths=paths))
    assert any("x-cli.after: ['create'] are not commands that wait" in p for p in problems)
