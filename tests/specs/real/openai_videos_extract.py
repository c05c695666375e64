"""Cut the video section out of OpenAI's published OpenAPI document (openai/openai-openapi).

From the project root,
``python -m tests.specs.real.openai_videos_extract openapi.yaml >
tests/specs/real/openai-videos.yaml``
keeps the ``/videos`` paths and every component they reference, transitively,
as they are, except the ``x-oaiMeta`` code samples (documentation the
generator ignores). The result stays OpenAPI 3.1; its licence (MIT) is
``openai-videos.LICENSE`` beside it.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from tests.specs.real.sections import section


def without_samples(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_samples(v) for k, v in node.items() if k != "x-oaiMeta"}
    if isinstance(node, list):
        return [without_samples(item) for item in node]
    return node


def extract(document: dict[str, Any]) -> dict[str, Any]:
    paths, components = section(document, ["/videos"], without_samples)
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
        "components": components,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        loaded = yaml.safe_load(source)
    sys.stdout.write(
        yaml.safe_dump(extract(loaded), sort_keys=False, allow_unicode=True, width=100)
    )
