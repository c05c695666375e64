"""The intermediate representation: what the templates need, and nothing else.

Schemas stay plain JSON data (``Schema``) because the generated validator reads
them as data and datamodel-code-generator reads them as JSON Schema; everything
around them (operations, parameters, responses) is typed here, and so is every
``x-`` rule: a record here, filled in by its reader in
:mod:`codegen.parser.extensions`. So neither the renderer nor the templates
read raw OpenAPI, and this module imports nothing of the parser's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Schema = dict[str, Any]
ParameterLocation = Literal["path", "query", "header"]
KeyLocation = Literal["header", "query", "cookie"]
KeyScheme = Literal["bearer", "basic", "apiKey"]
Conversion = Literal["string", "integer", "positive-integer"]
# How a deprecated field's description begins, in model docstrings and builder docstrings alike.
DEPRECATED_NOTE = "Deprecated: the spec marks this field deprecated."


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
    """One HTTP operation and everything the builder, parser and client need.

    ``name`` is its function name (the client's method, a download's too);
    ``constant``, ``builder`` and ``response_parser`` are the names of its
    ``OperationSpec``, its ``build_*`` and its ``parse_*_response``, all chosen
    by :mod:`codegen.naming` from ``name``.
    """

    operation_id: str
    name: str
    constant: str
    builder: str
    response_parser: str
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


# The x- rules: one record each, read from the spec by codegen.parser.extensions.


@dataclass(frozen=True)
class ErrorFields:
    """``x-error-fields``: the JSON pointers, in order of preference, of an error's parts."""

    message: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    code: tuple[str, ...] = ()

    def merged(self, other: ErrorFields) -> ErrorFields:
        """These pointers, then the ones of ``other`` that are new."""
        return ErrorFields(
            *(
                tuple(dict.fromkeys((*mine, *theirs)))
                for mine, theirs in (
                    (self.message, other.message),
                    (self.type, other.type),
                    (self.code, other.code),
                )
            )
        )

    def as_mapping(self) -> dict[str, tuple[str, ...]]:
        """The non-empty parts by name, as the runtime reads them."""
        parts = {"message": self.message, "type": self.type, "code": self.code}
        return {name: pointers for name, pointers in parts.items() if pointers}


@dataclass(frozen=True)
class Lifecycle:
    """``x-lifecycle``: which value of the ``status`` property may follow which."""

    status: str
    progress: str | None
    initial: str
    transitions: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def terminal(self) -> tuple[str, ...]:
        """The states with no way out."""
        return tuple(state for state, following in self.transitions if not following)


@dataclass(frozen=True)
class Echo:
    """``x-echo``: a response property that repeats a value the request produced.

    ``source`` is ``request`` (the body as sent) or ``upstream`` (the payload
    the server forwards); only ``request`` echoes without a conversion can be
    checked by a client on its own.
    """

    name: str
    source: Literal["request", "upstream"]
    pointer: str
    convert: Conversion | None
    optional: bool
    unless: tuple[Any, ...]

    @property
    def checkable_by_client(self) -> bool:
        """Whether the client can check it from the request alone."""
        return self.source == "request" and self.convert is None


@dataclass(frozen=True)
class UpstreamPart:
    """One source of a ``concat`` step: items from ``source``, as ``each`` or ``item`` template."""

    source: str
    each: Any = None
    item: Any = None


@dataclass(frozen=True)
class UpstreamStep:
    """One step of ``x-upstream``, applied in order to the payload being built.

    - ``merge``: copy each key of the object at ``source`` (but those in
      ``except_keys``) into the payload, each replacing what the payload held;
    - ``set``: set ``target`` to the value at ``source`` (``convert`` may
      refuse it, and then the step does nothing) or to the ``concat`` of parts;
    - ``remove``: drop the items of the payload's list at ``target`` that
      match ``where`` (an item matches when it has each key with that value);
    - ``append``: add the value at ``source``, through ``item``, to the
      payload's list at ``target``.
    """

    action: Literal["merge", "set", "remove", "append"]
    target: str
    source: str
    convert: Conversion | None = None
    concat: tuple[UpstreamPart, ...] = ()
    except_keys: tuple[str, ...] = ()
    where: Mapping[str, Any] | None = None
    item: Any = None


@dataclass(frozen=True)
class Upstream:
    """``x-upstream``: how the server builds the payload it forwards from the request body."""

    description: str
    steps: tuple[UpstreamStep, ...]


@dataclass(frozen=True)
class Waiter:
    """A generated polling method: call the operation until the lifecycle ends."""

    method: str
    description: str
    status_property: str
    progress_property: str | None
    terminal: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    """Other operations the waiter may poll instead (same arguments, same model).

    Read as operationIds; the parser turns them into method names once checked.
    """


@dataclass(frozen=True)
class Pagination:
    """``x-pagination``: a list operation whose pages chain by a cursor.

    ``cursor`` names the query parameter that takes the cursor (``after``);
    ``items`` points at the page's array of items in the 2xx response;
    ``next_cursor`` at the next page's cursor: a property (``/last_id``,
    ``/next_page_token``) or a property of an item, where an index ``-1`` means
    the last item (``/data/-1/id``); ``has_more``, if given, at a boolean that
    says whether another page follows. Without ``has_more``, the pages end
    with one that has no cursor or no items.

    The parser fills in ``cursor_argument`` (the cursor's Python argument),
    ``method`` (the iterator's name, from :mod:`codegen.naming` unless the
    spec names it) and ``item_type`` (the items' class).
    """

    cursor: str
    items: str
    next_cursor: str
    has_more: str | None = None
    method: str | None = None
    item_schema: str = ""
    cursor_argument: str = ""
    item_type: str = ""


@dataclass(frozen=True)
class CliOption:
    """A ``--name`` option of a CLI command that sets the body value at ``pointer``."""

    name: str
    dest: str
    pointer: str
    kind: Literal["str", "int", "float", "bool"]
    repeat: bool
    help: str


@dataclass(frozen=True)
class Cli:
    """A CLI command for an operation (``x-cli``).

    ``after`` (a download's command only) names other commands that gain a
    ``--download FILE`` option: once they have waited for their result, this
    operation is called with the value at ``after_argument`` of that result.
    """

    command: str
    help: str
    options: tuple[CliOption, ...]
    wait_method: str | None
    wait_argument: str | None
    result: str | None
    after: tuple[str, ...] = ()
    after_argument: str | None = None
