"""A mock of ElkAPI's gateway that implements the contract in the spec.

Routes, bearer auth, request validation (``jsonschema``, ECMA-262 patterns),
the payload forwarded upstream (``x-upstream``), the properties that repeat
the request (``x-echo``), ``task_id == id`` (``x-equal-properties``) and the
status lifecycle (``x-lifecycle``) all come from the spec. Each GET of a task
moves it one step along its lifecycle.

Runs inside tests on pytest-httpserver, or on its own:
``python -m tests.mock_server --port 8080``.

For testing the conformance suite itself, ``broken`` names rules the mock
breaks on purpose (test-only; see ``BREAKS``): ``validation:<field>`` stops
checking that field, ``required:<field>`` stops requiring it, ``refuse:<text>``
refuses valid bodies whose JSON contains the text, and the named breaks below
spoil one response, auth or polling rule each.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests import contract

DEFAULT_API_KEY = "mock-key"
# A pass-through metadata key that makes the mock fail the task, for tests of
# the failure path; a real server just forwards it.
FAIL_KEY = "mock_outcome"
CREATE = "createVideoGeneration"
RETRIEVE = "retrieveVideo"
# Named breaks: each spoils exactly one rule the conformance suite checks.
BREAKS = {
    "auth.missing-token": "accept requests without a bearer token",
    "auth.wrong-token": "accept any bearer token",
    "json.malformed": "accept a body that is not JSON",
    "response.id": "answer with an empty id (and task_id)",
    "response.task-id": "answer with task_id different from id",
    "response.object": "answer with object 'task'",
    "response.model": "answer with a model other than the requested one",
    "response.status": "answer with status 'pending'",
    "response.progress": "answer with progress 101",
    "response.created-at": "answer with created_at in milliseconds",
    "response.content-type": "answer with Content-Type text/plain",
    "poll.same-id": "answer a poll with another task's id",
    "poll.forward": "move a task back to queued after in_progress",
    "poll.completed-url": "complete tasks without metadata.url",
    "poll.seconds": "report seconds other than the effective duration",
    "poll.unknown-id": "answer 200 for an unknown task id",
}
GENERIC_BREAKS = ("validation:", "required:", "refuse:")


@dataclass
class Task:
    """One submitted task and what the mock knows about it."""

    view: dict[str, Any]
    request: dict[str, Any]
    upstream: dict[str, Any]
    step: int = 0
    went_back: bool = False


@dataclass
class MockApi:
    """The mock gateway; ``handle`` answers one werkzeug request."""

    api_key: str = DEFAULT_API_KEY
    clock: Callable[[], float] = time.time
    broken: frozenset[str] = frozenset()
    tasks: dict[str, Task] = field(default_factory=dict)
    upstream_log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = {b for b in self.broken if b not in BREAKS and not b.startswith(GENERIC_BREAKS)}
        if unknown:
            raise ValueError(f"unknown breaks {sorted(unknown)}; see BREAKS")
        self._lock = threading.Lock()
        self._create = contract.operation(CREATE)
        relaxations = [
            b.split(":", 1) for b in self.broken if b.startswith(("validation:", "required:"))
        ]
        body_schema = self._create.body_schema
        assert body_schema is not None
        self._validator = contract.relaxed_validator(body_schema, relaxations)
        self._retrieve = contract.operation(RETRIEVE)
        self._lifecycle = contract.Lifecycle.of(self._create.success_schema())
        self._routes = [
            (
                op,
                re.compile(
                    "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(op.path)) + "$"
                ),
            )
            for op in (self._create, self._retrieve)
        ]

    def handle(self, request: Request) -> Response:
        """Answer ``request`` as the gateway would."""
        matched = self._route(request)
        if matched is None:
            return _openai_error(404, f"Invalid URL ({request.method} {request.path})", "not_found")
        op, params = matched
        if not self._authorized(request.headers.get("Authorization")):
            return _openai_error(401, "Invalid token", "invalid_api_key")
        with self._lock:
            if op.operation_id == CREATE:
                return self._create_task(request)
            return self._get_task(params["task_id"])

    def _authorized(self, header: str | None) -> bool:
        if header is None:
            return "auth.missing-token" in self.broken
        return header == f"Bearer {self.api_key}" or "auth.wrong-token" in self.broken

    def _route(self, request: Request) -> tuple[contract.OperationInfo, dict[str, str]] | None:
        for op, pattern in self._routes:
            found = pattern.match(request.path)
            if found and request.method == op.method:
                return op, found.groupdict()
        return None

    def _create_task(self, request: Request) -> Response:
        raw = request.get_data()
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            if "json.malformed" not in self.broken:
                return _openai_error(400, "Invalid request body: not JSON", "invalid_request")
            body = {"model": contract.component("VideoModel")["default"], "prompt": "?"}
        errors = list(self._validator.iter_errors(body))
        refused = [b[len("refuse:") :] for b in self.broken if b.startswith("refuse:")]
        if not errors and any(text.encode() in raw for text in refused):
            return _openai_error(400, "Refused on purpose (mock break)", "invalid_request")
        if errors:
            first = min(errors, key=lambda e: contract.error_path(e))
            where = contract.error_path(first) or "body"
            return _openai_error(400, f"{where}: {first.message}", "invalid_request")
        upstream = contract.upstream_payload(self._create.raw["x-upstream"]["steps"], body)
        self.upstream_log.append(upstream)
        task_id = "task_" + secrets.token_hex(12)
        echoed = contract.echo_expectations(self._create.raw.get("x-echo", {}), body, upstream)
        view = {
            "id": task_id,
            "task_id": task_id,
            "object": "video",
            "model": echoed["model"],
            self._lifecycle.property: self._lifecycle.initial,
            "progress": 0,
            "created_at": int(self.clock()),
        }
        self.tasks[task_id] = Task(view=view, request=body, upstream=upstream)
        return _json(200, self._spoil_created(view), self._content_type())

    def _content_type(self) -> str:
        return "text/plain" if "response.content-type" in self.broken else "application/json"

    def _spoil_created(self, view: dict[str, Any]) -> dict[str, Any]:
        """The create response with the named response break applied (a copy)."""
        spoiled = dict(view)
        if "response.id" in self.broken:
            spoiled["id"] = spoiled["task_id"] = ""
        if "response.task-id" in self.broken:
            spoiled["task_id"] = view["id"] + "-other"
        if "response.object" in self.broken:
            spoiled["object"] = "task"
        if "response.model" in self.broken:
            models = contract.component("VideoModel")["enum"]
            spoiled["model"] = next(m for m in models if m != view["model"])
        if "response.status" in self.broken:
            spoiled[self._lifecycle.property] = "pending"
        if "response.progress" in self.broken:
            spoiled["progress"] = 101
        if "response.created-at" in self.broken:
            spoiled["created_at"] = view["created_at"] * 1000
        return spoiled

    def _get_task(self, task_id: str) -> Response:
        task = self.tasks.get(task_id)
        if task is None and "poll.unknown-id" in self.broken and self.tasks:
            task = next(iter(self.tasks.values()))
        if task is None:
            return _json(404, {"code": "task_not_exist", "message": "task not found", "data": None})
        self._advance(task)
        view = dict(task.view)
        if "poll.same-id" in self.broken:
            view["id"] = view["task_id"] = view["id"] + "-other"
        return _json(200, view)

    def _advance(self, task: Task) -> None:
        path = self._lifecycle.path_to_end()
        task.step = min(task.step + 1, len(path) - 1)
        status = path[task.step]
        if "poll.forward" in self.broken and task.step == len(path) - 1 and not task.went_back:
            # Once: in_progress -> queued, then on to the end.
            task.went_back, task.step, status = True, 0, path[0]
        if status in self._lifecycle.terminal and task.upstream.get(FAIL_KEY) == "failed":
            status = next(s for s in self._lifecycle.terminal if s != path[-1])
        view = task.view
        view[self._lifecycle.property] = status
        if self._lifecycle.progress:
            view[self._lifecycle.progress] = 100 * task.step // (len(path) - 1)
        if status == "completed":
            view["completed_at"] = int(self.clock())
            if "poll.completed-url" not in self.broken:
                view["metadata"] = {"url": f"https://mock.elkapi.test/videos/{view['id']}.mp4"}
            echoed = contract.echo_expectations(
                self._create.raw.get("x-echo", {}), task.request, task.upstream
            )
            view.update({k: v for k, v in echoed.items() if k != "model"})
            if "poll.seconds" in self.broken:
                view["seconds"] = "99"
        elif status == "failed":
            view["error"] = {"message": "The mock was asked to fail this task.", "code": "mock"}


def _json(status: int, body: Any, content_type: str = "application/json") -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type)


def _openai_error(status: int, message: str, code: str) -> Response:
    error = {"message": message, "type": "invalid_request_error", "code": code}
    return _json(status, {"error": error})


def serve(
    api: MockApi, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> HTTPServer:
    """Start ``api`` on a pytest-httpserver server in a background thread and return it.

    ``quiet`` silences the per-request access log, which drowns test output.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING if quiet else logging.INFO)
    server = HTTPServer(host=host, port=port)
    server.expect_request(re.compile(".*")).respond_with_handler(api.handle)
    server.start()
    return server


def main(argv: list[str] | None = None) -> None:
    """Run the mock in the foreground until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.mock_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--break",
        dest="breaks",
        action="append",
        default=[],
        metavar="RULE",
        help="test only: break RULE on purpose (repeatable); see BREAKS in this module",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log")
    args = parser.parse_args(argv)
    # The key comes from the environment, never the command line (visible in ps).
    api_key = os.environ.get("MOCK_API_KEY", DEFAULT_API_KEY)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    api = MockApi(api_key=api_key, broken=frozenset(args.breaks))
    server = serve(api, args.host, args.port, quiet=args.quiet)
    key_note = "the default key" if api_key == DEFAULT_API_KEY else "the key in MOCK_API_KEY"
    print(f"mock ElkAPI listening on {server.url_for('/').rstrip('/')}", flush=True)
    print(f"it accepts Authorization: Bearer <{key_note}>", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
