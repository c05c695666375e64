r"""Spec text into generated code: the only ways a string from the spec reaches a module.

A spec's strings are data, and in a generated module they stay data: each is
written as a literal (:func:`literal`, :func:`text_literal`), inside a
docstring (:func:`docstring`) or as a comment line (:func:`comment`), and in
no other way. The templates reach them through filters (``py``, ``py_text``,
``docstring``), :mod:`codegen.render` calls them directly, and
:mod:`codegen.models` prepares what it hands to datamodel-code-generator
with :func:`plain_text`. (:mod:`codegen.predicates` writes the strings of its
expressions with ``repr``, which is what :func:`literal` does for a string.)

Whatever the text holds, none of these can end the string or the comment it
is written in: a literal escapes as ``repr`` does; a docstring and a comment
escape the backslash, the quotes that could close it, and every character
Python does not print as itself (controls, NUL, line and paragraph
separators, format characters such as bidirectional overrides). A lone
surrogate (``"\ud800"``, which a YAML or JSON escape can spell) cannot be
encoded in UTF-8, so it too is written as its escape, ``\ud800``: a literal
still holds the same string, a docstring or comment shows the escape.
"""

from __future__ import annotations

import pprint
import re
import textwrap
from typing import Any

from codegen.runtime._printable import escape

_QUOTES = re.compile(r'"+')


def literal(value: Any) -> str:
    """``value`` (JSON data: strings, numbers, lists, mappings) as a Python literal.

    Every string in it is written as ``repr`` writes it, so any code point is
    escaped as needed; ruff reformats the result later.
    """
    return pprint.pformat(value, sort_dicts=False, width=100)


def text_literal(text: str, width: int = 60) -> str:
    """A string literal, split into implicitly joined parts so no line runs long."""
    parts = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)
    if len(parts) <= 1:
        return repr(text)
    return "(" + " ".join(repr(part) for part in parts) + ")"


def plain_text(text: str) -> str:
    r"""``text`` with every character that is not printed as itself, but ``\n``, escaped.

    What is left is printable text and line feeds: any writer of docstrings
    can hold it, however it splits lines, and UTF-8 encodes all of it.
    """
    return "".join(c if c == "\n" or c.isprintable() else escape(c) for c in text)


def docstring(text: str) -> str:
    """``text`` written to sit between the triple quotes of a docstring, which it cannot end.

    Backslashes are doubled, and a double quote is escaped wherever it could
    help close the string: next to another, or first or last (where the
    docstring's own quotes are). Other characters Python does not print as
    themselves are escaped (:func:`plain_text`); line feeds stay line breaks.
    """
    text = plain_text(text.replace("\\", "\\\\"))

    def quotes(match: re.Match[str]) -> str:
        run = match.group()
        at_an_end = match.start() == 0 or match.end() == len(text)
        return '\\"' * len(run) if len(run) > 1 or at_an_end else run

    return _QUOTES.sub(quotes, text)


def comment(text: str) -> str:
    """A ``#`` comment line of ``text``: one line whatever it holds.

    The backslash and every character not printed as itself (any line break,
    whether the tokenizer or ``str.splitlines`` would honour it) are escaped.
    """
    return "# " + "".join(
        "\\\\" if c == "\\" else c if c.isprintable() else escape(c) for c in text
    )
