"""Documents built on the project's spec: it extended by operations no code names, its version."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.contract import spec as spec_module

MODELS = {
    "object": "list",
    "data": [
        {"id": "doubao-seedance-2-0-260128", "object": "model", "owned_by": "bytedance"},
        {"id": "doubao-seedance-2-0-fast-260128", "object": "model", "owned_by": "bytedance"},
    ],
}
ADDED_PATHS: dict[str, Any] = {
    "/v1/models": {
        "get": {
            "operationId": "listModels",
            "summary": "List the models.",
            "responses": {
                "200": {
                    "description": "The models.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ModelList"},
                            "examples": {"models": {"value": MODELS}},
                        }
                    },
                },
                "401": {"$ref": "#/components/responses/Error"},
            },
        }
    },
    "/v1/videos/{task_id}/labels": {
        "post": {
            "operationId": "labelVideo",
            "summary": "Label a task (a body, no example of the answer).",
            "parameters": [
                {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["label"],
                            "properties": {"label": {"type": "string", "minLength": 1}},
                            "additionalProperties": False,
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "The label, kept.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Labelled"}}
                    },
                },
                "400": {"$ref": "#/components/responses/Error"},
            },
        }
    },
}
# A DELETE on the retrieval's own path: an answer drawn from its schema (no example).
ADDED_DELETE: dict[str, Any] = {
    "operationId": "deleteVideo",
    "summary": "Delete a task's video.",
    "responses": {
        "200": {
            "description": "The task is deleted.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DeletedVideo"}}
            },
        },
        "404": {"$ref": "#/components/responses/Error"},
    },
}
ADDED_SCHEMAS: dict[str, Any] = {
    "Model": {
        "type": "object",
        "required": ["id", "object"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "object": {"const": "model"},
            "owned_by": {"type": "string"},
        },
    },
    "ModelList": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Model"}},
        },
    },
    "DeletedVideo": {
        "type": "object",
        "required": ["id", "object", "deleted"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "object": {"const": "video.deleted"},
            "deleted": {"const": True},
        },
    },
    "Labelled": {
        "type": "object",
        "required": ["label"],
        "properties": {"label": {"type": "string", "minLength": 1}},
    },
}
ADDED = ("listModels", "labelVideo", "deleteVideo")


def extended_document() -> dict[str, Any]:
    """The project's spec plus the operations above."""
    document = copy.deepcopy(spec_module.load().document)
    document["paths"].update(copy.deepcopy(ADDED_PATHS))
    retrieval = spec_module.load().retrieval().path
    document["paths"][retrieval]["delete"] = copy.deepcopy(ADDED_DELETE)
    document["components"]["schemas"].update(copy.deepcopy(ADDED_SCHEMAS))
    return document


def loaded(document: dict[str, Any], folder: Path) -> spec_module.Spec:
    """``document`` written to ``folder`` as ``openapi.yaml`` and loaded as a spec."""
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return spec_module.load(path)


def spec_version() -> str:
    """The project's spec's ``info.version``, read from the file."""
    document = yaml.safe_load(spec_module.DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    return str(document["info"]["version"])
