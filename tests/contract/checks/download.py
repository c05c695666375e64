"""Checks of a task's file: refused while the task is under way, bytes once it ended."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from tests.contract import spec as spec_module
from tests.contract.checks.model import Check, Finding, Probe, refusal_problem, snippet
from tests.contract.spec import Operation, Spec

DOWNLOAD_PENDING = "download.pending"
DOWNLOAD_CONTENT = "download.content"
DOWNLOAD_UNKNOWN_ID = "download.unknown-id"


def download_checks(
    spec: Spec, retrieve: Operation, download: Operation, several: bool
) -> list[Check]:
    """A task's file: refused (JSON error) while the task is under way, bytes once it ended."""
    lifecycle = spec.lifecycle(retrieve.success_schema or "")
    assert lifecycle is not None
    end = lifecycle.path_to_end()[-1]
    media = download.success_media_types
    accept = ", ".join((*media, spec_module.JSON))
    # The mock breaks these by id (DOWNLOAD_*) when the spec has one download.
    prefix = f"download.{download.operation_id}" if several else "download"

    def path(task_id: str) -> str:
        return download.url_path(**{download.path_params[0]: task_id})

    def pending(probe: Probe, task_id: str) -> Finding:
        reply = probe.send(download.method, path(task_id), accept=accept, op=download)
        if not reply.ok:
            return Finding(refusal_problem(reply, download.error_schema, spec), reply.curl)
        # Bytes are right only if the task ended in the meantime.
        task_path = retrieve.url_path(**{retrieve.path_params[0]: task_id})
        polled = probe.send(retrieve.method, task_path, op=retrieve)
        data = polled.json()
        status = data.get(lifecycle.property) if isinstance(data, dict) else None
        if status == end:
            return Finding("")
        return Finding(f"HTTP {reply.status} with a file while the task is {status}", reply.curl)

    def done(probe: Probe, task_id: str) -> Finding:
        reply = probe.send(download.method, path(task_id), accept=accept, op=download)
        if not reply.ok:
            return Finding(f"HTTP {reply.status}: {snippet(reply.body)}", reply.curl)
        if not _in_family(reply.content_type, media):
            shown = f"Content-Type {reply.content_type!r}, expected {' or '.join(media)}"
            return Finding(shown, reply.curl)
        return Finding("" if reply.body else "an empty file", reply.curl)

    def unknown(probe: Probe) -> Finding:
        unknown_id = "task_unknown_" + secrets.token_hex(6)
        reply = probe.send(download.method, path(unknown_id), op=download)
        return Finding(refusal_problem(reply, download.error_schema, spec), reply.curl)

    return [
        Check(
            f"{prefix}.pending",
            f"a task's file is refused with a JSON error until the task is {end}",
            "pending",
            breaks=f"serve the file before the task is {end}",
            fetch=pending,
        ),
        Check(
            f"{prefix}.content",
            f"a {end} task's file comes back as {' or '.join(media)} (or their kind)",
            "done",
            breaks="serve the file as application/json",
            fetch=done,
        ),
        Check(
            f"{prefix}.unknown-id",
            "the file of an unknown task id is refused with a JSON error",
            "finally",
            breaks="serve a file for an unknown task id",
            probe=unknown,
        ),
    ]


def _in_family(content_type: str, media: Sequence[str]) -> bool:
    """``content_type`` is a documented media type, or of the same kind (``video/*``).

    ``application/`` is no kind: JSON must not pass for ``application/octet-stream``.
    """
    given = content_type.split(";")[0].strip().lower()
    documented = {m.lower() for m in media}
    kinds = {m.split("/")[0] for m in documented} - {"application"}
    return given in documented or given.split("/")[0] in kinds
