"""Spec text never becomes code: whatever a spec's strings hold, they stay strings and comments.

The property tests draw hostile text (quotes of every kind, backslashes,
every line break Python's tokenizer or ``str.splitlines`` knows, NUL, lone
surrogates, bidirectional overrides, Jinja syntax, code) into every text
field of a small spec and the spec's file name. The generated package must
compile, and its syntax tree must be the plain spec's but for the values of
its string constants: no statement, call or name more or less. Names that
feed identifiers (property and parameter names) are compared with each
identifier mapped one to one onto the plain spec's.

The other tests pin each way text became code before, and that generation
never runs what it generated.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import tokenize
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.decoders import model_decoders
from codegen.literals import comment, docstring, literal
from codegen.loader import SpecError, load, resolved
from codegen.parser import parse
from codegen.render import MODULES, generate
from tests.support.inline import document, generated, post

# Every module rendered from the spec (the runtime's are copied as they are).
RENDERED = (*MODULES, "models.py", "params.py")
LINE_BREAKS = (
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
)
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")
FRAGMENTS = (
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "\\u2028",
    "\x00",
    "\t",
    "\u202e",  # right-to-left override
    "\ufeff",
    "{{ x }}",
    "{% if x %}",
    "{#",
    "#}",
    "#",
    " ",
    "é",
    "${HOME}",
    '")\nraise SystemExit("ran")\n#',
    '"""\nraise SystemExit("ran")\n"""',
    "\\\n",
    *LINE_BREAKS,
)


def hostile(*, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Text made mostly of fragments that end strings, comments or lines; never blank."""
    pieces = FRAGMENTS + (SURROGATES if surrogates else ())
    fragment = st.sampled_from(pieces) | st.text(max_size=3)
    if not surrogates:
        fragment = fragment.filter(lambda text: not _has_surrogate(text))
    return st.lists(fragment, min_size=1, max_size=6).map("".join).filter(lambda text: text.strip())


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


# The text fields of the spec below, each drawn on its own. Those in HELD are held
# exactly by the data models (enum values, defaults): drawn without lone surrogates,
# which datamodel-code-generator cannot write (test_lone_surrogates_... covers them).
TEXTS = (
    "title",
    "version",
    "description",
    "url",
    "summary",
    "operation_description",
    "parameter_description",
    "response_description",
    "command",
    "summary_2",
    "path_description",
    "waiter_description",
    "command_2",
    "schema_description",
    "property_description",
    "property_title",
    "expect",
    "example",
    "prompt_description",
    "task_description",
    "status_description",
    "server_description",
    "contact_name",
    "tag",
    "tag_description",
    "docs_description",
    "scheme_description",
    "bearer_format",
)
HELD = ("enum_a", "enum_b", "default", "state_a", "state_b")
NAMES = ("query", "body_property", "response_property")


