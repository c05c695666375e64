"""A mock of ElkAPI's gateway that implements the contract in the spec.

Routes, bearer auth, request validation (``jsonschema``, ECMA-262 patterns),
the payload forwarded upstream (``x-upstream``), the properties that repeat
the request (``x-echo``), ``task_id == id`` (``x-equal-properties``) and the
status lifecycle (``x-lifecycle``) all come from the spec. Each GET of a task
moves it one step along its lifecycle.

Runs inside tests on pytest-httpserver, or on its own:
``python -m tests.mock_server --port 8080``.
"""

from __future__ import annotations

import argparse
import json
import logging
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


@dataclass
class Task:
    """One submitted task and what the mock knows about it."""

    view: dict[str, Any]
    request: dict[str, Any]
    upstream: dict[str, Any]
    step: int = 0


@dataclass
class MockApi:
    """The mock gateway; ``handle`` answers one werkzeug request."""

    api_key: str = DEFAULT_API_KEY
    clock: Callable[[], float] = time.time
    tasks: dict[str, Task] = field(default_factory=dict)
    upstream_log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._create = contract.operation(CREATE)
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
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _openai_error(401, "Invalid token", "invalid_api_key")
        with self._lock:
            if op.operation_id == CREATE:
                return self._create_task(request)
            return self._get_task(params["task_id"])

    def _route(self, request: Request) -> tuple[contract.OperationInfo, dict[str, str]] | None:
        for op, pattern in self._routes:
            found = pattern.match(request.path)
            if found and request.method == op.method:
                return op, found.groupdict()
        return None

    def _create_task(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data())
        except (ValueError, RecursionError):
            return _openai_error(400, "Invalid request body: not JSON", "invalid_request")
        schema = self._create.body_schema
        assert schema is not None
        errors = contract.schema_errors(schema, body)
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
        return _json(200, view)

    def _get_task(self, task_id: str) -> Response:
        task = self.tasks.get(task_id)
        if task is None:
            return _json(404, {"code": "task_not_exist", "message": "task not found", "data": None})
        self._advance(task)
        return _json(200, task.view)

    def _advance(self, task: Task) -> None:
        path = self._lifecycle.path_to_end()
        task.step = min(task.step + 1, len(path) - 1)
        status = path[task.step]
        if status in self._lifecycle.terminal and task.upstream.get(FAIL_KEY) == "failed":
            status = next(s for s in self._lifecycle.terminal if s != path[-1])
        view = task.view
        view[self._lifecycle.property] = status
        if self._lifecycle.progress:
            view[self._lifecycle.progress] = 100 * task.step // (len(path) - 1)
        if status == "completed":
            view["completed_at"] = int(self.clock())
            view["metadata"] = {"url": f"https://mock.elkapi.test/videos/{view['id']}.mp4"}
            echoed = contract.echo_expectations(
                self._create.raw.get("x-echo", {}), task.request, task.upstream
            )
            view.update({k: v for k, v in echoed.items() if k != "model"})
        elif status == "failed":
            view["error"] = {"message": "The mock was asked to fail this task.", "code": "mock"}


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


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
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the bearer token it accepts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = serve(MockApi(api_key=args.api_key), args.host, args.port, quiet=False)
    print(f"mock ElkAPI listening on {server.url_for('/').rstrip('/')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
