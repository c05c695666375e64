"""Parse a spec file's text into JSON data, within bounds a hostile file cannot exhaust.

A spec is JSON data however it is written (OpenAPI asks YAML documents to keep
to the JSON schema of YAML 1.2 and to string keys), so what YAML can say and
JSON cannot (``!!binary``, ``!!set``, ``!!timestamp``, ``.nan``, a mapping as a
key) is refused, naming the place. Lone surrogates are refused too: no UTF-8
file can hold them, so no generated module could.

The bounds, with what the 24 published documents of the corpus (OpenAI,
Asana, Box, Twilio, Discord, DigitalOcean, ...) need:

* ``MAX_BYTES``: the largest is 3.1 MB (Asana); 16 MiB leaves five times that.
* ``MAX_DEPTH``: the deepest nests 21 mappings and lists (OpenAI); 128 leaves
  six times that (and 120 nested ``if``/``then`` conditions, which the checks
  compiler is tested on), and stays inside what every later step handles
  without running out of stack: 62 levels of objects (128 of the document)
  generate, while 100 overflowed the parser's.
* ``MAX_NODES``: the largest holds about 63,000 values once its references
  are followed (OpenAI); one million leaves sixteen times that, counting every
  YAML alias and every followed reference as the copy it stands for, so that a
  kilobyte of nested aliases ("billion laughs") cannot become gigabytes.
* ``MAX_ALIASES``: none of them uses a single alias; 1,000 leaves room for a
  hand-written spec that shares snippets through anchors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 128
MAX_NODES = 1_000_000
MAX_ALIASES = 1_000

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# YAML 1.1 tags that JSON has no value for (timestamp only when written as a tag:
# a plain 2024-01-01 is the text it is, as in YAML 1.2).
_NOT_JSON = ("binary", "timestamp", "set", "omap", "pairs")


class _Unrepresentable:
    """What a YAML tag JSON cannot carry stands for until its place is known."""

    def __init__(self, what: str, line: int) -> None:
        self.what = what
        self.line = line


class DocumentError(ValueError):
    """The text is not JSON data within the bounds: one line saying why and where."""


class _Bounded(Composer, SafeConstructor, Resolver):
    """PyYAML's safe composing and building, counting what aliases expand to.

    It refuses past the bounds; the events come from the parser it is mixed with.
    """

    if TYPE_CHECKING:  # the parser's, which the stubs type on the parser classes only

        def __init__(self, text: str) -> None: ...
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def dispose(self) -> None: ...

    # A plain 2024-01-01 stays text: YAML 1.2 (and OpenAPI) read no dates.
    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's own class attribute, replaced)
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def _start(self) -> None:
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._nodes = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose as PyYAML does, counting every node as often as aliases repeat it."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise DocumentError(f"more than {MAX_ALIASES} YAML aliases (*name)")
            node = super().compose_node(parent, index)
            self._add(self._sizes.get(id(node), 1))
            return node
        if self.check_event(yaml.ScalarEvent):
            return self._counted(super().compose_node(parent, index))
        self._depth += 1
        if self._depth > MAX_DEPTH:
            line = self.peek_event().start_mark.line + 1
            raise DocumentError(f"nested deeper than {MAX_DEPTH} levels (line {line})")
        before = self._nodes
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._add(1)
        # Kept for every collection, since an alias may name any of them: they stay
        # alive (and their ids distinct) until the document is built.
        self._sizes[id(node)] = self._nodes - before
        return node

    def _counted(self, node: yaml.Node | None) -> yaml.Node | None:
        self._add(1)
        return node

    def _add(self, count: int) -> None:
        self._nodes += count
        if self._nodes > MAX_NODES:
            raise DocumentError(_too_many_nodes())

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose keys are the text they are written as (OpenAPI's string keys)."""
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key: Any = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                key = _Unrepresentable("a key that is not text", key_node.start_mark.line + 1)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class _PythonLoader(_Bounded, Reader, Scanner, Parser):
    """The bounded loader on PyYAML's own parser, for a PyYAML built without libyaml."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        self._start()


# The loaders to use, the first that PyYAML was built with.
LOADERS: list[type[_Bounded]] = [_PythonLoader]

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlLoader(_Bounded, CParser):
        """The bounded loader on libyaml's parser: the same events, four times as fast."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            self._start()

    LOADERS.insert(0, _LibyamlLoader)


