"""Small OpenAPI documents written inline by each generator test, and a way to generate them."""

from __future__ import annotations

import copy
import importlib
import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from codegen.loader import load
from codegen.parser import parse
from codegen.render import generate

_PACKAGES = itertools.count()


def document(
    *,
    schemas: dict[str, Any] | None = None,
    paths: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document with bearer auth and the given components and paths."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Inline", "version": "1.0.0"},
        "servers": [{"url": "https://inline.example.test"}],
        "security": [{"bearer": []}],
        "paths": copy.deepcopy(paths or {}),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": copy.deepcopy(schemas or {}),
        },
    }


def post(body: dict[str, Any], response: dict[str, Any], **extensions: Any) -> dict[str, Any]:
    """A ``POST /things`` operation ``createThing`` with a JSON body and a 200 response."""
    operation = {
        "operationId": "createThing",
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": response}}}
        },
    }
    operation.update({key.replace("_", "-"): value for key, value in extensions.items()})
    return {"/things": {"post": operation}}


def write(spec: dict[str, Any], folder: Path) -> Path:
    """Write ``spec`` as YAML into ``folder`` and return the file."""
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def generated(spec: dict[str, Any], folder: Path) -> Iterator[ModuleType]:
    """Generate ``spec`` into ``folder`` under a fresh package name and import it."""
    with generated_from(write(spec, folder), folder) as package:
        yield package


@contextmanager
def generated_from(path: Path, folder: Path) -> Iterator[ModuleType]:
    """Generate the spec file ``path`` into ``folder`` under a fresh package name and import it."""
    package = f"inline{next(_PACKAGES)}"
    generate(parse(load(path), package), folder / "out", path.name)
    sys.path.insert(0, str(folder / "out"))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(folder / "out"))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
