"""The spec as the test side reads it: loading, the ``$ref`` resolver, components, operations.

``load(path)`` reads a spec once (default ``spec/openapi.yaml``). ``resolve_in``
is the one place on the test side that follows ``#/components/schemas/...``
references. Every operation of the spec gets an ``Operation`` view, found by
walking ``paths``; ``Spec.submission()`` and ``Spec.retrieval()`` find the two
the contract tools need by what they do, not by their ids. ``Operation.auth``
says how its key travels (``Auth``), read from ``security`` with the rules the
generator follows (read on their own here: the contract tools are an
independent oracle and never import ``codegen``).
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from tests.contract.rules import (
    Echo,
    EqualProperties,
    ErrorFields,
    Invariants,
    Lifecycle,
    Upstream,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC_PATH = ROOT / "spec" / "openapi.yaml"
SCHEMA_PREFIX = "#/components/schemas/"
RESPONSE_PREFIX = "#/components/responses/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"


def is_json(media_type: str) -> bool:
    """Whether ``media_type`` is JSON (``application/json`` or a ``+json`` type)."""
    base = media_type.split(";")[0].strip().lower()
    return base == JSON or base.endswith("+json")


def resolve_in(schemas: Mapping[str, Any], schema: Any) -> Any:
    """``schema`` with its ``$ref`` chain followed within ``schemas``.

    Keywords next to a ``$ref`` are kept and win over the target's (OpenAPI
    3.1 allows siblings). Anything that is not a reference comes back as is.
    """
    while isinstance(schema, dict) and "$ref" in schema:
        target = schema["$ref"]
        if not target.startswith(SCHEMA_PREFIX):
            raise ValueError(f"unsupported reference {target!r}")
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**schemas[target[len(SCHEMA_PREFIX) :]], **siblings}
    return schema


def ref(name: str) -> dict[str, Any]:
    """A schema that refers to component ``name``."""
    return {"$ref": SCHEMA_PREFIX + name}


def ref_name(schema: Any) -> str | None:
    """The component a schema refers to, or None when it is not a bare reference."""
    target = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return target[len(SCHEMA_PREFIX) :] if target.startswith(SCHEMA_PREFIX) else None


# Where each kind of location is named in words (the mock's banner, a break's words).
LOCATION_WORDS = {"header": "header", "query": "query parameter", "cookie": "cookie"}


class Lookup(Protocol):
    """Names to values as a server reads a request's headers, query or cookies."""

    def get(self, key: str, /) -> str | None:
        """The value of ``key``, or None when the request has none."""
        ...


@dataclass(frozen=True)
class Auth:
    """How an operation's key travels: its scheme, and the header, query parameter or cookie.

    ``scheme`` says how the value is written: ``bearer`` (``Bearer <key>``),
    ``basic`` (``Basic`` and the base64 of the key, ``user:password``) or
    ``apiKey`` (the key as it is, under ``name`` in ``location``).
    """

    scheme: Literal["bearer", "basic", "apiKey"]
    location: Literal["header", "query", "cookie"] = "header"
    name: str = "Authorization"

    @property
    def noun(self) -> str:
        """What the operation wants, in words: ``bearer token``, ``key in header X-Api-Token``."""
        if self.scheme == "apiKey":
            return f"key in {LOCATION_WORDS[self.location]} {self.name}"
        return f"{self.scheme} " + ("token" if self.scheme == "bearer" else "credential")

    def value(self, key: str) -> str:
        """What is sent for ``key``: the scheme's word and encoding applied."""
        if self.scheme == "bearer":
            return f"Bearer {key}"
        if self.scheme == "basic":
            return "Basic " + base64.b64encode(key.encode()).decode()
        return key

    def place(self, url: str, headers: MutableMapping[str, str], key: str) -> str:
        """Put ``key`` where the scheme says: into ``headers``, or the returned URL's query."""
        value = self.value(key)
        if self.location == "query":
            separator = "&" if urllib.parse.urlsplit(url).query else "?"
            return url + separator + urllib.parse.urlencode({self.name: value})
        if self.location == "cookie":
            headers["Cookie"] = f"{self.name}={value}"
        else:
            headers[self.name] = value
        return url

    def sent(self, headers: Lookup, query: Lookup, cookies: Lookup) -> str | None:
        """What a request carries where the scheme says (None: nothing), as a server reads it.

        ``headers`` must look names up without regard to case, as HTTP does.
        """
        where = {"header": headers, "query": query, "cookie": cookies}[self.location]
        return where.get(self.name)


