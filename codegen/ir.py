"""The intermediate representation: what the templates need, and nothing else.

Schemas stay plain JSON data (``Schema``) because the generated validator reads
them as data; everything around them (operations, parameters, responses) is
typed here so templates never dig through raw OpenAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Schema = dict[str, Any]
ParameterLocation = Literal["path", "query", "header"]


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter, passed to builders as a keyword argument."""

    name: str
    python_name: str
    location: ParameterLocation
    required: bool
    schema: Schema
    description: str


@dataclass(frozen=True)
class BodyField:
    """A top-level property of a JSON object request body."""

    name: str
    required: bool
    description: str
    has_default: bool
    default: Any


@dataclass(frozen=True)
class Body:
    """A JSON request body; ``type_name`` is its TypedDict."""

    schema: Schema
    type_name: str
    required: bool
    fields: tuple[BodyField, ...]


@dataclass(frozen=True)
class Response:
    """One documented response: ``status`` is ``"200"``, ``"4XX"`` or ``"default"``."""

    status: str
    description: str
    schema: Schema | None
    model_name: str | None

    @property
    def is_success(self) -> bool:
        """Whether the status is in the 2xx range."""
        return self.status.startswith("2")


@dataclass(frozen=True)
class Waiter:
    """A generated polling method: call the operation until the lifecycle ends."""

    method: str
    description: str
    status_property: str
    progress_property: str | None
    terminal: tuple[str, ...]


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
    """A CLI command for an operation (``x-cli``)."""

    command: str
    help: str
    options: tuple[CliOption, ...]
    wait_method: str | None
    wait_argument: str | None
    result: str | None


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
    auth: bool
    extensions: dict[str, Any]
    waiter: Waiter | None = None
    cli: Cli | None = None

    @property
    def success_models(self) -> tuple[str, ...]:
        """The distinct model names of the 2xx responses, in spec order."""
        names = [r.model_name for r in self.responses if r.is_success and r.model_name]
        return tuple(dict.fromkeys(names))

    def params_in(self, location: ParameterLocation) -> tuple[Parameter, ...]:
        """The parameters that go in ``location``."""
        return tuple(p for p in self.parameters if p.location == location)


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
    source_schemas: dict[str, Schema]
    patterns: dict[str, str]
    request_models: tuple[str, ...]
    response_models: tuple[str, ...]