def small_spec(t: dict[str, str]) -> dict[str, Any]:
    """A spec with two operations (one with a CLI, one with a waiter) and two models.

    Every text comes from ``t``. Values that must differ are told apart by a prefix, one
    per field, so that no two fields' values are ever equal: the generator writes equal
    constants once, which would change the shape of the code, not its safety.
    """
    task = {"$ref": "#/components/schemas/Task"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": t["title"],
            "version": t["version"],
            "description": t["description"],
            "contact": {"name": t["contact_name"]},
        },
        "servers": [{"url": t["url"], "description": t["server_description"]}],
        "tags": [
            {
                "name": "t" + t["tag"],
                "description": t["tag_description"],
                "externalDocs": {"url": "https://docs.test", "description": t["docs_description"]},
            }
        ],
        "security": [{"bearer": []}],
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "tags": ["t" + t["tag"]],
                    "summary": t["summary"],
                    "description": t["operation_description"],
                    "parameters": [
                        {
                            "name": t["query"],
                            "in": "query",
                            "description": t["parameter_description"],
                            "schema": {"type": "string", "enum": ["qa" + t["enum_a"], "qb"]},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": t["response_description"],
                            "content": {"application/json": {"schema": task}},
                        }
                    },
                    "x-cli": {"command": "a" + t["command"], "options": {"prompt": "/prompt"}},
                }
            },
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "summary": t["summary_2"],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": t["path_description"],
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": task}},
                        }
                    },
                    "x-waiter": {
                        "method": "wait_for_thing",
                        "description": t["waiter_description"],
                    },
                    "x-cli": {
                        "command": "b" + t["command_2"],
                        "wait": {"method": "wait_for_thing", "argument": "/id"},
                        "result": "/id",
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": t["scheme_description"],
                    "bearerFormat": t["bearer_format"],
                }
            },
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": t["schema_description"],
                    "required": ["prompt"],
                    "properties": {
                        t["body_property"]: {
                            "type": "string",
                            "description": t["property_description"],
                            "title": t["property_title"],
                            "x-expect": t["expect"],
                            "examples": [t["example"]],
                        },
                        "prompt": {
                            "type": "string",
                            "description": t["prompt_description"],
                            "minLength": 1,
                        },
                        "mode": {
                            "type": "string",
                            "enum": ["ma" + t["enum_a"], "mb" + t["enum_b"]],
                            "default": "ma" + t["enum_a"],
                        },
                        "note": {"type": "string", "default": t["default"]},
                    },
                },
                "Task": {
                    "type": "object",
                    "description": t["task_description"],
                    "required": ["id", "status"],
                    "x-lifecycle": {
                        "property": "status",
                        "initial": "sa" + t["state_a"],
                        "transitions": {
                            "sa" + t["state_a"]: ["sb" + t["state_b"]],
                            "sb" + t["state_b"]: [],
                        },
                    },
                    "properties": {
                        "id": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["sa" + t["state_a"], "sb" + t["state_b"]],
                            "description": t["status_description"],
                        },
                        t["response_property"]: {
                            "type": "string",
                            "description": t["property_description"],
                            "default": t["default"],
                        },
                    },
                },
            },
        },
    }


PLAIN = {
    **{name: name.replace("_", " ") for name in (*TEXTS, *HELD)},
    "url": "https://plain.example.test",
    "query": "query",
    # Property names that are not identifiers, as hostile ones never are (see below).
    "body_property": "body property",
    "response_property": "response property",
}


def generate_spec(texts: dict[str, str], folder: Path, spec_name: str = "spec.json") -> Path:
    """Generate the small spec of ``texts`` into ``folder``.

    The document is handed to the generator as data, past the loader: reading a
    file refuses lone surrogates (UTF-8 cannot hold them), and the text layer
    must be safe on its own, for callers of the generator's API and for the
    spec's file name, which the operating system may give with surrogates.
    """
    folder.mkdir(parents=True, exist_ok=True)
    return generate(parse(resolved(small_spec(texts)), "hostile"), folder / "out", spec_name)


def trees(package: Path) -> dict[str, ast.Module]:
    """Each rendered module, compiled (to bytecode, and to its syntax tree)."""
    found = {}
    for name in RENDERED:
        source = (package / name).read_text(encoding="utf-8")
        compile(source, name, "exec")
        found[name] = ast.parse(source)
    return found


def shape(tree: ast.Module, *, names: bool = True) -> str:
    """The tree with each string constant's value left out (and, unless ``names``, each name)."""
    tree = copy.deepcopy(tree)  # the plain spec's trees are kept for every example
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value, node.kind = "", None
        if not names:
            for attribute in _NAME_FIELDS.get(type(node), ()):
                if getattr(node, attribute, None) is not None:
                    setattr(node, attribute, "_")
    return ast.dump(tree)


_NAME_FIELDS: dict[type, tuple[str, ...]] = {
    ast.Name: ("id",),
    ast.arg: ("arg",),
    ast.keyword: ("arg",),
    ast.Attribute: ("attr",),
    ast.FunctionDef: ("name",),
    ast.AsyncFunctionDef: ("name",),
    ast.ClassDef: ("name",),
    ast.alias: ("name", "asname"),
}


