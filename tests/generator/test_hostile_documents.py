"""Documents written to exhaust the generator: each refused in one line naming the file and
the place, exit 1, without a traceback and long before it could use much time or memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import documents
from codegen.loader import SpecError, load
from codegen.parser import graph, parse
from tests.support.inline import document, generated, generated_from, post

ROOT = Path(__file__).resolve().parents[2]
REF = "#/components/schemas/"
CORPUS = Path("/work/shared/corpus")


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def spec_with(schemas: dict[str, Any], body: str = "A") -> dict[str, Any]:
    return document(schemas=schemas, paths=post(ref(body), ref(body)))


# Runs `python -m codegen` under a 1 GiB address-space limit: a document that got past a
# bound would fail its test with a MemoryError (or the timeout), not exhaust the machine.
GUARDED = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
sys.argv = ["codegen", *sys.argv[1:]]
runpy.run_module("codegen", run_name="__main__", alter_sys=True)
"""


def refusal(tmp_path: Path, name: str, text: str | bytes) -> str:
    """Run ``python -m codegen`` on ``text`` (as file ``name``); its one line, after the name."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", GUARDED, "--spec", str(path), "--out", str(out), "--package", "p"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    err = result.stderr
    assert result.returncode == 1, err[-2000:]
    assert err.count("\n") == 1 and "Traceback" not in err, err[-2000:]
    assert err.startswith(f"{path}: "), err
    assert not out.exists()
    return err[len(f"{path}: ") :].rstrip("\n")


def laughs() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings from under a kilobyte."""
    lines = ["openapi: 3.1.0", "info: {title: T, version: '1'}", "paths: {}"]
    lines.append("x-0: &l0 [" + ", ".join(["lol"] * 9) + "]")
    for level in range(1, 9):
        lines.append(f"x-{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_by_the_value_count(tmp_path: Path) -> None:
    # The original generator ran for minutes to a MemoryError near 4 GB; here the 1 GiB
    # limit of `refusal` would stop it first.
    text = laughs()
    assert len(text) < 1024
    assert refusal(tmp_path, "laughs.yaml", text) == (
        f"more than {documents.MAX_NODES:,} values (counting what each YAML alias repeats)"
    )


def test_too_many_aliases_are_refused_even_when_they_expand_to_little(tmp_path: Path) -> None:
    aliases = ", ".join(["*a"] * (documents.MAX_ALIASES + 1))
    text = f"openapi: 3.1.0\nx-a: &a 1\nx-b: [{aliases}]\n"
    assert refusal(tmp_path, "aliases.yaml", text) == (
        f"more than {documents.MAX_ALIASES} YAML aliases (*name)"
    )


def test_a_few_aliases_still_load(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    spec = spec_with({"A": {"type": "object", "properties": {"n": {"type": "string"}}}})
    text = yaml.safe_dump(spec, sort_keys=False)
    text += "x-shared: &s {a: [1, 2]}\nx-again: *s\nx-more: {<<: *s, b: 3}\n"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    assert loaded["x-again"] == {"a": [1, 2]}
    assert loaded["x-more"] == {"a": [1, 2], "b": 3}


@pytest.mark.slow
def test_laughs_through_references_are_refused_too(tmp_path: Path) -> None:
    # Every followed (non-schema) reference is copied: the same blow-up without a YAML alias.
    spec: dict[str, Any] = {"openapi": "3.1.0", "paths": {}, "x-0": ["lol"] * 9}
    for level in range(1, 9):
        spec[f"x-{level}"] = [{"$ref": f"#/x-{level - 1}"}] * 9
    problem = refusal(tmp_path, "refs.json", json.dumps(spec))
    assert problem.endswith(
        f"more than {documents.MAX_NODES:,} values once references are followed"
    )


@pytest.mark.slow
def test_a_file_past_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\n" + "#" * documents.MAX_BYTES
    assert refusal(tmp_path, "big.yaml", text) == (
        f"the file is larger than {documents.MAX_BYTES:,} bytes"
    )


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_200_deep_schema_is_refused_at_load(tmp_path: Path, suffix: str) -> None:
    # JSON is valid YAML: the same text through both readers.
    text = json.dumps(spec_with({"A": nested(200)}))
    problem = refusal(tmp_path, f"deep{suffix}", text)
    if suffix == ".json":
        assert problem == (
            "components.schemas.A.properties.a.properties...: "
            f"nested deeper than {documents.MAX_DEPTH} levels"
        )
    else:
        assert problem == f"nested deeper than {documents.MAX_DEPTH} levels (line 1)"


def test_json_nesting_past_its_own_recursion_limit_is_one_line(tmp_path: Path) -> None:
    text = '{"openapi": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert refusal(tmp_path, "deep.json", text) == (
        f"nested deeper than {documents.MAX_DEPTH} levels"
    )


@pytest.mark.slow
def test_nesting_within_the_bound_generates(tmp_path: Path) -> None:
    # 62 levels of objects: the innermost mapping is level 4 + 2 * 62 = 128 of the document.
    with generated(spec_with({"A": nested(62)}), tmp_path) as package:
        assert package.build_create_thing(api_key="k").json() == {}


@pytest.mark.parametrize(
    ("schemas", "cycle"),
    [
        ({"A": ref("A")}, "A -> A"),
        ({"A": ref("B"), "B": ref("A")}, "A -> B -> A"),
        ({"A": {"allOf": [ref("A")]}}, "A -> A"),
        ({"A": {"allOf": [ref("B")]}, "B": {"allOf": [ref("A")]}}, "A -> B -> A"),
        ({"A": {"$ref": REF + "B", "description": "d"}, "B": {"allOf": [ref("A")]}}, "A -> B -> A"),
        ({"A": {"allOf": [{"allOf": [ref("B")]}]}, "B": ref("A")}, "A -> B -> A"),
    ],
)
def test_a_schema_defined_through_itself_is_refused_naming_the_cycle(
    tmp_path: Path, schemas: dict[str, Any], cycle: str
) -> None:
    problem = refusal(tmp_path, "cycle.yaml", yaml.safe_dump(spec_with(schemas)))
    assert problem == (
        f"components.schemas.A: defined through itself ({cycle}) by $ref or allOf alone, "
        "so it describes no value"
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": ref("A")}},
        {"type": "array", "items": ref("A")},
        {"type": "object", "additionalProperties": ref("A")},
        {"anyOf": [ref("A"), {"type": "null"}]},
        {"allOf": [{"anyOf": [ref("A"), {"type": "null"}]}]},
    ],
)
def test_recursion_through_structure_is_still_a_recursive_type(
    tmp_path: Path, schema: dict[str, Any]
) -> None:
    api = parse(load_spec(tmp_path, spec_with({"A": schema})), "inline")
    assert "A" in api.schemas


