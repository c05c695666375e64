r"""Translate ECMA-262 regular expressions (JSON Schema ``pattern``) to Python ``re``.

JSON Schema patterns are ECMA-262 regexes. Python's ``re`` reads the same text
differently: ``\\d``, ``\\w`` and ``\\s`` are Unicode-aware, ``.`` stops only at
``\\n``, and ``$`` also matches before a final newline. The translation spells
each of those out explicitly so the generated validator means what the spec
means; constructs whose meaning differs and cannot be spelled out are refused
at generation time rather than guessed.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# The standard library's own regex parser (re._parser from Python 3.11, sre_parse before),
# read by finite_matches at generation time only.
_NEW_NAMES = sys.version_info >= (3, 11)
_sre_parser: Any = importlib.import_module("re._parser" if _NEW_NAMES else "sre_parse")
_sre: Any = importlib.import_module("re._constants" if _NEW_NAMES else "sre_constants")

# ECMA-262 WhiteSpace and LineTerminator code points, as a character-class body.
ECMA_SPACE = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_DIGIT = "0-9"
_WORD = "A-Za-z0-9_"
_LINE_END = "\\n\\r\\u2028\\u2029"

_CLASS_ESCAPES = {"d": _DIGIT, "w": _WORD, "s": ECMA_SPACE}
_PLAIN_ESCAPES = set("tnrvf")


class UnsupportedPatternError(ValueError):
    """The pattern uses ECMA-262 syntax that has no faithful Python translation."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"pattern /{pattern}/: {reason}")
        self.pattern = pattern
        self.reason = reason


def translate(pattern: str) -> str:
    r"""Return Python ``re`` source that matches exactly what ``pattern`` matches in ECMA-262.

    The result starts with ``(?a)`` so ``\\b`` and ``\\B`` use ECMA-262's ASCII
    word characters.
    """
    return "(?a)" + _Translator(pattern).run()


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0
        self.out: list[str] = []

    def fail(self, reason: str) -> UnsupportedPatternError:
        return UnsupportedPatternError(self.pattern, reason)

    def run(self) -> str:
        while self.pos < len(self.pattern):
            char = self.pattern[self.pos]
            self.pos += 1
            if char == "\\":
                self.out.append(self.escape(in_class=False))
            elif char == "[":
                self.out.append(self.char_class())
            elif char == "(":
                self.out.append(self.group_open())
            elif char == ".":
                self.out.append(f"[^{_LINE_END}]")
            elif char == "$":
                # ECMA `$` (no multiline flag) is the very end; Python's also
                # matches before a trailing newline.
                self.out.append("\\Z")
            else:
                self.out.append(char)
        return "".join(self.out)

    def take(self) -> str:
        if self.pos >= len(self.pattern):
            raise self.fail("ends inside an escape or class")
        char = self.pattern[self.pos]
        self.pos += 1
        return char

    def group_open(self) -> str:
        rest = self.pattern[self.pos :]
        if not rest.startswith("?"):
            return "("
        for prefix in ("?:", "?=", "?!", "?<=", "?<!"):
            if rest.startswith(prefix):
                self.pos += len(prefix)
                return "(" + prefix
        if rest.startswith("?<"):
            end = rest.find(">")
            if end < 0:
                raise self.fail("unterminated group name")
            name = rest[2:end]
            self.pos += end + 1
            return f"(?P<{name}>"
        raise self.fail("group syntax not in ECMA-262 (inline flags, `(?P`, ...)")

    def escape(self, *, in_class: bool) -> str:
        char = self.take()
        if char in _CLASS_ESCAPES:
            body = _CLASS_ESCAPES[char]
            return body if in_class else f"[{body}]"
        if char.lower() in _CLASS_ESCAPES:
            if in_class:
                raise self.fail(f"`\\{char}` inside a character class")
            return f"[^{_CLASS_ESCAPES[char.lower()]}]"
        if char in _PLAIN_ESCAPES:
            return "\\" + char
        if char == "b":
            # Inside a class ECMA `\b` is backspace, as in Python.
            return "\\b"
        if char == "B" and not in_class:
            return "\\B"
        if char == "0" and not self.pattern[self.pos : self.pos + 1].isdigit():
            return "\\x00"
        if char.isdigit() and not in_class:
            return "\\" + char
        if char == "c":
            letter = self.take()
            if not letter.isascii() or not letter.isalpha():
                raise self.fail("`\\c` must be followed by an ASCII letter")
            return f"\\x{ord(letter) % 32:02x}"
        if char == "x":
            return "\\x" + self.hex_digits(2)
        if char == "u":
            return self.unicode_escape()
        if char == "k" and not in_class:
            return self.named_backreference()
        if char.isalnum():
            raise self.fail(f"`\\{char}` has no ECMA-262 meaning Python shares")
        return "\\" + char

    def hex_digits(self, count: int) -> str:
        digits = self.pattern[self.pos : self.pos + count]
        if len(digits) != count or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise self.fail("malformed hexadecimal escape")
        self.pos += count
        return digits

    def unicode_escape(self) -> str:
        if self.pattern[self.pos : self.pos + 1] == "{":
            end = self.pattern.find("}", self.pos)
            if end < 0:
                raise self.fail("unterminated `\\u{...}`")
            code = self.pattern[self.pos + 1 : end]
            self.pos = end + 1
            try:
                value = int(code, 16)
            except ValueError:
                raise self.fail("malformed `\\u{...}`") from None
            return f"\\U{value:08x}"
        return "\\u" + self.hex_digits(4)

    def named_backreference(self) -> str:
        if self.take() != "<":
            raise self.fail("`\\k` must be followed by `<name>`")
        end = self.pattern.find(">", self.pos)
        if end < 0:
            raise self.fail("unterminated `\\k<name>`")
        name = self.pattern[self.pos : end]
        self.pos = end + 1
        return f"(?P={name})"

    def char_class(self) -> str:
        negated = self.pattern[self.pos : self.pos + 1] == "^"
        if negated:
            self.pos += 1
        body: list[str] = []
        while True:
            char = self.take()
            if char == "]":
                break
            if char == "\\":
                body.append(self.escape(in_class=True))
            elif char in "[&~|":
                # Python warns on (and may one day give meaning to) these
                # inside a class; in ECMA-262 they are plain characters.
                body.append("\\" + char)
            else:
                body.append(char)
        if not body:
            if negated:
                raise self.fail("`[^]` (any character) is not supported")
            return "(?!)"
        return "[" + ("^" if negated else "") + "".join(body) + "]"


