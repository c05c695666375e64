"""The corpus of real published specs: every document in ``tests/specs/real/``.

``sources.yaml`` lists each one (OpenAI's videos section, Discord's lobbies,
Redocly's Museum API) with where it was cut from, by which extractor and under
which licence. For each, the generated package must import, pass ``mypy
--strict``, put the key where the document's security says, and build a
request for every operation from the document's examples (or values drawn from
its schemas) whose JSON body the oracle accepts; the report gives operations
generated versus total.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import Phase, find, settings

from codegen.ir import Operation
from codegen.loader import SpecError, load
from codegen.parser import parse
from codegen.render import generate
from tests.contract import oracle
from tests.contract import spec as spec_module
from tests.contract.spec import Spec
from tests.contract.strategies import valid_for

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
            to_json = sys.modules[f"{PACKAGE}._decode"].to_json
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


# Every document of tests/specs/real/ (listed in its sources.yaml), the same checks each.
REAL = ROOT / "tests" / "specs" / "real"
SOURCES: list[dict[str, Any]] = yaml.safe_load((REAL / "sources.yaml").read_text("utf-8"))[
    "documents"
]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The first valid value found will do: shrinking it to the simplest one costs more than the test.
FIND = settings(
    database=None, derandomize=True, max_examples=200, phases=[Phase.explicit, Phase.generate]
)


def total_operations(document: dict[str, Any]) -> int:
    return sum(
        1 for item in document["paths"].values() for m in METHODS if isinstance(item.get(m), dict)
    )


def generated_count(entry: dict[str, Any]) -> tuple[int, int, str]:
    """Operations generated, operations in the document, and the refusal (empty if none)."""
    path = REAL / entry["file"]
    total = total_operations(yaml.safe_load(path.read_text("utf-8")))
    try:
        return len(parse(load(path), entry["package"]).operations), total, ""
    except SpecError as error:
        return 0, total, str(error)


@pytest.mark.parametrize("entry", SOURCES, ids=[e["file"] for e in SOURCES])
def test_every_real_document_has_its_source_and_licence(entry: dict[str, Any]) -> None:
    document = yaml.safe_load((REAL / entry["file"]).read_text("utf-8"))
    assert str(document["openapi"]).startswith("3.1")
    assert "MIT License" in (REAL / entry["licence"]).read_text("utf-8")
    assert (REAL / entry["extractor"]).is_file() and entry["source"]


@pytest.mark.parametrize("entry", SOURCES, ids=[e["file"] for e in SOURCES])
def test_operations_generated_versus_total(entry: dict[str, Any]) -> None:
    generated, total, refusal = generated_count(entry)
    report = f"{entry['file']}: {generated} / {total} operations generated"
    print(report + (f" (refused: {refusal})" if refusal else ""))
    if entry.get("refused"):
        assert entry["refused"] in refusal, report + f"; expected the refusal {entry['refused']!r}"
        pytest.xfail(f"{report}; the generator refuses it: {refusal}")
    assert generated == total, report + (f": {refusal}" if refusal else "")


@pytest.fixture(scope="module", params=SOURCES, ids=[e["file"] for e in SOURCES])
def real_package(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    entry: dict[str, Any] = request.param
    if entry.get("refused"):
        pytest.xfail(f"{entry['file']}: the generator refuses it ({entry['refused']})")
    path, name = REAL / entry["file"], entry["package"]
    out = tmp_path_factory.mktemp("real")
    api = parse(load(path), name)
    generate(api, out, path.name)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(name), api, spec_module.load(path)
    finally:
        sys.path.remove(str(out))
        for module in [n for n in sys.modules if n == name or n.startswith(name + ".")]:
            del sys.modules[module]


@pytest.mark.slow
def test_the_real_package_passes_mypy_strict(real_package: Any) -> None:
    folder = Path(real_package[0].__file__).parent
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", folder.name],
        capture_output=True,
        text=True,
        cwd=folder.parent,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def local(node: Any, spec: Spec) -> Any:
    """``node`` with its ``$ref`` to a place in the same document followed, if it has one."""
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = spec.document
        for key in node["$ref"][2:].split("/"):
            target = target[key]
        node = target
    return node


def example_or_drawn(holder: dict[str, Any], schema: Any, spec: Spec, path_part: bool) -> Any:
    """The spec's own example for a parameter or body, else a value drawn from its schema."""
    examples = [local(e, spec).get("value") for e in (holder.get("examples") or {}).values()]
    resolved = spec.resolve(schema)
    for candidates in (
        examples,
        [holder["example"]] if "example" in holder else [],
        list(resolved.get("examples", [])) if isinstance(resolved, dict) else [],
    ):
        if candidates:
            return candidates[0]
    validator = oracle.validator_for(schema, spec)
    return find(
        valid_for(schema, spec=spec),
        lambda v: validator.is_valid(v) and not (path_part and v in ("", None)),
        settings=FIND,
    )


