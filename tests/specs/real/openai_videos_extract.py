"""Cut the video section out of OpenAI's published OpenAPI document (openai/openai-openapi).

Run from ``tests/specs/real/``,
``python openai_videos_extract.py openapi.yaml > openai-videos.yaml``
keeps the ``/videos`` paths and every component they reference, transitively,
as they are, except the ``x-oaiMeta`` code samples (documentation the
generator ignores). The result stays OpenAPI 3.1; its licence (MIT) is
``openai-videos.LICENSE`` beside it.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

PREFIX = "#/components/"


def refs(node: Any) -> list[str]:
    """Every ``$ref`` inside ``node``."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def without_samples(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_samples(v) for k, v in node.items() if k != "x-oaiMeta"}
    if isinstance(node, list):
        return [without_samples(item) for item in node]
    return node


def extract(document: dict[str, Any]) -> dict[str, Any]:
    paths = {
        path: without_samples(item)
        for path, item in document["paths"].items()
        if path == "/videos" or path.startswith("/videos/")
    }
    components: dict[str, dict[str, Any]] = {}
    stack = refs(paths)
    while stack:
        ref = stack.pop()
        kind, name = ref[len(PREFIX) :].split("/", 1)
        if name in components.get(kind, {}):
            continue
        target = without_samples(document["components"][kind][name])
        components.setdefault(kind, {})[name] = target
        stack.extend(refs(target))
    ordered = {kind: dict(sorted(found.items())) for kind, found in sorted(components.items())}
    schemes = document["components"]["securitySchemes"]
    ordered["securitySchemes"] = schemes
    return {
        "openapi": document["openapi"],
        "info": {
            **document["info"],
            "description": "The video section of "
            + "https://github.com/openai/openai-openapi (openapi.yaml), MIT licence.",
        },
        "servers": document["servers"],
        "security": document.get("security", []),
        "tags": [tag for tag in document.get("tags", []) if tag.get("name") == "Videos"],
        "paths": paths,
        "components": ordered,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        loaded = yaml.safe_load(source)
    sys.stdout.write(
        yaml.safe_dump(extract(loaded), sort_keys=False, allow_unicode=True, width=100)
    )