def load_spec(folder: Path, spec: dict[str, Any]) -> dict[str, Any]:
    path = folder / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return load(path)


def chain(length: int, link: Any) -> dict[str, Any]:
    """Schemas A0 .. A<length>, each A<i> holding ``link(i + 1)``; the last a plain object."""
    schemas = {f"A{i}": link(i + 1) for i in range(length)}
    schemas[f"A{length}"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    return schemas


@pytest.mark.parametrize(
    "link",
    [
        lambda i: {"type": "object", "properties": {"a": ref(f"A{i}")}},
        lambda i: {"allOf": [ref(f"A{i}")]},
        lambda i: ref(f"A{i}"),
    ],
    ids=["property", "allOf", "ref"],
)
def test_a_chain_of_references_past_the_bound_is_refused(tmp_path: Path, link: Any) -> None:
    # A chain of 300 overflowed the stack (a property, allOf) or ran for minutes (a bare $ref).
    text = json.dumps(spec_with(chain(300, link), body="A0"))
    assert refusal(tmp_path, "chain.json", text) == (
        f"components.schemas.A0: nested deeper than {graph.MAX_REFERENCE_DEPTH} levels "
        "once its references are followed"
    )


@pytest.mark.slow
def test_a_chain_of_references_within_the_bound_generates(tmp_path: Path) -> None:
    # 3 levels a link (properties, a, the reference) and 3 for the last schema: 63 links
    # reach the bound exactly.
    schemas = chain(63, lambda i: {"type": "object", "properties": {"a": ref(f"A{i}")}})
    with generated(spec_with(schemas, body="A0"), tmp_path) as package:
        assert package.build_create_thing(api_key="k").json() == {}


OPERATION = """openapi: 3.1.0
info: {title: T, version: '1'}
servers: [{url: 'https://x.test'}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                v: {type: string, default: VALUE}
      responses:
        '200': {description: ok}
"""
PLACE = "paths./things.post.requestBody.content.application/json.schema.properties.v.default"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("!!binary aGVsbG8=", "a YAML !!binary value (line 15) is not JSON data"),
        ("!!timestamp 2024-01-01", "a YAML !!timestamp value (line 15) is not JSON data"),
        ("!!set {a: null}", "a YAML !!set value (line 15) is not JSON data"),
        (".nan", "nan is not a JSON number"),
        ("-.inf", "-inf is not a JSON number"),
    ],
)
def test_a_yaml_value_json_cannot_hold_is_refused_naming_the_path(
    tmp_path: Path, value: str, problem: str
) -> None:
    text = OPERATION.replace("VALUE", value)
    assert refusal(tmp_path, "values.yaml", text).startswith(f"{PLACE}: {problem}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"openapi": "3.1.0", "x": [NaN]}', "x[0]: nan is not a JSON number"),
        ('{"openapi": "3.1.0", "x": {"a": -Infinity}}', "x.a: -inf is not a JSON number"),
        ('{"openapi": "3.1.0", "x": ["\\ud83d"]}', "x[0]: a lone surrogate U+D83D at character 0"),
        ('{"openapi": "3.1.0", "x": {"\\udc00": 1}}', "x: a key: a lone surrogate U+DC00"),
    ],
)
def test_a_json_value_outside_json_data_is_refused_naming_the_path(
    tmp_path: Path, text: str, problem: str
) -> None:
    assert refusal(tmp_path, "values.json", text).startswith(problem)


