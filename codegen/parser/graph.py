"""What the references between schemas may not do: define a schema through itself, or nest too deep.

A schema may refer to itself through structure (a property, an array's items,
a union's branch): that is a recursive type, and generated code names it. But
``A: {$ref: B}, B: {allOf: [{$ref: A}]}`` says A is whatever A is and more: no
value is described, and every step that merges ``allOf`` branches would follow
it forever. Those cycles are refused, naming the schemas on it.

Following references also nests: a chain of schemas, each a property of the
next, is as deep for the checks compiler as one schema nested that deep, each
reference counting one level more than where it sits. The deepest chain in the
corpus of published specs nests 68 levels (Box; Discord 54, OpenAI 53);
``MAX_REFERENCE_DEPTH`` allows almost three times that, which the later steps
still handle (a chain of 63 schemas, each a property of the next, generates),
while a chain of 140 of them overflowed the stack of the checks compiler.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from codegen.loader import SpecError, schema_name

MAX_REFERENCE_DEPTH = 192


def check_references(sources: Mapping[str, Any]) -> None:
    """Refuse the first schema of ``sources`` defined through itself or nested too deep."""
    cycle = _conjunct_cycle(sources)
    if cycle:
        raise SpecError(
            f"components.schemas.{cycle[0]}: defined through itself "
            f"({' -> '.join(cycle)}) by $ref or allOf alone, so it describes no value"
        )
    depths: dict[str, int] = {}
    for name in sources:
        deepest = _depth(name, sources, depths)
        if deepest > MAX_REFERENCE_DEPTH:
            raise SpecError(
                f"components.schemas.{name}: nested deeper than {MAX_REFERENCE_DEPTH} levels "
                "once its references are followed"
            )


def _conjuncts(schema: Any) -> Iterator[str]:
    """The schemas ``schema`` is (its ``$ref``) or includes whole (``allOf``), inline ones too."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and schema_name(ref) is not None:
            yield str(schema_name(ref))
        branches = node.get("allOf")
        if isinstance(branches, list):
            stack.extend(reversed(branches))


def _conjunct_cycle(sources: Mapping[str, Any]) -> list[str]:
    """The first cycle of schemas that are each other through conjuncts alone, or ``[]``.

    One depth-first walk over every schema, iterative, so a long chain is no problem.
    """
    done: set[str] = set()
    for root in sources:
        if root in done:
            continue
        chain = [root]
        on_chain = {root}
        pending = [iter(list(_conjuncts(sources[root])))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                pending.pop()
                done.add(chain[-1])
                on_chain.discard(chain.pop())
            elif target in on_chain:
                return [*chain[chain.index(target) :], target]
            elif target in sources and target not in done:
                chain.append(target)
                on_chain.add(target)
                pending.append(iter(list(_conjuncts(sources[target]))))
    return []


def _references(schema: Any) -> Iterator[tuple[int, str]]:
    """Each schema reference inside ``schema``, with how deep it nests (the hop counts one)."""
    stack: list[tuple[int, Any]] = [(0, schema)]
    while stack:
        depth, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            name = schema_name(ref) if isinstance(ref, str) else None
            if name is not None:
                yield depth + 1, name
            stack.extend((depth + 1, value) for value in node.values())
        elif isinstance(node, list):
            stack.extend((depth + 1, value) for value in node)


def _nesting(schema: Any) -> int:
    """How many mappings and lists nest inside ``schema`` (0 for a scalar)."""
    deepest = 0
    stack: list[tuple[int, Any]] = [(0, schema)]
    while stack:
        depth, node = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth + 1)
            stack.extend((depth + 1, value) for value in _children(node))
    return deepest


def _children(node: dict[str, Any] | list[Any]) -> list[Any]:
    return list(node.values()) if isinstance(node, dict) else node


class _Frame:
    """A schema whose references are being measured, and how it was reached."""

    def __init__(self, name: str, schema: Any, at: int) -> None:
        self.name = name
        self.references = _references(schema)
        self.at = at
        self.deepest = _nesting(schema)


def _depth(start: str, sources: Mapping[str, Any], depths: dict[str, int]) -> int:
    """How deep ``start`` nests through its references, remembering each in ``depths``.

    A reference back into the chain being followed (a recursive type) adds
    nothing: generated code names it. Iterative, since the chains it measures
    are the ones too deep to recurse on.
    """
    if start in depths:
        return depths[start]
    frames = [_Frame(start, sources.get(start), 0)]
    on_chain = {start}
    while frames:
        frame = frames[-1]
        for at, target in frame.references:
            if target in on_chain or target not in sources:
                continue
            if target in depths:
                frame.deepest = max(frame.deepest, at + depths[target])
                continue
            on_chain.add(target)
            frames.append(_Frame(target, sources.get(target), at))
            break
        else:
            frames.pop()
            on_chain.discard(frame.name)
            depths[frame.name] = frame.deepest
            if frames:
                frames[-1].deepest = max(frames[-1].deepest, frame.at + frame.deepest)
    return depths[start]