@dataclass(frozen=True)
class Example:
    """One named example of a request or response body."""

    name: str
    summary: str
    value: Any


@dataclass(frozen=True, eq=False)
class Operation:
    """The facts of one operation that the contract tools need."""

    operation_id: str
    method: str
    path: str
    path_params: tuple[str, ...]
    body_schema: str | None
    success_schema: str | None
    success_media_types: tuple[str, ...]
    error_schema: str | None
    request_examples: tuple[Example, ...]
    response_examples: tuple[Example, ...]
    # How the key travels; None when the operation takes none.
    auth: Auth | None
    upstream: Upstream | None
    echo: Echo | None
    extensions: Mapping[str, Any] = field(repr=False)
    raw: Mapping[str, Any] = field(repr=False)

    def examples(self, where: str = "request") -> dict[str, Any]:
        """The documented example bodies of the request or of the 2xx response, by name."""
        found = self.request_examples if where == "request" else self.response_examples
        return {example.name: example.value for example in found}

    @property
    def needs_bearer(self) -> bool:
        """Whether the operation wants its key as a bearer token."""
        return self.auth is not None and self.auth.scheme == "bearer"

    @property
    def is_download(self) -> bool:
        """Whether the 2xx response is bytes (media types, none of them JSON), not a JSON model."""
        media = self.success_media_types
        return bool(media) and not any(is_json(m) for m in media)

    def url_path(self, **params: str) -> str:
        """The path with each parameter filled in, percent-encoded."""
        path = self.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        return path


