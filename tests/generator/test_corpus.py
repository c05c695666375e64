"""A real published spec: the video section of OpenAI's OpenAPI 3.1 document.

``tests/specs/real/openai-videos.yaml`` is cut out of openai/openai-openapi
(``openapi.yaml``, MIT licence in ``openai-videos.LICENSE``) by
``tests/specs/real/openai_videos_extract.py``. The package generated from it must
import, pass ``mypy --strict``, build a request for every operation and parse
the documented responses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.loader import load
from codegen.parser import parse
from codegen.render import generate

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "specs" / "real" / "openai-videos.yaml"
PACKAGE = "openai_videos"
# The createVideo response example of the published document (x-oaiMeta), with the
# properties its own schema requires and the example leaves out.
VIDEO = {
    "id": "video_123",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": 1712697600,
    "size": "1024x1792",
    "seconds": "8",
    "quality": "standard",
    "completed_at": None,
    "expires_at": None,
    "prompt": "A calico cat playing a piano on stage",
    "remixed_from_video_id": None,
    "error": None,
}
# Arguments for each builder, and the JSON its 200 response parses from.
CALLS: dict[str, tuple[dict[str, Any], Any]] = {
    "list_videos": (
        {"limit": 2, "order": "desc"},
        {
            "object": "list",
            "data": [VIDEO],
            "first_id": "video_123",
            "last_id": "video_123",
            "has_more": False,
        },
    ),
    "create_video": ({"prompt": "A calico cat playing a piano on stage", "seconds": "8"}, VIDEO),
    "create_video_character": ({"name": "Cat", "video": b"\x00\x00\x00\x18ftypmp42"}, None),
    "get_video_character": ({"character_id": "char_123"}, None),
    "create_video_edit": ({"prompt": "Make it night", "video": {"id": "video_123"}}, VIDEO),
    "create_video_extend": (
        {"prompt": "Keep going", "video": {"id": "video_123"}, "seconds": "8"},
        VIDEO,
    ),
    "get_video": ({"video_id": "video_123"}, VIDEO),
    "delete_video": (
        {"video_id": "video_123"},
        {"object": "video.deleted", "deleted": True, "id": "video_123"},
    ),
    "retrieve_video_content": ({"video_id": "video_123", "variant": "thumbnail"}, None),
    "create_video_remix": ({"video_id": "video_123", "prompt": "In watercolour"}, VIDEO),
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("corpus")
    generate(parse(load(SPEC), PACKAGE), out, SPEC.name)
    sys.path.insert(0, str(out))
    try:
        import openai_videos  # type: ignore[import-not-found]

        yield openai_videos
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_document_is_openapi_3_1_with_its_licence() -> None:
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert str(document["openapi"]).startswith("3.1")
    assert all(path.startswith("/videos") for path in document["paths"])
    licence = SPEC.with_name("openai-videos.LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "OpenAI" in licence


def test_the_package_passes_mypy_strict(package: Any) -> None:
    folder = Path(package.__file__).parent
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", folder.name],
        capture_output=True,
        text=True,
        cwd=folder.parent,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def without_nulls(value: Any) -> Any:
    """``value`` as a parsed model gives it back: properties set to null left out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the spec deprecates every operation
def test_a_request_for_every_operation_and_a_parsed_response(package: Any) -> None:
    names = {op.name for op in parse(load(SPEC), PACKAGE).operations}
    assert names == set(CALLS)
    for name, (arguments, reply) in CALLS.items():
        request = getattr(package, f"build_{name}")(api_key="sk-test", **arguments)
        assert request.url.startswith("https://api.openai.com/v1/videos")
        assert request.headers["Authorization"] == "Bearer sk-test"
        if reply is not None:
            body = json.dumps(reply).encode()
            parsed = getattr(package, f"parse_{name}_response")(
                200, {"content-type": "application/json"}, body
            )
            to_json = sys.modules[f"{PACKAGE}._runtime"].to_json
            assert to_json(parsed) == without_nulls(reply), name


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_multipart_upload_and_the_json_default(package: Any, tmp_path: Path) -> None:
    reference = tmp_path / "cat.png"
    reference.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))
    request = package.build_create_video(
        api_key="sk-test",
        prompt="A cat",
        input_reference=reference,
        content_type="multipart/form-data",
    )
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    content = request.content()
    assert b'name="input_reference"; filename="cat.png"' in content
    assert b"Content-Type: image/png" in content and bytes(1000) in content
    request = package.build_create_video(
        api_key="sk-test", prompt="A cat", input_reference={"image_url": "https://x/cat.png"}
    )
    assert request.json() == {
        "prompt": "A cat",
        "input_reference": {"image_url": "https://x/cat.png"},
    }
    with pytest.raises(package.RequestValidationError) as raised:
        package.build_create_video(api_key="sk-test", prompt="", seconds="7")
    assert {(e.path, e.rule) for e in raised.value.errors} >= {("prompt", "minLength")}
