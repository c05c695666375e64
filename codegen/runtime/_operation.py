# Runtime of the generated package: codegen copies this file in unchanged.
"""What the runtime knows of an operation: its parameters, bodies, responses and key.

The generated ``operations.py`` describes each operation as an
:class:`OperationSpec`; building a request (``_build.py``), reading its
response (``_read.py``) and the client read it at run time. What is worked
out from it once (every body, the ``Accept`` header, what the quick paths
use) is cached on it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._validation import Schema, Validator


@dataclass(frozen=True)
class ApiSpec:
    """What the runtime needs to know about the API as a whole."""

    user_agent: str
    validator: Validator


@dataclass(frozen=True)
class Echo:
    """A response property that must repeat the request's value at ``pointer``.

    A required (not ``optional``) echo must be present whenever the request
    sent a value there.
    """

    property: str
    pointer: str
    optional: bool = False


@dataclass(frozen=True)
class Param:
    """A path, query or header parameter of an operation.

    A query array is ``name=a&name=b`` (form, exploded) or, with ``explode``
    false, ``name=a,b``.
    """

    name: str
    python_name: str
    required: bool
    schema: Schema
    explode: bool = True


@dataclass(frozen=True)
class BodyContent:
    """One media type an operation's request body may be sent as, with its own schema.

    ``files`` names the properties that are files (multipart only).
    """

    media_type: str
    schema: Schema
    body_type: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    check: Callable[[Any], bool] | None = None
    """The compiled predicate of ``schema`` for requests: True means the body is valid JSON."""


QuickRead = tuple[Callable[[Any], bool], type | None, Callable[[Any], Any] | None]
"""A status's predicate, and the model its decoder was written for and that decoder."""


@dataclass(frozen=True)
class OperationSpec:
    """Everything about one operation the builder and parser read at run time."""

    api: ApiSpec
    operation_id: str
    method: str
    path: str
    auth: bool = True
    key_scheme: str = "bearer"
    """How the key is written: ``bearer`` (``Bearer <key>``), ``basic`` (``Basic`` and the
    base64 of ``user:password``) or ``apiKey`` (as it is)."""
    key_in: str = "header"
    """Where the key goes: the ``header``, ``query`` parameter or ``cookie`` ``key_name``."""
    key_name: str = "Authorization"
    path_params: tuple[Param, ...] = ()
    query_params: tuple[Param, ...] = ()
    header_params: tuple[Param, ...] = ()
    body: Schema | None = None
    body_type: str = ""
    body_defaults: Mapping[str, Any] = field(default_factory=dict)
    body_whole: bool = False
    """The body is one JSON value (an array, say), given whole, not as fields."""
    body_optional: bool = False
    """A whole body may be left out: None sends none."""
    responses: Mapping[str, Schema | None] = field(default_factory=dict)
    echo: tuple[Echo, ...] = ()
    error_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    idempotent: bool = False
    """Declared safe to repeat (``x-idempotent``) although its method may start work."""
    media_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The media types of each binary (not JSON) response, by status: a download."""
    body_media_type: str = "application/json"
    """How ``body`` is sent: JSON, ``multipart/form-data`` or a urlencoded form."""
    body_files: tuple[str, ...] = ()
    """The properties of a multipart ``body`` that are files."""
    other_bodies: tuple[BodyContent, ...] = ()
    """The other media types the body may be sent as (``content_type=`` picks one)."""
    text_responses: tuple[str, ...] = ()
    """The statuses whose body is text (``text/*``): parsed into a ``str``."""
    body_check: Callable[[Any], bool] | None = None
    """The compiled predicate of ``body`` (see :attr:`BodyContent.check`)."""
    response_checks: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    """The compiled predicate of each JSON success response's schema, by status."""
    response_decoders: Mapping[str, tuple[type, Callable[[Any], Any]]] = field(default_factory=dict)
    """The model of each JSON success response that is a dataclass, and the decoder written
    for it at generation time (``_decoders.py``: what :func:`decode` gives), by status."""

    def bodies(self) -> tuple[BodyContent, ...]:
        """Every media type the body may be sent as, the default first."""
        return self._bodies

    @functools.cached_property
    def _bodies(self) -> tuple[BodyContent, ...]:
        # Built once per operation, not once per request.
        if self.body is None:
            return ()
        default = BodyContent(
            self.body_media_type,
            self.body,
            self.body_type,
            self.body_defaults,
            self.body_files,
            self.body_check,
        )
        return (default, *self.other_bodies)

    @functools.cached_property
    def all_params(self) -> tuple[Param, ...]:
        """The path, query and header parameters, in that order."""
        return self.path_params + self.query_params + self.header_params

    @functools.cached_property
    def declared(self) -> dict[str, Mapping[str, Any]]:
        """The properties each body media type declares (its schema's, ``$ref`` followed).

        The properties of the schema's ``allOf`` branches are its own.
        """
        validator = self.api.validator

        def properties(schema: Any) -> dict[str, Any]:
            resolved = validator.resolve(schema)
            found: dict[str, Any] = {}
            for branch in resolved.get("allOf", ()):
                found.update(properties(branch))
            return {**found, **resolved.get("properties", {})}

        return {b.media_type: properties(b.schema) for b in self._bodies}

    @functools.cached_property
    def quick_reads(self) -> dict[int, QuickRead]:
        """For each status documented exactly whose body is JSON, what its quick read uses.

        That is its predicate, and the model and its decoder if it has one.
        """
        reads: dict[int, QuickRead] = {}
        for key, check in self.response_checks.items():
            if key.isdigit() and key not in self.text_responses and self.responses.get(key):
                model, decoder = self.response_decoders.get(key, (None, None))
                reads[int(key)] = (check, model, decoder)
        return reads

    @functools.cached_property
    def quick_plan(self) -> QuickPlan | None:
        """What :func:`quick_request` reads of this operation, read once.

        None unless the operation has no parameters and its default body is
        JSON of named fields with a predicate.
        """
        bodies = self._bodies
        if self.all_params or self.body_whole or not bodies:
            return None
        body = bodies[0]
        if body.check is None or body.media_type != "application/json" or body.files:
            return None
        headers = {
            "Accept": self.accept,
            "User-Agent": self.api.user_agent,
            "Content-Type": body.media_type,
        }
        bearer = self.key_name if self.key_scheme == "bearer" and self.key_in == "header" else ""
        return QuickPlan(
            body.check,
            frozenset(self.declared[body.media_type]),
            body.defaults,
            headers,
            bearer,
        )

    @functools.cached_property
    def accept(self) -> str:
        """The ``Accept`` header: the binary responses' media types, then JSON."""
        return ", ".join(dict.fromkeys([*_binary_types(self), "application/json"]))


@dataclass(frozen=True)
class QuickPlan:
    """What :func:`quick_request` reads of an operation, read once."""

    check: Callable[[Any], bool]
    names: frozenset[str]
    """The body's property names."""
    defaults: Mapping[str, Any]
    """The defaults of required fields the caller may leave out."""
    headers: dict[str, str]
    """Accept, User-Agent and Content-Type (each request gets a copy)."""
    bearer: str
    """The header a bearer key goes in ("" when the key is not a bearer token in a header)."""
    urls: dict[str, str] = field(default_factory=dict)
    """The operation's URL on each valid base URL used so far (a few of them)."""


def _binary_types(operation: OperationSpec) -> list[str]:
    return [m for types in operation.media_types.values() for m in types]