@pytest.mark.parametrize("name", ["huge.yaml", "huge.json"])
def test_an_integer_past_pythons_digit_limit_is_one_line(tmp_path: Path, name: str) -> None:
    digits = "1" * 50_000  # int() refuses more than 4,300 digits (sys.get_int_max_str_digits)
    text = (
        f'{{"openapi": "3.1.0", "x": {digits}}}'
        if name.endswith(".json")
        else f"openapi: 3.1.0\nx: {digits}\n"
    )
    assert "Exceeds the limit" in refusal(tmp_path, name, text)


def test_a_mapping_as_a_yaml_key_is_refused(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\nx-a:\n  ? {k: v}\n  : 1\n"
    assert refusal(tmp_path, "key.yaml", text) == (
        "x-a: a key: a key that is not text (line 3) is not JSON data: quote it as a string"
    )


@pytest.mark.slow
def test_a_plain_date_is_the_text_it_is(tmp_path: Path) -> None:
    # YAML 1.1 would read a date (which crashed the generator as a default); OpenAPI asks for
    # YAML 1.2's JSON schema, where it is text: published specs write examples this way.
    text = OPERATION.replace("VALUE", "2024-01-01")
    text = text.replace("'200': {description: ok}", "200: {description: ok}")
    path = tmp_path / "dates.yaml"
    path.write_text(text, encoding="utf-8")
    with generated_from(path, tmp_path) as package:
        assert "v: Default: '2024-01-01'." in (package.build_create_thing.__doc__ or "")


def test_keys_are_the_text_they_are_written_as(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("openapi: 3.1.0\nx-codes: {200: a, true: b, null: c, 1.0: d}\n", "utf-8")
    assert list(load(path)["x-codes"]) == ["200", "true", "null", "1.0"]


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus of published specs")
@pytest.mark.parametrize(
    "name", ["openai.yaml", "asana.yaml", "box.json", "discord.json", "twilio_api_v2010.json"]
)
def test_the_largest_published_documents_are_within_every_bound(name: str) -> None:
    try:
        loaded = load(CORPUS / name)
    except SpecError as error:  # pragma: no cover - the failure this test is for
        pytest.fail(f"{name}: {error}")
    graph.check_references(loaded.get("components", {}).get("schemas", {}))


@pytest.mark.parametrize("loader", documents.LOADERS, ids=lambda loader: loader.__name__)
def test_each_yaml_parser_reads_and_bounds_alike(
    loader: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml's parser when PyYAML has it, PyYAML's own otherwise: the same data, the same bounds.
    monkeypatch.setattr(documents, "LOADERS", [loader])
    text = "a: &x {b: [1, 2024-01-01, .5, yes, ~]}\nc: *x\n200: {<<: *x, d: 'e'}\n"
    expected = {"b": [1, "2024-01-01", 0.5, True, None]}
    assert documents.parse_yaml(text) == {
        "a": expected,
        "c": expected,
        "200": {**expected, "d": "e"},
    }
    with pytest.raises(documents.DocumentError) as raised:
        documents.parse_yaml(laughs())
    assert str(raised.value).startswith(f"more than {documents.MAX_NODES:,} values")
    with pytest.raises(documents.DocumentError) as raised:
        documents.parse_yaml("a: " + "[" * 200 + "]" * 200)
    assert str(raised.value) == f"nested deeper than {documents.MAX_DEPTH} levels (line 1)"


@pytest.mark.parametrize("loader", documents.LOADERS, ids=lambda loader: loader.__name__)
def test_a_lone_surrogate_in_yaml_is_refused_by_either_parser(
    loader: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml refuses the escape itself, at its line and column; PyYAML's parser builds the
    # string, and the check names its path.
    monkeypatch.setattr(documents, "LOADERS", [loader])
    with pytest.raises(documents.DocumentError) as raised:
        documents.parse_yaml('a:\n  b: ["ok", "ok \\udfff"]\n')
    assert str(raised.value) in {
        "a.b[1]: a lone surrogate U+DFFF at character 3 cannot be UTF-8 text",
        "invalid YAML: found invalid Unicode character escape code at line 2, column 19",
    }
    assert ("libyaml" in loader.__name__.lower()) == str(raised.value).startswith("invalid YAML")
