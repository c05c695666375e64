"""Cut one section out of Discord's published OpenAPI 3.1 document (discord/discord-api-spec).

Source: https://github.com/discord/discord-api-spec, commit
74fda0fad044407ea280043a03ffc9bc64c4e49e, file ``specs/openapi.json``, MIT
licence (``discord.LICENSE`` beside this file). Run from ``tests/specs/real/``,
``python discord_extract.py openapi.json /lobbies > discord-lobbies.yaml``
keeps the paths under the given prefixes and every component they reference,
transitively, as they are, and the security schemes. The result stays OpenAPI 3.1.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import yaml

PREFIX = "#/components/"
SOURCE = (
    "https://github.com/discord/discord-api-spec (specs/openapi.json at "
    "74fda0fad044407ea280043a03ffc9bc64c4e49e), MIT licence."
)


def refs(node: Any) -> list[str]:
    """Every ``$ref`` inside ``node``."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def extract(document: dict[str, Any], prefixes: list[str]) -> dict[str, Any]:
    paths = {
        path: item
        for path, item in document["paths"].items()
        if any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)
    }
    components: dict[str, dict[str, Any]] = {}
    stack = refs(paths)
    while stack:
        ref = stack.pop()
        kind, name = ref[len(PREFIX) :].split("/", 1)
        if name in components.get(kind, {}):
            continue
        target = document["components"][kind][name]
        components.setdefault(kind, {})[name] = target
        stack.extend(refs(target))
    ordered = {kind: dict(sorted(found.items())) for kind, found in sorted(components.items())}
    ordered["securitySchemes"] = document["components"]["securitySchemes"]
    section = ", ".join(prefixes)
    return {
        "openapi": document["openapi"],
        "info": {**document["info"], "description": f"The {section} section of {SOURCE}"},
        "servers": document["servers"],
        **({"security": document["security"]} if "security" in document else {}),
        "paths": paths,
        "components": ordered,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        loaded = json.load(source)
    sys.stdout.write(
        yaml.safe_dump(
            extract(loaded, sys.argv[2:]), sort_keys=False, allow_unicode=True, width=100
        )
    )
