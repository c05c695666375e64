"""The intermediate representation: what the templates need, and nothing else.

Schemas stay plain JSON data (``Schema``) because the generated validator reads
them as data and datamodel-code-generator reads them as JSON Schema; everything
around them (operations, parameters, responses) is typed here, and every
``x-`` rule is a typed record of :mod:`codegen.parser.extensions`, so neither
the renderer nor the templates read raw OpenAPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from codegen.parser.extensions import (
        Cli,
        Echo,
        ErrorFields,
        Lifecycle,
        Pagination,
        Upstream,
        Waiter,
    )

Schema = dict[str, Any]
ParameterLocation = Literal["path", "query", "header"]
KeyLocation = Literal["header", "query", "cookie"]
KeyScheme = Literal["bearer", "basic", "apiKey"]

# What every generated package exports whatever its spec (no model may take these
# names), each with the module it comes from: the package's __init__ imports none of
# them up front, only on first use, so ``import <package>`` stays as cheap as a stdlib module.
RUNTIME_EXPORTS = {
    "AsyncTransport": "_async",
    "ThreadTransport": "_async",
    "StreamBody": "_bodies",
    "Upload": "_bodies",
    "RawResponse": "_client",
    "RetryPolicy": "_retry",
    "DownloadResult": "_download",
    "HttpRequest": "_http",
    "HttpResponse": "_http",
    "HttpTransport": "_http",
    "MockTransport": "_http",
    "Timeout": "_http",
    "Transport": "_http",
    "default_transport": "_http",
    "urllib_transport": "_http",
    "FieldError": "_validation",
    "AsyncClient": "client",
    "Client": "client",
    "ApiError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "ConfigurationError": "errors",
    "DownloadError": "errors",
    "IncompleteResponseError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "RedirectError": "errors",
    "RequestValidationError": "errors",
    "ResponseTooLargeError": "errors",
    "ResponseValidationError": "errors",
    "ServerError": "errors",
    "TransportError": "errors",
    "WaitTimeoutError": "errors",
    "DEFAULT_BASE_URL": "operations",
}


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter, passed to builders as a keyword argument."""

    name: str
    python_name: str
    location: ParameterLocation
    required: bool
    schema: Schema
    description: str
    explode: bool = True


@dataclass(frozen=True)
class Security:
    """How an operation sends the API key: a security scheme the runtime can apply.

    ``scheme`` says how the value is written: ``bearer`` (``Bearer <key>``),
    ``basic`` (``Basic`` and the base64 of ``user:password``) or ``apiKey``
    (the key as it is). ``location`` and ``name`` say where: the header, query
    parameter or cookie of that name.
    """

    scheme_name: str
    scheme: KeyScheme
    location: KeyLocation = "header"
    name: str = "Authorization"


@dataclass(frozen=True)
class BodyField:
    """A top-level property of a JSON object request body."""

    name: str
    required: bool
    description: str
    has_default: bool
    default: Any
    deprecated: bool = False


@dataclass(frozen=True)
class Body:
    """A request body; ``type_name`` is its TypedDict, ``schema_name`` its schema's name.

    ``media_type`` is how it is sent: JSON, ``multipart/form-data`` (``files``
    names the properties that are files) or ``application/x-www-form-urlencoded``.
    An object body is passed as its ``fields``; any other JSON body ``whole``.
    """

    schema: Schema
    type_name: str
    schema_name: str
    required: bool
    fields: tuple[BodyField, ...]
    media_type: str = "application/json"
    files: tuple[str, ...] = ()
    whole: bool = False
    """A JSON body whose schema is not an object (an array, say): passed whole as ``body=``."""


@dataclass(frozen=True)
class Response:
    """One documented response: ``status`` is ``"200"``, ``"4XX"`` or ``"default"``.

    A JSON response has a ``schema``; a binary one (a video, a file: any
    media type that is not JSON) has its ``media_types`` instead.
    """

    status: str
    description: str
    schema: Schema | None
    model_name: str | None
    schema_name: str | None = None
    error_fields: ErrorFields | None = None
    lifecycle: Lifecycle | None = None
    media_types: tuple[str, ...] = ()
    text: bool = False
    """Whether the body (``media_types``, all ``text/*``) is text: parsed into a ``str``."""

    @property
    def is_success(self) -> bool:
        """Whether the status is in the 2xx range."""
        return self.status.startswith("2")

    @property
    def binary(self) -> bool:
        """Whether the body is bytes to save rather than JSON (or text) to parse."""
        return bool(self.media_types) and not self.text


@dataclass(frozen=True)
class Operation:
    """One HTTP operation and everything the builder, parser and client need."""

    operation_id: str
    name: str
    constant: str
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    security: Security | None
    """How the API key is sent, or None when the operation takes no credentials."""
    echo: tuple[Echo, ...] = ()
    upstream: Upstream | None = None
    waiter: Waiter | None = None
    cli: Cli | None = None
    idempotent: bool = False
    deprecated: bool = False
    other_bodies: tuple[Body, ...] = ()
    """The body's other media types, each with its schema; ``body`` is the default (JSON first)."""

    pagination: Pagination | None = None

    @property
    def auth(self) -> bool:
        """Whether the operation takes the API key."""
        return self.security is not None

    @property
    def bodies(self) -> tuple[Body, ...]:
        """Every media type the body may be sent as, the default first."""
        return (self.body, *self.other_bodies) if self.body else ()

    @property
    def download(self) -> bool:
        """Whether a success response is binary: the client streams it to a file."""
        return any(r.is_success and r.binary for r in self.responses)

    @property
    def media_types(self) -> dict[str, tuple[str, ...]]:
        """The media types of each binary or text response, by status."""
        return {r.status: r.media_types for r in self.responses if r.media_types}

    @property
    def success_models(self) -> tuple[str, ...]:
        """The distinct model names of the 2xx responses, in spec order."""
        names = [r.model_name for r in self.responses if r.is_success and r.model_name]
        return tuple(dict.fromkeys(names))

    @property
    def error_fields(self) -> ErrorFields:
        """Where the parts of an error live, across every error response."""
        from codegen.parser.extensions import ErrorFields

        merged = ErrorFields()
        for response in self.responses:
            if not response.is_success and response.error_fields is not None:
                merged = merged.merged(response.error_fields)
        return merged

    def params_in(self, location: ParameterLocation) -> tuple[Parameter, ...]:
        """The parameters that go in ``location``."""
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class Model:
    """A data model to generate: its class name and its structural JSON Schema.

    References inside ``schema`` point at ``#/$defs/<ClassName>``; the schema keeps
    descriptions and defaults (for docstrings) and drops what only validates.
    """

    name: str
    schema: Schema


@dataclass(frozen=True)
class Api:
    """The whole spec, ready to render."""

    title: str
    version: str
    description: str
    base_url: str
    package: str
    operations: tuple[Operation, ...]
    schemas: dict[str, Schema]
    patterns: dict[str, str]
    request_models: tuple[Model, ...]
    response_models: tuple[Model, ...]
    field_names: dict[str, str] = field(default_factory=dict)
    """The response dataclasses' field name for each property name that is not one as it is."""