def finite_matches(python: str, limit: int = 64) -> list[str] | None:
    r"""Every string the translated pattern ``python`` matches, sorted, if at most ``limit``.

    A pattern anchored at both ends (``^...$``, translated ``^...\Z``) made of
    literals, classes of literals and ranges, groups, alternatives and bounded
    repeats matches a finite set of strings: ``^(?:[4-9]|1[0-5])$`` is the
    strings ``"4"`` to ``"15"``. Membership in that set decides what the
    search decides, at a fraction of its cost. None for any other pattern
    (unanchored, unbounded, with a class escape or an assertion inside), or
    one of more strings.
    """
    items = _items(python)
    anchors = [(_sre.AT, _sre.AT_BEGINNING), (_sre.AT, _sre.AT_END_STRING)]
    if items is None or len(items) < 2 or [items[0], items[-1]] != anchors:
        return None
    found = _sequence(items[1:-1], limit)
    return None if found is None else sorted(found)


def _items(python: str) -> list[Any] | None:
    """The parsed items of ``python``, or None.

    None when it does not parse, or sets a flag other than ASCII: matching
    case-insensitively or across lines changes what the items match.
    """
    try:
        parsed = _sre_parser.parse(python)
    except (re.error, RecursionError):
        return None
    return None if parsed.state.flags & ~(re.ASCII | re.UNICODE) else list(parsed)


def _sequence(items: list[Any], limit: int) -> set[str] | None:
    """What the parsed items match one after the other, or None."""
    result = {""}
    for kind, argument in items:
        options = _options(kind, argument, limit)
        if options is None:
            return None
        result = {start + end for start in result for end in options}
        if len(result) > limit:
            return None
    return result


def _options(kind: Any, argument: Any, limit: int) -> set[str] | None:
    """What one parsed item matches, or None (too many, or not a finite set)."""
    if kind is _sre.LITERAL:
        return {chr(argument)}
    if kind is _sre.IN:
        return _class(argument, limit)
    if kind is _sre.BRANCH:
        found: set[str] = set()
        for branch in argument[1]:
            options = _sequence(list(branch), limit)
            if options is None:
                return None
            found |= options
        return found if len(found) <= limit else None
    if kind is _sre.SUBPATTERN:
        _group, add_flags, del_flags, inner = argument
        return None if add_flags or del_flags else _sequence(list(inner), limit)
    if kind in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        return _repeat(argument, limit)
    return None  # an assertion, a class escape, a back reference, any character, ...


def _class(members: list[Any], limit: int) -> set[str] | None:
    chars: set[str] = set()
    for kind, value in members:
        if kind is _sre.LITERAL:
            chars.add(chr(value))
        elif kind is _sre.RANGE and value[1] - value[0] < limit:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:  # a negated class, a category (\d, \w), a wide range
            return None
    return chars if len(chars) <= limit else None


def _repeat(argument: Any, limit: int) -> set[str] | None:
    low, high, inner = argument
    if high is _sre.MAXREPEAT or high > limit:
        return None
    unit = _sequence(list(inner), limit)
    if unit is None:
        return None
    found: set[str] = set()
    current = {""}
    for count in range(high + 1):
        if count >= low:
            found |= current
        if count < high:
            current = {start + end for start in current for end in unit}
            if len(current) > limit:
                return None
    return found if len(found) <= limit else None


def negated_class(python: str, limit: int = 64) -> str | None:
    r"""The characters of ``python`` if it is one negated class alone, such as ``\S``.

    Such a pattern finds a character outside the class anywhere in a string:
    exactly when ``text.strip(characters)`` leaves something, which takes a
    third of the search's time. None for any other pattern, or a class of
    more than ``limit`` characters.
    """
    items = _items(python)
    if items is None or len(items) != 1:
        return None
    kind, members = items[0]
    if kind is not _sre.IN or not members or members[0][0] is not _sre.NEGATE:
        return None
    chars = _class(members[1:], limit)
    return None if chars is None else "".join(sorted(chars))
