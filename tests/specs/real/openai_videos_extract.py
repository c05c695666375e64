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

from typing import Any

from tests.specs.real.sections import extracted, main, section


def without_samples(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_samples(v) for k, v in node.items() if k != "x-oaiMeta"}
    if isinstance(node, list):
        return [without_samples(item) for item in node]
    return node


def extract(document: dict[str, Any]) -> dict[str, Any]:
    paths, components = section(document, ["/videos"], without_samples)
    description = (
        "The video section of https://github.com/openai/openai-openapi (openapi.yaml), MIT licence."
    )
    tags = [tag for tag in document.get("tags", []) if tag.get("name") == "Videos"]
    return extracted(document, description, paths, components, tags)


if __name__ == "__main__":
    main(lambda document, _prefixes: extract(document))  # always the /videos section