def identifiers(tree: ast.Module) -> list[str]:
    """Every identifier of the tree, in walk order."""
    return [
        value
        for node in ast.walk(tree)
        for attribute in _NAME_FIELDS.get(type(node), ())
        if isinstance(value := getattr(node, attribute, None), str)
    ]


@cache
def plain_trees(folder: Path) -> dict[str, ast.Module]:
    """The rendered modules of the plain spec (generated once: each generation runs ruff)."""
    return trees(generate_spec(PLAIN, folder))


@pytest.fixture(scope="module")
def plain_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plain")


def texts_from(
    draw: Callable[..., Any], fields: tuple[str, ...], **options: bool
) -> dict[str, str]:
    return {name: draw(hostile(**options)) for name in fields}


@st.composite
def hostile_texts(draw: Callable[..., Any]) -> dict[str, str]:
    """Hostile text in every text field; names as the plain spec's."""
    return {
        **PLAIN,
        **texts_from(draw, TEXTS),
        **texts_from(draw, HELD, surrogates=False),
    }


_FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.slow
@_FEW
@given(texts=hostile_texts(), spec_name=hostile())
def test_hostile_text_changes_only_string_constants(
    texts: dict[str, str],
    spec_name: str,
    plain_folder: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every module compiles and has the plain spec's tree, string values aside."""
    package = generate_spec(texts, tmp_path_factory.mktemp("hostile"), spec_name)
    plain = plain_trees(plain_folder)
    for name, tree in trees(package).items():
        assert shape(tree) == shape(plain[name]), name
        header = (package / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert _tokens_of_line(header) == [tokenize.COMMENT], name


@st.composite
def hostile_names(draw: Callable[..., Any]) -> dict[str, str]:
    """Hostile property and parameter names; never an identifier, as the plain ones."""
    return {
        **PLAIN,
        "query": "q" + draw(hostile()),
        "body_property": "b " + draw(hostile()),
        "response_property": "r " + draw(hostile()),
    }


@pytest.mark.slow
@_FEW
@given(texts=hostile_names())
def test_hostile_names_change_only_constants_and_identifiers(
    texts: dict[str, str], plain_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every module compiles; its tree is the plain spec's with identifiers renamed one to one.

    A property name holding a lone surrogate is refused in one line: the data
    models must hold the name exactly, and UTF-8 cannot encode it.
    """
    folder = tmp_path_factory.mktemp("names")
    properties = (texts["body_property"], texts["response_property"])
    try:
        package = generate_spec(texts, folder)
    except SpecError as error:
        assert any(_has_surrogate(name) for name in properties), error
        assert "lone surrogate" in str(error) and "\n" not in str(error)
        return
    plain = plain_trees(plain_folder)
    for name, tree in trees(package).items():
        ours, theirs = identifiers(tree), identifiers(plain[name])
        assert shape(tree, names=False) == shape(plain[name], names=False), name
        renamed = dict(zip(ours, theirs, strict=True))
        assert [renamed[identifier] for identifier in ours] == theirs, name
        assert len(set(renamed.values())) == len(renamed), f"{name}: two names became one"


def _tokens_of_line(line: str) -> list[int]:
    """The token types of one line of source, without the line end."""
    skipped = {tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER}
    readline = io.StringIO(line + "\n").readline
    return [token.type for token in tokenize.generate_tokens(readline) if token.type not in skipped]


# The ways text became code before.

PAYLOAD = '"""\nraise RuntimeError("spec text ran")\n"""'


@pytest.mark.slow
@pytest.mark.parametrize("field", ["title", "description", "url"])
def test_info_and_server_text_stays_in_the_docstrings(field: str, tmp_path: Path) -> None:
    """A docstring's closing quotes in the title, description or server URL end nothing.

    Importing the package and using its Client runs none of it, and the
    module docstring (or the Client's) holds the text as written.
    """
    spec = document(paths=post({"type": "object"}, {"type": "object"}))
    if field == "url":
        spec["servers"] = [{"url": "https://x.test/" + PAYLOAD}]
    else:
        spec["info"][field] = "Text " + PAYLOAD
    with generated(spec, tmp_path) as package:
        client = package.Client(api_key="k")
        shown = client.__doc__ if field == "url" else package.__doc__
        assert PAYLOAD in _unindented(shown or "")


@pytest.mark.slow
@pytest.mark.parametrize("field", ["summary", "operationId", "x-waiter"])
def test_operation_text_stays_in_the_docstrings(field: str, tmp_path: Path) -> None:
    """The same payload in an operation's summary, id or waiter description: a docstring still."""
    texts = dict(PLAIN)
    if field == "summary":
        texts["summary"] = texts["summary_2"] = "Text " + PAYLOAD
    elif field == "x-waiter":
        texts["waiter_description"] = "Text " + PAYLOAD
    spec = small_spec(texts)
    if field == "operationId":
        spec["paths"]["/things"]["post"]["operationId"] = "create" + PAYLOAD
        spec["paths"]["/things"]["post"].pop("summary")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    package = generate(parse(load(path), "hostile"), tmp_path / "out", path.name)
    for name, tree in trees(package).items():
        raises = [node for node in ast.walk(tree) if isinstance(node, ast.Raise)]
        assert all("spec text ran" not in ast.unparse(node) for node in raises), name
    client = ast.parse((package / "client.py").read_text(encoding="utf-8"))
    docs = [
        ast.get_docstring(node, clean=False) or ""
        for node in ast.walk(client)
        if isinstance(node, ast.FunctionDef)
    ]
    assert any(PAYLOAD in _unindented(doc) for doc in docs)


def _strings(tree: ast.AST) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _unindented(doc: str) -> str:
    """A docstring's lines, stripped: ruff indents them as it formats the module."""
    return "\n".join(line.strip() for line in doc.split("\n"))


@pytest.mark.slow
@pytest.mark.parametrize("separator", LINE_BREAKS)
def test_property_names_with_line_separators_stay_keys(separator: str, tmp_path: Path) -> None:
    """A property name holding a character only ``str.splitlines`` breaks at stays one key.

    The request TypedDict has the name as its key and the response dataclass as
    its field's alias, and no module gains a top-level statement.
    """
    name = f"a{separator}b = 1"
    spec = document(
        paths=post(
            {"type": "object", "properties": {name: {"type": "string"}}},
            {"type": "object", "properties": {name: {"type": "string"}}},
        )
    )
    with generated(spec, tmp_path) as package:
        params, models = (
            ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
            for module in (package.params, package.models)
        )
    keys = [
        key.value
        for node in ast.walk(params)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant)
    ]
    assert keys == [name]
    aliases = [
        value.value
        for node in ast.walk(models)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant)
        and key.value == "alias"
        and isinstance(value, ast.Constant)
    ]
    assert aliases == [name]
    statements = [
        type(node).__name__ for node in params.body if not isinstance(node, ast.ImportFrom)
    ]
    assert statements == ["Expr", "If", "Assign"]  # the docstring, TYPE_CHECKING, the TypedDict


def test_the_spec_file_name_is_one_comment_line(tmp_path: Path) -> None:
    """A file name with line breaks in it stays in the header comment of each module."""
    spec_name = "spec\nraise RuntimeError('spec name ran')\u2028x = 1\r\n#.yaml"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(small_spec(PLAIN)), encoding="utf-8")
    package = generate(parse(load(path), "hostile"), tmp_path / "out", spec_name)
    for name, tree in trees(package).items():
        header = (package / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.startswith("# Generated by codegen from spec\\nraise"), name
        assert _tokens_of_line(header) == [tokenize.COMMENT], name
        assert not [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and "spec name" in ast.unparse(node)
        ]


@pytest.mark.slow
def test_generation_does_not_run_the_models_module(tmp_path: Path) -> None:
    """Code in the spec's file name, were the models module run, would create a file."""
    marker = tmp_path / "ran"
    spec_name = f"spec.json\nopen({str(marker)!r}, 'w').close()\n#"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(small_spec(PLAIN)), encoding="utf-8")
    generate(parse(load(path), "hostile"), tmp_path / "out", spec_name)
    assert not marker.exists()


def test_decoders_read_the_models_without_running_them(tmp_path: Path) -> None:
    """A models module with a statement of its own is refused in one line, never run."""
    marker = tmp_path / "ran"
    source = (
        "from dataclasses import dataclass\n\n"
        "@dataclass(kw_only=True)\nclass Thing:\n    name: str\n\n"
        f"open({str(marker)!r}, 'w').close()\n"
    )
    with pytest.raises(SpecError, match=r"line 7: unexpected code") as raised:
        model_decoders(source)
    assert "\n" not in str(raised.value)
    assert not marker.exists()


def test_lone_surrogates_are_escaped_in_text_and_refused_in_names(tmp_path: Path) -> None:
    """In a description, a lone surrogate is written as its escape; in an enum value, refused.

    A data model must hold an enum value exactly, and UTF-8 cannot encode the surrogate.
    """
    described = dict(PLAIN, property_description="a \ud800 b", title="t \udfff")
    package = generate_spec(described, tmp_path / "text")
    # The models' docstrings show the escape as text; a template's holds the character.
    models = ast.parse((package / "models.py").read_text(encoding="utf-8"))
    assert "a \\ud800 b" in _strings(models)
    init = (package / "__init__.py").read_text(encoding="utf-8")
    assert "t \\udfff" in init
    assert (ast.get_docstring(ast.parse(init)) or "").startswith("t \udfff")
    with pytest.raises(SpecError, match="lone surrogate") as raised:
        generate_spec(dict(PLAIN, state_b="\ud800"), tmp_path / "held")
    assert "\n" not in str(raised.value) and "Task" in str(raised.value)


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("x-cli.wait.method", lambda spec: _get(spec)["x-cli"]["wait"].update(method="x(); y")),
        ("x-lifecycle.property", lambda spec: _task(spec)["x-lifecycle"].update(property="a or b")),
    ],
)
def test_names_written_as_attributes_must_be_identifiers(
    where: str, change: Callable[[dict[str, Any]], None], tmp_path: Path
) -> None:
    """A name the client writes after a dot is refused, in one line, unless an identifier."""
    spec = small_spec(PLAIN)
    change(spec)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(SpecError, match=f"{where}: .* is not a Python identifier") as raised:
        generate(parse(load(path), "hostile"), tmp_path / "out", path.name)
    assert "\n" not in str(raised.value)


def _get(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"]["/things/{id}"]["get"]
    return operation


def _task(spec: dict[str, Any]) -> dict[str, Any]:
    task: dict[str, Any] = spec["components"]["schemas"]["Task"]
    return task


# The text-to-code functions on their own, on any text.


@given(st.text())
def test_a_docstring_holds_any_text_exactly(text: str) -> None:
    """Between triple quotes, alone or with text either side, it reads back as itself."""
    for before, after in (("", ""), ("x", "x"), ("\n    ", "\n    ")):
        source = f'"""{before}{docstring(text)}{after}"""'
        assert ast.literal_eval(source) == before + text + after
        source.encode("utf-8")


@given(st.text())
def test_a_comment_is_one_line_of_any_text(text: str) -> None:
    """One line by the tokenizer and by ``str.splitlines``, and encodable."""
    line = comment(text)
    assert len(line.splitlines()) == 1
    assert _tokens_of_line(line) == [tokenize.COMMENT]
    line.encode("utf-8")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
)
def test_a_literal_holds_any_json_value_exactly(value: Any) -> None:
    """Read back, it is the value; written, it is UTF-8 text."""
    source = literal(value)
    assert ast.literal_eval(source) == value
    source.encode("utf-8")
