"""A mock of ElkAPI's gateway that implements the contract in the spec.

Which operation submits (the one with ``x-upstream``) and which reads a task
(the GET of one task id whose 2xx model has ``x-lifecycle``), the key where
each operation's security says (a bearer token, basic, an API key in a header,
the query or a cookie), request validation (the oracle), the payload
forwarded upstream, the properties that repeat the request (``x-echo``) and the error bodies
(``x-error-fields``) all come from the spec. A task starts as the documented
response example of the initial status; each GET moves it one step along
its lifecycle and adds what the documented example of the new status carries
(the video URL, the error), with the example's id replaced by the task's.
``steps_per_poll`` (``--steps-per-poll``) moves it further per GET: the
README's examples run with a mock whose tasks finish on their first poll.
A download (a GET of one task id whose 2xx answer is not JSON) serves
deterministic bytes in the first documented media type once the task has
reached the end of its lifecycle, and a JSON error before (400) or for an
unknown id (404). Any other operation is served from the spec alone: its
key, its JSON body checked by the oracle (server view), then its first
documented 2xx answer (the first example, or a value drawn from its schema).

Runs inside tests on pytest-httpserver, or on its own:
``python -m tests.contract.mock --port 8080`` (key in ``MOCK_API_KEY``).

For testing the conformance suite itself, ``broken`` names rules the mock
breaks on purpose (test-only): a check id from ``checks.registry().breaks``,
``validation:<field>`` (stop checking that field), ``required:<field>`` (stop
requiring it), ``refuse:<case>`` (refuse the body of that acceptance case,
by case id or request example name) or ``accept:<case>`` (accept the fixed
bodies of that refusal case: the boundary cases).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.contract import arguments, cases, checks, oracle
from tests.contract import spec as spec_module
from tests.contract.checks import Answer
from tests.contract.rules import MISSING, ErrorFields, json_equal
from tests.contract.server import IDLE_TIMEOUT, MAX_BODY_BYTES, QuickServer
from tests.contract.spec import Operation, Spec

DEFAULT_API_KEY = "mock-key"
# A pass-through metadata key naming the terminal status the task should end
# in, for tests of the other endings; a real server just forwards it.
OUTCOME_KEY = "mock_outcome"
GENERIC_BREAKS = ("validation:", "required:", "refuse:", "accept:")


@dataclass
class Task:
    """One submitted task and what the mock knows about it."""

    view: dict[str, Any]
    request: Any
    upstream: dict[str, Any]
    step: int = 0
    went_back: bool = False


@dataclass
class MockApi:
    """The mock gateway; ``handle`` answers one werkzeug request."""

    api_key: str = DEFAULT_API_KEY
    clock: Callable[[], float] = time.time
    broken: frozenset[str] = frozenset()
    steps_per_poll: int = 1
    tasks: dict[str, Task] = field(default_factory=dict)
    upstream_log: list[dict[str, Any]] = field(default_factory=list)
    spec: Spec = field(default_factory=spec_module.load)
    # The size of the file a download serves.
    download_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        registry = checks.registry(self.spec)
        unknown = {
            b for b in self.broken if b not in registry.breaks and not b.startswith(GENERIC_BREAKS)
        }
        if unknown:
            raise ValueError(f"unknown breaks {sorted(unknown)}; see checks.registry().breaks")
        self._lock = threading.Lock()
        self._spoilers = {
            scope: [c.spoil for c in registry.scope(scope) if c.id in self.broken and c.spoil]
            for scope in ("response", "poll", "route")
        }
        self._refused = [
            cases.acceptance_case(b.removeprefix("refuse:"), self.spec).body
            for b in self.broken
            if b.startswith("refuse:")
        ]
        # accept:<case>: let the fixed bodies of a refusal case (the boundaries) through.
        admits = any(b.startswith("accept:") for b in self.broken)
        self._admitted = [
            body
            for case in (cases.refusal_cases(self.spec) if admits else ())
            if f"accept:{case.id}" in self.broken
            for _, body in case.bodies
        ]
        self._refusers = [c.refuses for c in registry.checks if c.id in self.broken and c.refuses]
        self._create = self.spec.submission()
        self._retrieve = self.spec.retrieval()
        body_schema, task_schema = self._create.body_schema, self._retrieve.success_schema
        assert body_schema is not None and task_schema is not None
        relaxations = [
            b.split(":", 1) for b in self.broken if b.startswith(("validation:", "required:"))
        ]
        self._validator = oracle.relaxed_validator(body_schema, relaxations, self.spec)
        lifecycle = self.spec.lifecycle(task_schema)
        assert lifecycle is not None
        self._lifecycle = lifecycle
        self._progress = self.spec.component(task_schema)["properties"].get(
            lifecycle.progress or "", {}
        )
        self._equal = self.spec.equal_properties(task_schema)
        self._states = self._documented_states(task_schema)
        error_schema = self._create.error_schema or self._retrieve.error_schema
        fields = self.spec.error_fields(error_schema) if error_schema else None
        self._errors = fields if fields is not None else ErrorFields({"message": ("/message",)})
        generic = checks.generic_operations(self.spec)
        components = dict(self.spec.components)
        self._generic = {
            op: (
                checks.documented_answer(self.spec, op),
                oracle.ServerValidator({**schema, "components": components})
                if isinstance(schema := _body_schema(op), dict)
                else None,
            )
            for op in generic
        }
        self._routes = [
            (
                op,
                re.compile(
                    "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(op.path)) + "$"
                ),
            )
            for op in (self._create, *self.spec.retrievals(), *self.spec.downloads(), *generic)
        ]

    def serves(self, op: Operation) -> bool:
        """Whether the mock has a route for ``op``."""
        return any(routed is op for routed, _ in self._routes)

    def _documented_states(self, task_schema: str) -> dict[str, dict[str, Any]]:
        """The first documented 2xx example of a task in each status, by status."""
        found: dict[str, dict[str, Any]] = {}
        for op in self.spec.operations:
            if op.success_schema != task_schema:
                continue
            for example in op.response_examples:
                state = example.value.get(self._lifecycle.property)
                found.setdefault(state, example.value)
        if self._lifecycle.initial not in found:
            raise LookupError(f"no documented example of a {self._lifecycle.initial} task")
        return found

    def handle(self, request: Request) -> Response:
        """Answer ``request`` as the gateway would."""
        matched = self._route(request)
        if matched is None:
            message = f"Invalid URL ({request.method} {request.path})"
            return self._error(404, message, "not_found")
        op, params = matched
        if op.auth is not None and not self._authorized(op, request):
            return self._error(401, "Invalid token", "invalid_api_key")
        with self._lock:
            if op in self._generic:
                return self._serve(op, request)
            if op is self._create:
                return self._create_task(request)
            if op.is_download:
                return self._download(op, params[op.path_params[0]])
            return self._get_task(params[op.path_params[0]], other_route=op is not self._retrieve)

    def _serve(self, op: Operation, request: Request) -> Response:
        """Any other operation: the body checked by the spec, then its first documented 2xx."""
        documented, validator = self._generic[op]
        if validator is not None:
            raw = request.get_data()
            required = bool(op.raw.get("requestBody", {}).get("required", False))
            if raw or required:
                try:
                    body = json.loads(raw)
                except (ValueError, RecursionError):
                    return self._error(400, "Invalid request body: not JSON", "invalid_request")
                errors = list(validator.iter_errors(body))
                if errors:
                    first = min(errors, key=oracle.error_path)
                    where = oracle.error_path(first) or "body"
                    return self._error(400, f"{where}: {first.message}", "invalid_request")
        if documented is None:
            return _json(200, {})
        if not documented.media_type:
            return Response(status=documented.status)
        if not spec_module.is_json(documented.media_type):
            data = fake_file(op.operation_id, self.download_bytes)
            return Response(data, status=documented.status, content_type=documented.media_type)
        value = documented.value
        if f"{checks.GENERIC}.{op.operation_id}" in self.broken:
            value = checks.refused_value(documented.schema, self.spec)
        if value is MISSING:
            return self._error(500, f"no documented answer of {op.operation_id}", "mock_error")
        return _json(documented.status, value, documented.media_type)

    def _authorized(self, op: Operation, request: Request) -> bool:
        """The key is right where ``op``'s scheme says, or its auth check is broken.

        A key anywhere else (a bearer token for an operation that wants its
        key in the query) counts as no key: a server reads only its scheme's place.
        """
        assert op.auth is not None
        sent = op.auth.sent(request.headers, request.args, request.cookies)
        if sent is None:
            return checks.auth_rule(checks.AUTH_MISSING_TOKEN, op, self.spec) in self.broken
        wrong_token = checks.auth_rule(checks.AUTH_WRONG_TOKEN, op, self.spec)
        return sent == op.auth.value(self.api_key) or wrong_token in self.broken

    def _route(self, request: Request) -> tuple[Operation, dict[str, str]] | None:
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
            if checks.JSON_MALFORMED not in self.broken:
                return self._error(400, "Invalid request body: not JSON", "invalid_request")
            body = copy.deepcopy(self._create.request_examples[0].value)
        errors = list(self._validator.iter_errors(body))
        if errors and any(json_equal(body, admitted) for admitted in self._admitted):
            errors = []
        if not errors and any(refuses(body) for refuses in self._refusers):
            return self._error(400, "Refused on purpose (mock break)", "invalid_request")
        if not errors and any(json_equal(body, refused) for refused in self._refused):
            return self._error(400, "Refused on purpose (mock break)", "invalid_request")
        if errors:
            first = min(errors, key=oracle.error_path)
            where = oracle.error_path(first) or "body"
            return self._error(400, f"{where}: {first.message}", "invalid_request")
        upstream = self._create.upstream.payload(body) if self._create.upstream else {}
        self.upstream_log.append(upstream)
        if checks.POLL_UNIQUE_ID in self.broken:
            earlier = self._alike(body, upstream)
            if earlier is not None:
                # As an over-eager deduplication would: the earlier task, its id and all.
                return _json(200, dict(earlier.view))
        task_id = "task_" + secrets.token_hex(12)
        task = Task(view={}, request=body, upstream=upstream)
        task.view = self._state_view(task, task_id, self._lifecycle.initial, {})
        self.tasks[task_id] = task
        answer = Answer(dict(task.view))
        for spoil in self._spoilers["response"]:
            spoil(answer)
        return _json(200, answer.task, answer.content_type)

    def _alike(self, body: Any, upstream: dict[str, Any]) -> Task | None:
        """An earlier task nobody could tell from one made of ``body``: same echoes, same ending."""
        echo = self._create.echo
        for task in self.tasks.values():
            if echo is not None and echo.expected(body, upstream) != echo.expected(
                task.request, task.upstream
            ):
                continue
            if task.upstream.get(OUTCOME_KEY) == upstream.get(OUTCOME_KEY):
                return task
        return None

    def _state_view(
        self, task: Task, task_id: str, state: str, current: dict[str, Any]
    ) -> dict[str, Any]:
        """``current`` moved to ``state``: plus what the documented example of ``state`` carries.

        The examples were recorded on the docs' clock: an integer at or after
        the initial example's ``CLOCK`` is a moment, replayed as now.
        """
        initial = self._states[self._lifecycle.initial]
        example = self._states.get(state, {})
        documented_id = initial[checks.IDENTITY]
        then = initial.get(checks.CLOCK)
        now = int(self.clock())
        if checks.POLL_AFTER_SUBMISSION in self.broken:
            now -= 2 * checks.CLOCK_SKEW
        added = example if not current else {k: v for k, v in example.items() if k not in initial}
        view = dict(current)
        for key, value in added.items():
            if _is_moment(value, then):
                # A moment happens once: later polls repeat it.
                view[key] = current.get(key, now)
            else:
                view[key] = _substituted(value, documented_id, task_id)
        if not current:
            view[checks.IDENTITY] = task_id
        if self._create.echo is not None:
            for rule in self._create.echo.rules:
                if rule.property not in view and rule.property not in added:
                    continue
                expected = rule.expected(task.request, task.upstream)
                if expected is not MISSING:
                    view[rule.property] = expected
                elif rule.optional:
                    view.pop(rule.property, None)
        view[self._lifecycle.property] = state
        if self._lifecycle.progress:
            low, high = self._progress.get("minimum", 0), self._progress.get("maximum", 100)
            path = self._lifecycle.path_to_end()
            view[self._lifecycle.progress] = low + (high - low) * task.step // (len(path) - 1)
        return self._equal.equalize(view)

    def _get_task(self, task_id: str, other_route: bool = False) -> Response:
        task = self.tasks.get(task_id)
        if task is None and checks.POLL_UNKNOWN_ID in self.broken and self.tasks:
            task = next(iter(self.tasks.values()))
        if task is None:
            # As new-api answers: 400, code task_not_exist, in the code/message shape.
            return self._error(400, "task_not_exist", "task_not_exist", shape=1)
        self._advance(task)
        answer = Answer(dict(task.view))
        for spoil in self._spoilers["poll"]:
            spoil(answer)
        for spoil in self._spoilers["route"] if other_route else ():
            spoil(answer)
        return _json(200, answer.task, answer.content_type)

    def _download(self, op: Operation, task_id: str) -> Response:
        """The task's file once it has reached the end of its lifecycle; a JSON error before."""
        task = self.tasks.get(task_id)
        if task is None and checks.DOWNLOAD_UNKNOWN_ID in self.broken and self.tasks:
            task = next(iter(self.tasks.values()))
        if task is None:
            return self._error(404, "Task not found", "task_not_exist")
        state = task.view.get(self._lifecycle.property)
        end = self._lifecycle.path_to_end()[-1]
        if state != end and checks.DOWNLOAD_PENDING not in self.broken:
            message = f"Task is not completed yet, current status: {str(state).upper()}"
            return self._error(400, message, "invalid_request")
        data = fake_file(task.view[checks.IDENTITY], self.download_bytes)
        media = op.success_media_types[0]
        if checks.DOWNLOAD_CONTENT in self.broken:
            media = "application/json"
        headers = {"Content-Length": str(len(data)), "Cache-Control": "private, max-age=3600"}
        return Response(data, status=200, headers=headers, content_type=media)

    def _advance(self, task: Task) -> None:
        path = self._lifecycle.path_to_end()
        task.step = min(task.step + self.steps_per_poll, len(path) - 1)
        state = path[task.step]
        if checks.POLL_FORWARD in self.broken and task.step == len(path) - 1 and not task.went_back:
            # Once: back to the initial state just before the end, then on to the end.
            task.went_back, task.step, state = True, 0, path[0]
        wanted = task.upstream.get(OUTCOME_KEY)
        if state in self._lifecycle.terminal and isinstance(wanted, str):
            state = wanted if wanted in self._lifecycle.terminal else state
        task.view = self._state_view(task, task.view[checks.IDENTITY], state, task.view)

    def refusal(self, status: int, message: str) -> Response:
        """The error answer to a request the server refused before it reached ``handle``."""
        code = "request_too_large" if status == 413 else "request_timeout"
        return self._error(status, message, code)

    def _error(self, status: int, message: str, code: str, shape: int = 0) -> Response:
        """An error body in one of the documented shapes (``x-error-fields``)."""
        body = self._errors.compose(shape, message=message, type="invalid_request_error", code=code)
        return _json(status, body)


