"""The names of the functions the generator writes: the one place each is derived.

:mod:`codegen.parser.names` turns spec names into Python names (an
operation's function name, a class, an argument). This module derives from
those the names of everything else a generated package defines, so that the
parser, the renderer, the predicate compiler and the decoder writer agree by
construction rather than by repeating an f-string:

- the iterator over a paginated operation's items is ``iter_`` before the
  operation's function name (:func:`iterator`), unless the spec names it;
- a predicate of ``_checks.py`` is ``is_<schema>_in_<direction>``
  (:func:`schema_part` writes the schema's part);
- a decoder of ``_decoders.py`` is the model's name in snake_case
  (:func:`decoder_functions`).
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


def iterator(function: str) -> str:
    """The name of the method that iterates over every item of a paginated operation's pages.

    ``list_videos`` -> ``iter_list_videos``: ``iter_`` before the operation's
    function name, so that the iterators of a client sort together.
    """
    return f"iter_{function}"


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