def _refusing(suffix: str) -> Callable[[yaml.SafeLoader, yaml.Node], _Unrepresentable]:
    """A constructor for ``!!suffix`` that keeps the value's line for the refusal."""

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> _Unrepresentable:
        return _Unrepresentable(f"a YAML !!{suffix} value", node.start_mark.line + 1)

    return construct


for _suffix in _NOT_JSON:
    _Bounded.add_constructor(f"tag:yaml.org,2002:{_suffix}", _refusing(_suffix))


def _too_many_nodes() -> str:
    return f"more than {MAX_NODES:,} values (counting what each YAML alias repeats)"


def parse_yaml(text: str) -> Any:
    """The data of the YAML ``text``; a one-line DocumentError past a bound or outside JSON."""
    loader = LOADERS[0](text)
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as error:
        raise DocumentError(f"invalid YAML: {_yaml_problem(error)}") from None
    except DocumentError:  # a bound, counted while loading: already one line
        raise
    except ValueError as error:  # an integer past Python's digit limit for int("...")
        raise DocumentError(f"invalid YAML: {' '.join(str(error).split())}") from None
    finally:
        loader.dispose()
    check_json_data(document)
    return document


def parse_json(text: str) -> Any:
    """The data of the JSON ``text``; a one-line DocumentError past a bound or outside JSON."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise DocumentError(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise DocumentError(f"invalid JSON: {error}") from None
    check_json_data(document)
    return document


def _yaml_problem(error: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong and where (1-based line and column)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "malformed"
        if mark is not None:
            return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
        return str(problem)
    return " ".join(str(error).split())


def check_json_data(document: Any) -> None:
    """Refuse, in one line naming the place, the first value of ``document`` JSON cannot hold.

    Also refuses more than ``MAX_DEPTH`` nested mappings and lists, and more than ``MAX_NODES``
    values, counting shared values as often as they appear.
    """
    for nodes, (path, depth, value) in enumerate(_walk(document), start=1):
        if nodes > MAX_NODES:
            raise DocumentError(_too_many_nodes())
        if depth >= MAX_DEPTH and isinstance(value, (dict, list)):
            # The first steps say where; all of them would make a line of hundreds.
            raise DocumentError(f"{where(path[:6])}...: nested deeper than {MAX_DEPTH} levels")
        problem = _not_json(value)
        if problem:
            raise DocumentError(f"{where(path)}: {problem}")
        if isinstance(value, dict):
            for key in value:
                problem = _not_json(key) if isinstance(key, (str, _Unrepresentable)) else None
                if problem or not isinstance(key, str):
                    raise DocumentError(f"{where(path)}: a key: {problem or 'not text'}")


def _walk(document: Any) -> Iterator[tuple[tuple[str | int, ...], int, Any]]:
    """Every value with its path and depth, parents first; iterative, so no depth overflows."""
    stack: list[tuple[tuple[str | int, ...], int, Any]] = [((), 0, document)]
    while stack:
        path, depth, value = stack.pop()
        yield path, depth, value
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append(((*path, key), depth + 1, item))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                stack.append(((*path, index), depth + 1, value[index]))


def _not_json(value: Any) -> str | None:
    if isinstance(value, str):
        position = _surrogate(value)
        if position is not None:
            code = ord(value[position])
            return f"a lone surrogate U+{code:04X} at character {position} cannot be UTF-8 text"
        return None
    if isinstance(value, _Unrepresentable):
        return f"{value.what} (line {value.line}) is not JSON data: quote it as a string"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a JSON number"
    if value is None or isinstance(value, (bool, int, float, list, dict)):
        return None
    return f"a {type(value).__name__} is not JSON data"


def _surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text``, or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def where(path: tuple[str | int, ...]) -> str:
    """A path as the parser's messages write places: ``paths./things.post.tags[0]``."""
    if not path:
        return "the document"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
