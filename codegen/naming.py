"""The names of the functions the generator writes: the one place each is derived.

:mod:`codegen.parser.names` turns spec names into Python names (an
operation's function name, a class, an argument). This module derives from
those the names of everything else a generated package defines, so that the
parser, the renderer, the predicate compiler and the decoder writer agree by
construction rather than by repeating an f-string:

- an operation's ``OperationSpec`` is its function name in capitals
  (:func:`constant`), its builder ``build_<name>`` (:func:`builder`), its
  parser ``parse_<name>_response`` (:func:`response_parser`) and its command
  line's handler ``_<name>`` (:func:`command_handler`); the client's method,
  a download's too, is the function name itself;
- the iterator over a paginated operation's items is ``iter_`` before the
  operation's function name (:func:`iterator`), unless the spec names it;
- a predicate of ``_checks.py`` is ``is_<schema>_in_<direction>``
  (:func:`predicate`), where a body or response schema written inline is
  named after its operation (:func:`body_subject`, :func:`response_subject`),
  and the helper for a part of one is ``_<owner>_<part>`` (:func:`predicate_part`);
  a name that is taken gets ``_2``, ``_3``, ... (:func:`numbered`);
- the package's error base class is its name in PascalCase before ``Error``
  (:func:`error_base`): ``elkapi`` -> ``ElkapiError``;
- a decoder of ``_decoders.py`` is the model's name in snake_case
  (:func:`decoder_functions`), and the module-level names it reads begin
  with :func:`decoder_constant`.

The parser stores an operation's names in the IR (:class:`codegen.ir.Operation`),
so templates print them and never put them together again.
"""

from __future__ import annotations

import keyword
import re

DECODER_LOCALS = frozenset(
    {
        "Any",
        "decode",
        "data",
        "instance",
        "attributes",
        "unlisted",
        "result",
        "item",
        "key",
        "k",
        "v",
    }
)
"""Names ``_decoders.py`` imports or its functions use as locals: no function takes one."""


def constant(function: str) -> str:
    """The module-level ``OperationSpec`` of an operation: ``create_video`` -> ``CREATE_VIDEO``."""
    return function.upper()


def builder(function: str) -> str:
    """The function that builds an operation's request: ``build_create_video``."""
    return f"build_{function}"


def response_parser(function: str) -> str:
    """The function that reads an operation's response: ``parse_create_video_response``."""
    return f"parse_{function}_response"


def command_handler(function: str) -> str:
    """The command line's function that runs an operation's ``x-cli`` command: ``_create_video``."""
    return f"_{function}"


def error_base(package: str) -> str:
    """The class every error of package ``package`` derives from: ``my_api`` -> ``MyApiError``."""
    return package.title().replace("_", "") + "Error"


def iterator(function: str) -> str:
    """The name of the method that iterates over every item of a paginated operation's pages.

    ``list_videos`` -> ``iter_list_videos``: ``iter_`` before the operation's
    function name, so that the iterators of a client sort together.
    """
    return f"iter_{function}"


def predicate(subject: str, direction: str) -> str:
    """The predicate of a schema (a component's name, or a subject) in a request or response.

    ``VideoTask`` in a response -> ``is_video_task_in_response``.
    """
    return f"is_{schema_part(subject)}_in_{direction}"


def predicate_part(owner: str, part: str) -> str:
    """The private predicate of a part (a property, a branch) of predicate ``owner``'s schema.

    ``is_video_task_in_response`` and ``metadata`` -> ``_is_video_task_in_response_metadata``.
    """
    return f"_{owner.lstrip('_')}_{schema_part(part)}"


def body_subject(function: str, index: int) -> str:
    """What a predicate of an operation's inline body schema is named after.

    ``index`` counts the body's media types from 0, the default first:
    ``create_video_body``, then ``create_video_body_2``, ...
    """
    return f"{function}_body" if index == 0 else f"{function}_body_{index + 1}"


def response_subject(function: str, status: str) -> str:
    """What a predicate of an operation's inline response schema is named after."""
    return f"{function}_{status}_response"


def numbered(base: str, number: int) -> str:
    """The ``number``-th name of ``base`` when the first is taken: ``is_x_in_request_2``."""
    return f"{base}_{number}"


def schema_part(text: str) -> str:
    """``text`` as a lowercase snake_case identifier part: ``VideoTask`` -> ``video_task``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words)
    cleaned = re.sub(r"\W+|_+", "_", words.encode("ascii", "replace").decode()).strip("_")
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", cleaned).lower() or "value"
    return f"n{cleaned}" if cleaned[0].isdigit() else cleaned


def decoder_functions(models: list[str]) -> dict[str, str]:
    """A snake_case function name per model: unique, and no model's, keyword's or local's."""
    taken = set(models) | DECODER_LOCALS
    names: dict[str, str] = {}
    for model in models:
        words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", model)
        snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower().strip("_") or "model"
        snake = re.sub(r"\W", "_", snake)
        if snake[0].isdigit():
            snake = "model_" + snake
        while snake in taken or keyword.iskeyword(snake):
            snake += "_"
        taken.add(snake)
        names[model] = snake
    return names


def decoder_constant(function: str) -> str:
    """The prefix of the module-level names decoder ``function`` reads: ``_VIDEO_TASK``."""
    return "_" + function.upper()
