"""The YAML loader (builder/load.py) against PyYAML's own reading of the same text.

Property, over documents that PyYAML writes from generated data (any nesting of mappings,
lists and scalars; scalars in every style the emitter allows; flow or block; narrow widths that
fold long values over several lines; comments and blank lines put in between):
- the data equals `yaml.load` of the text, since the writer only leaves unquoted what YAML 1.1
  and the 1.2 core schema read alike (the strings that 1.2 reads as numbers are left out);
- every value and every key has its place recorded, the very place PyYAML's composer gives,
  and the text there starts the way that value or key is written.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from builder.load import load_yaml
from builder.problems import Location

NAME = "x.yaml"
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"ci": 1, "long": 40}.get(PROFILE, 1)

# YAML 1.2 core schema, section 10.3.2: plain scalars read as numbers. YAML 1.1 reads some of
# them as strings (`1e5`, `0o17`, `+.5`), so PyYAML writes those unquoted: left out.
CORE_NUMBER = re.compile(
    r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
# libyaml's line breaks (Python's splitlines has more).
LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

words = st.text("ab é:-#'\"\n", max_size=60)  # often written as a block, or folded
texts = words | words | st.text(st.characters(codec="utf-8"), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | texts.filter(lambda s: not CORE_NUMBER.fullmatch(s))
    | st.sampled_from(["no", "yes", "on", "2023-02-30", "null", "~", "True", "a: b", "- x", "#", "'", "x\ny"])
    | st.sampled_from([math.inf, -math.inf])
)
trees = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=25,
)


@st.composite
def documents(draw) -> str:
    """YAML text that PyYAML writes for generated data, with comments and blank lines added."""

    class Dumper(yaml.SafeDumper):
        def represent_str(self, data: str) -> yaml.ScalarNode:
            style = draw(st.sampled_from([None, "'", '"', "|", ">"]))  # the emitter falls back if it cannot
            return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

        def ignore_aliases(self, data: object) -> bool:
            return True  # an alias would be refused, rightly; it is not what this test is about

    Dumper.add_representer(str, Dumper.represent_str)
    text = yaml.dump(
        draw(trees),
        Dumper=Dumper,
        default_flow_style=draw(st.sampled_from([False, False, True, None])),  # block styles need block lists
        width=draw(st.sampled_from([20, 80])),
        indent=draw(st.sampled_from([2, 4])),
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
    )
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(lines)))
        extra = draw(st.sampled_from(["\n", "# a comment\n", "   # indented: comment\n"]))
        edited = [*lines[:where], extra, *lines[where:]]
        try:
            same = yaml.load("".join(edited), Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            same = False
        if same:  # not inside a block or multi-line value, where it would be part of the text
            lines = edited
    return "".join(lines)


def composed_places(node: yaml.Node, path: tuple = (), key: yaml.Node | None = None):
    """(path, its key's node or None, its node) for every node of a composed document."""
    yield path, key, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from composed_places(value, (*path, key.value), key)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from composed_places(item, (*path, i))


def location(node: yaml.Node) -> Location:
    return Location(NAME, node.start_mark.line + 1, node.start_mark.column + 1)


def starts(node: yaml.Node) -> set[str]:
    """What the text can start with where this node is written."""
    if isinstance(node, yaml.ScalarNode):
        return {node.value[:1], "'", '"', "|", ">"} - {""}
    if isinstance(node, yaml.SequenceNode):
        return {"[", "-"}
    if not node.value:
        return {"{"}
    first_key = node.value[0][0]
    return {"{", "?"} | starts(first_key)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("load")


@settings(
    max_examples=300 * SCALE,
    derandomize=PROFILE != "long",
    phases=list(Phase) if PROFILE == "long" else [Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=documents())
def test_the_data_and_every_place_are_what_pyyaml_reads(folder, text):
    path = folder / NAME
    path.write_text(text, encoding="utf-8")
    doc, problems = load_yaml(path, NAME)
    assert problems == []
    assert repr(doc.data) == repr(yaml.load(text, Loader=yaml.CSafeLoader))  # repr: -0.0 is not 0.0

    lines = LINE_BREAK.split(text)
    values, keys = {}, {}
    for place, key, node in composed_places(yaml.compose(text, Loader=yaml.CSafeLoader)):
        values[place] = location(node)
        at = lines[doc.values[place].line - 1][doc.values[place].column - 1 :]
        assert at[:1] in starts(node), (place, at)
        if key is not None:
            keys[place] = location(key)
            at = lines[doc.keys[place].line - 1][doc.keys[place].column - 1 :]
            assert at[:1] in starts(key), (place, at)
    assert dict(doc.values.items()) == values
    assert dict(doc.keys.items()) == keys


@pytest.mark.parametrize(
    "written, read",
    [
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("1e3", 1000.0),
        ("+.5", 0.5),
        (".5", 0.5),
        (".inf", math.inf),
        ("-.inf", -math.inf),
        (".", "."),
        ("1_000", "1_000"),
        ("0b10", "0b10"),
        ("no", "no"),
        ("TRUE", True),
        ("~", None),
        ("", None),
        ("2023-02-30", "2023-02-30"),
        ("!!str 12", "12"),
        ("'12'", "12"),
        ("|\n  12", "12\n"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(folder, written, read):
    path = folder / NAME
    path.write_text(f"v: {written}\n", encoding="utf-8")
    doc, problems = load_yaml(path, NAME)
    assert (doc.data, problems) == ({"v": read}, [])


def test_keys_keep_their_text_and_their_place(folder):
    path = folder / NAME
    path.write_text("2023: a\ntrue: b\nnull: c\n'': d\nx: [e, {y: f}]\n", encoding="utf-8")
    doc, problems = load_yaml(path, NAME)
    assert problems == [], problems
    assert doc.data == {"2023": "a", "true": "b", "null": "c", "": "d", "x": ["e", {"y": "f"}]}
    assert doc.keys[("x",)] == Location(NAME, 5, 1)
    assert doc.keys[("x", 1, "y")] == Location(NAME, 5, 9)
    assert doc.values[("x", 1, "y")] == Location(NAME, 5, 12)
    assert doc.where(("x", 1, "y", "z")) == doc.values[("x", 1, "y")]
    assert ("x", 2) not in doc.values and doc.values.get(("x", 2)) is None
    assert len(doc.values) == 9 and len(doc.keys) == 6