def arguments(op: Operation, raw: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """Values for the required parameters of ``op``, by their Python names."""
    found = {}
    declared = {(p["name"], p["in"]): p for p in raw.get("parameters", [])}
    for p in op.parameters:
        if p.required:
            holder = declared.get((p.name, p.location), {})
            found[p.python_name] = example_or_drawn(
                holder, holder.get("schema", {}), spec, p.location == "path"
            )
    return found


# The key every builder is given: a user:password, so it serves HTTP basic auth too.
KEY = "test:key"


def expected_key(raw: dict[str, Any], spec: Spec) -> tuple[str, str, str] | None:
    """Where the document says the key ``KEY`` goes: (location, name, value), or None.

    Read from the operation's (or the document's) first security requirement
    with one scheme of a kind a key can be sent for; none at all means no key.
    """
    schemes = spec.document.get("components", {}).get("securitySchemes", {})
    for requirement in raw.get("security", spec.document.get("security", [])):
        scheme = schemes[next(iter(requirement))] if len(requirement) == 1 else {}
        kind = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        if kind[0] == "apiKey":
            return scheme["in"], scheme["name"].lower(), KEY
        if kind == ("http", "bearer"):
            return "header", "authorization", f"Bearer {KEY}"
        if kind == ("http", "basic"):
            return "header", "authorization", "Basic " + base64.b64encode(KEY.encode()).decode()
    return None


def key_sent(request: Any) -> tuple[str, str, str] | None:
    """Where ``request`` carries the key ``KEY``: (location, name, value), or None."""
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query)
    for name, value in query:
        if KEY in value:
            return "query", name.lower(), value
    for name, value in request.headers.items():
        basic = name.lower() == "authorization" and value.startswith("Basic ")
        if KEY in (base64.b64decode(value[6:]).decode() if basic else value):
            if name.lower() == "cookie":
                cookie, _, sent = value.partition("=")
                return "cookie", cookie.lower(), sent
            return "header", name.lower(), value
    return None


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_builder_builds_a_body_the_oracle_accepts(real_package: Any) -> None:
    package, api, spec = real_package
    checked = []
    for op in api.operations:
        item = spec.document["paths"][op.path]
        raw = dict(item[op.method.lower()])
        parameters = [*item.get("parameters", []), *raw.get("parameters", [])]
        raw["parameters"] = [local(p, spec) for p in parameters]
        raw["requestBody"] = local(raw.get("requestBody", {}), spec)
        build = getattr(package, f"build_{op.name}")
        kwargs = arguments(op, raw, spec)
        if "api_key" in inspect.signature(build).parameters:
            kwargs["api_key"] = KEY
        content = raw.get("requestBody", {}).get("content", {})
        media = next((m for m in content if m.split(";")[0] == "application/json"), None)
        if media is None and content:  # a form body only: its files as bytes, no oracle
            body = next(iter(content.values()))
            value = example_or_drawn(body, body.get("schema", {}), spec, False)
            files = next(b.files for b in op.bodies if b.media_type != "application/json")
            value = {k: (b"data" if k in files else v) for k, v in value.items()}
            build(**kwargs, **value)
            continue
        value = {}
        if media is not None:
            schema = content[media].get("schema", {})
            value = example_or_drawn(content[media], schema, spec, False)
        # A body that is not an object with properties is passed whole.
        whole = op.body is not None and op.body.whole
        request = build(**kwargs, body=value) if whole else build(**kwargs, **value)
        assert key_sent(request) == expected_key(raw, spec), op.name
        if media is not None:
            errors = list(oracle.validator_for(schema, spec).iter_errors(request.json()))
            assert not errors, f"{op.name}: {[e.message for e in errors]}"
            checked.append(op.name)
    print(f"{spec.path.name}: {len(checked)} JSON bodies accepted by the oracle: {checked}")