class Spec:
    """One loaded spec document (treat ``document`` as read-only)."""

    def __init__(self, path: Path, document: dict[str, Any]) -> None:
        self.path = path
        self.document = document

    def __repr__(self) -> str:
        return f"Spec({str(self.path)!r})"

    @property
    def components(self) -> Mapping[str, Any]:
        """The ``components`` section."""
        components = self.document.get("components", {})
        assert isinstance(components, dict)
        return components

    @property
    def schemas(self) -> Mapping[str, Any]:
        """The component schemas by name."""
        schemas = self.components.get("schemas", {})
        assert isinstance(schemas, dict)
        return schemas

    def component(self, name: str) -> dict[str, Any]:
        """The raw component schema ``name``."""
        schema = self.schemas[name]
        assert isinstance(schema, dict)
        return schema

    def resolve(self, schema: Any) -> Any:
        """``schema`` with its ``$ref`` chain followed (see ``resolve_in``)."""
        return resolve_in(self.schemas, schema)

    def lifecycle(self, name: str) -> Lifecycle | None:
        """The ``x-lifecycle`` of component ``name``, if it declares one."""
        raw = self.component(name).get("x-lifecycle")
        return Lifecycle.from_spec(raw) if raw is not None else None

    def error_fields(self, name: str) -> ErrorFields | None:
        """The ``x-error-fields`` of component ``name``, if it declares them."""
        raw = self.component(name).get("x-error-fields")
        return ErrorFields.from_spec(raw) if raw is not None else None

    def equal_properties(self, name: str) -> EqualProperties:
        """The ``x-equal-properties`` of component ``name`` (no pairs when absent)."""
        return EqualProperties.from_spec(self.component(name).get("x-equal-properties"))

    def invariants(self, name: str) -> Invariants:
        """The ``x-invariants`` of component ``name`` (none when absent)."""
        return Invariants.from_spec(self.component(name).get("x-invariants"))

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation of the spec, in document order."""
        found = []
        for path, item in self.document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    found.append(self._operation(path, method, item[method], shared))
        return tuple(found)

    def operation(self, operation_id: str) -> Operation:
        """The operation with this ``operationId``."""
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def submission(self) -> Operation:
        """The operation that submits a task: the one whose body goes upstream (``x-upstream``)."""
        return _only([op for op in self.operations if op.upstream is not None], "x-upstream")

    def retrievals(self) -> tuple[Operation, ...]:
        """The operations that read a task: GETs of one task id whose 2xx model has a lifecycle.

        A gateway may offer several routes to the same task; they all return
        the same model.
        """
        found = tuple(
            op
            for op in self.operations
            if op.method == "GET"
            and op.success_schema is not None
            and self.lifecycle(op.success_schema) is not None
            and len(op.path_params) == 1
            and op.path_params[0] in self.component(op.success_schema).get("properties", {})
        )
        if not found or len({op.success_schema for op in found}) != 1:
            ids = [op.operation_id for op in found]
            raise LookupError(
                "expected GETs of a task by id whose 2xx model has x-lifecycle, "
                f"all returning one model; found {ids}"
            )
        return found

    def retrieval(self) -> Operation:
        """The first operation (in the spec's order) that reads a task; see ``retrievals``."""
        return self.retrievals()[0]

    def downloads(self) -> tuple[Operation, ...]:
        """The GETs of one task id whose 2xx answer is a file (not JSON): each a download."""
        return tuple(
            op
            for op in self.operations
            if op.method == "GET" and op.is_download and len(op.path_params) == 1
        )

    def _response(self, response: Mapping[str, Any]) -> Mapping[str, Any]:
        target = response.get("$ref", "")
        if target.startswith(RESPONSE_PREFIX):
            found = self.components["responses"][target[len(RESPONSE_PREFIX) :]]
            assert isinstance(found, dict)
            return found
        return response

    @cached_property
    def _schemes(self) -> dict[str, Auth | None]:
        """Each declared security scheme as an ``Auth``, or None when no key can be sent for it.

        OAuth 2, OpenID Connect, mutual TLS and HTTP schemes other than bearer
        and basic take no key the suite can send, as the generator refuses them.
        """
        found: dict[str, Auth | None] = {}
        for name, scheme in self.components.get("securitySchemes", {}).items():
            kind = scheme.get("type")
            http = str(scheme.get("scheme", "")).lower()
            if kind == "apiKey" and scheme.get("in") in LOCATION_WORDS:
                found[name] = Auth("apiKey", scheme["in"], str(scheme.get("name", "")))
            elif kind == "http" and http in ("bearer", "basic"):
                found[name] = Auth("bearer" if http == "bearer" else "basic")
            else:
                found[name] = None
        return found

    def _auth(self, op: Mapping[str, Any]) -> Auth | None:
        """How ``op`` sends its key, as the generator chooses it.

        The operation's ``security`` overrides the document's; ``[]`` or an
        anonymous alternative alone (``{}``) takes no key. Otherwise the first
        requirement naming a single scheme a key can be sent for wins, even
        when an anonymous alternative comes before it (the client always sends
        the key it has).
        """
        requirements = op.get("security", self.document.get("security", []))
        for requirement in requirements:
            if len(requirement) == 1 and (auth := self._schemes.get(next(iter(requirement)))):
                return auth
        return None

    def _operation(
        self, path: str, method: str, op: Mapping[str, Any], shared: list[Any]
    ) -> Operation:
        parameters = [*shared, *op.get("parameters", [])]
        path_params = tuple(p["name"] for p in parameters if p.get("in") == "path")
        body = op.get("requestBody", {}).get("content", {}).get(JSON, {})
        success_schema, error_schema = None, None
        media_types: tuple[str, ...] = ()
        response_examples: tuple[Example, ...] = ()
        for status, raw in sorted(op.get("responses", {}).items()):
            response = self._response(raw)
            content = response.get("content", {})
            schema = ref_name(content.get(JSON, {}).get("schema"))
            if str(status).startswith("2") and success_schema is None and not media_types:
                success_schema, media_types = schema, tuple(content)
                response_examples = _examples(content.get(JSON, {}))
            elif not str(status).startswith("2") and error_schema is None:
                error_schema = schema
        return Operation(
            operation_id=op.get("operationId", f"{method} {path}"),
            method=method.upper(),
            path=path,
            path_params=path_params,
            body_schema=ref_name(body.get("schema")),
            success_schema=success_schema,
            success_media_types=media_types,
            error_schema=error_schema,
            request_examples=_examples(body),
            response_examples=response_examples,
            auth=self._auth(op),
            upstream=Upstream.from_spec(op["x-upstream"]) if "x-upstream" in op else None,
            echo=Echo.from_spec(op["x-echo"]) if "x-echo" in op else None,
            extensions={k: v for k, v in op.items() if k.startswith("x-")},
            raw=op,
        )


def _examples(media: Mapping[str, Any]) -> tuple[Example, ...]:
    return tuple(
        Example(name, example.get("summary", ""), example["value"])
        for name, example in media.get("examples", {}).items()
    )


def _only(found: list[Operation], what: str) -> Operation:
    if len(found) != 1:
        ids = [op.operation_id for op in found]
        raise LookupError(f"expected exactly one operation with {what}, found {ids}")
    return found[0]


@cache
def load(path: Path = DEFAULT_SPEC_PATH) -> Spec:
    """The spec at ``path``, parsed once."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a YAML mapping")
    return Spec(path, document)
