"""What the extractors beside this file share: a section of a document and what it references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