def _body_schema(op: Operation) -> Any:
    """The JSON schema of ``op``'s request body (None without one)."""
    content = op.raw.get("requestBody", {}).get("content", {})
    media = content.get(spec_module.JSON)
    return None if media is None else media.get("schema", {})


def fake_file(seed: str, size: int) -> bytes:
    """``size`` bytes made from ``seed``, shaped like an MP4: an ``ftyp`` box, an ``mdat`` box."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    payload_size = max(size - len(head) - 8, 0)
    pattern = hashlib.sha256(seed.encode()).digest()
    payload = (pattern * (payload_size // len(pattern) + 1))[:payload_size]
    return (head + (8 + payload_size).to_bytes(4, "big") + b"mdat" + payload)[: max(size, 0)]


def _is_moment(value: Any, then: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and isinstance(then, int)
        and value >= then
    )


def _substituted(value: Any, old: str, new: str) -> Any:
    """``value`` with ``old`` replaced by ``new`` inside every string."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _substituted(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_substituted(v, old, new) for v in value]
    return value


def _json(status: int, body: Any, content_type: str = "application/json") -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type)


def serve(
    api: MockApi,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    quiet: bool = True,
    idle_timeout: float = IDLE_TIMEOUT,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> HTTPServer:
    """Start ``api`` on a ``QuickServer`` in a background thread and return it.

    ``quiet`` silences the per-request access log, which drowns test output.
    Requests are answered concurrently: ``MockApi`` keeps its state under a lock.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING if quiet else logging.INFO)
    server = QuickServer(
        host=host,
        port=port,
        idle_timeout=idle_timeout,
        max_body_bytes=max_body_bytes,
        refuse=api.refusal,
    )
    server.expect_request(re.compile(".*")).respond_with_handler(api.handle)
    server.start()
    return server


def _where(auth: spec_module.Auth, key: str) -> str:
    """Where and how ``auth`` takes ``key``, for the banner: ``Authorization: Bearer <key>``."""
    if auth.scheme == "basic":
        return f"Authorization: Basic <base64 of {key}>"
    if auth.location == "query":
        return f"the query parameter {auth.name}={key}"
    if auth.location == "cookie":
        return f"Cookie: {auth.name}={key}"
    return f"{auth.name}: {auth.value(key)}"


def main(argv: list[str] | None = None) -> None:
    """Run the mock in the foreground until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.contract.mock",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=arguments.port, default=8080)
    parser.add_argument("--spec", type=Path, default=spec_module.DEFAULT_SPEC_PATH)
    parser.add_argument(
        "--break",
        dest="breaks",
        action="append",
        default=[],
        metavar="RULE",
        help="test only: break RULE on purpose (repeatable); see the module help",
    )
    parser.add_argument(
        "--steps-per-poll",
        type=int,
        default=1,
        metavar="N",
        help="lifecycle steps each GET moves a task (default 1; large: done on the first poll)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=arguments.positive(float, "seconds"),
        default=IDLE_TIMEOUT,
        metavar="SECONDS",
        help=f"close a connection silent this long (default {IDLE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=arguments.positive(int, "bytes"),
        default=MAX_BODY_BYTES,
        metavar="N",
        help=f"answer 413 to a request body over N bytes (default {MAX_BODY_BYTES})",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log")
    args = parser.parse_args(argv)
    # The key comes from the environment, never the command line (visible in ps).
    api_key = os.environ.get("MOCK_API_KEY", DEFAULT_API_KEY)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    spec = spec_module.load(args.spec.resolve())
    api = MockApi(
        api_key=api_key,
        broken=frozenset(args.breaks),
        steps_per_poll=args.steps_per_poll,
        spec=spec,
    )
    server = serve(
        api,
        args.host,
        args.port,
        quiet=args.quiet,
        idle_timeout=args.idle_timeout,
        max_body_bytes=args.max_body_bytes,
    )
    key_note = "the default key" if api_key == DEFAULT_API_KEY else "the key in MOCK_API_KEY"
    print(f"mock ElkAPI listening on {server.url_for('/').rstrip('/')}", flush=True)
    for accepted in dict.fromkeys(op.auth for op in spec.operations if op.auth is not None):
        print(f"it accepts {_where(accepted, f'<{key_note}>')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
