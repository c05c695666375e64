"""What the extractors beside this file share.

A section of a document and what it references, the extract's top level, and
the command line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
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


def section(
    document: dict[str, Any],
    prefixes: list[str],
    clean: Callable[[Any], Any] = lambda node: node,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The paths under ``prefixes`` and every component they reference, transitively.

    Each kept node passes through ``clean``; the components come sorted by kind
    and name, followed by the document's security schemes.
    """
    paths = {
        path: clean(item)
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
        target = clean(document["components"][kind][name])
        components.setdefault(kind, {})[name] = target
        stack.extend(refs(target))
    ordered: dict[str, Any] = {
        kind: dict(sorted(found.items())) for kind, found in sorted(components.items())
    }
    ordered["securitySchemes"] = document["components"]["securitySchemes"]
    return paths, ordered


def extracted(
    document: dict[str, Any],
    description: str,
    paths: dict[str, Any],
    components: dict[str, Any],
    tags: list[Any] | None = None,
) -> dict[str, Any]:
    """An extract of ``document`` holding ``paths`` and ``components``.

    Its version, info (with ``description``), servers and security come from
    ``document``; ``tags``, when given, come before the paths.
    """
    top: dict[str, Any] = {
        "openapi": document["openapi"],
        "info": {**document["info"], "description": description},
        "servers": document["servers"],
    }
    if "security" in document:
        top["security"] = document["security"]
    if tags is not None:
        top["tags"] = tags
    return {**top, "paths": paths, "components": components}


def main(extract: Callable[[dict[str, Any], list[str]], dict[str, Any]]) -> None:
    """``python -m <extractor> <document> [prefix ...]``: the extract, as YAML on stdout.

    The document is JSON when its name ends in ``.json``, else YAML.
    """
    path = sys.argv[1]
    with open(path, encoding="utf-8") as source:
        loaded = json.load(source) if path.endswith(".json") else yaml.safe_load(source)
    dumped = yaml.safe_dump(
        extract(loaded, sys.argv[2:]), sort_keys=False, allow_unicode=True, width=100
    )
    sys.stdout.write(dumped)
