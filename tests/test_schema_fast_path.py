"""The fast path of builder/schema.py agrees exactly with its jsonschema path.

`schema.check` trusts fastjsonschema when it accepts a file and asks jsonschema (which
words and locates the problems) only when it rejects one. So the two must say "valid" for
the same data, or a broken file would build, or a good one fail without a message. Proved
on every bad input of the table, on hand-picked values where the two libraries' defaults
differ (`$` in patterns, impossible dates, bool as a number), and on valid files mutated by
hypothesis.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from bad_inputs import CASES, CLAIMS, MINI, SOURCES, broken_documents
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import schema
from builder.load import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_OF = {CLAIMS: "claims.schema.json", SOURCES: "sources.schema.json"}


def container(data: object, path: tuple) -> object:
    for step in path:
        data = data[step]
    return data


def paths(value: object, here: tuple = ()):
    yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*here, index))


def walk_items(value: object):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk_items(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_items(item)


def slow_accepts(data: object, name: str) -> bool:
    """The jsonschema path's verdict (with the builder's `pattern` and format checker)."""
    return not any(True for _ in schema._validator(name).iter_errors(data))


def assert_agree(data: object, name: str) -> bool:
    fast = schema.is_valid(data, name)
    assert fast == slow_accepts(data, name), f"fastjsonschema says valid={fast}, jsonschema the opposite"
    return fast


def loaded(root: Path, name: str) -> object:
    doc, problems = load_yaml(root / name, name)
    assert problems == [], [p.format() for p in problems]
    return doc.data


VALID = {(root, name): loaded(root, name) for root in (ROOT, MINI) for name in (CLAIMS, SOURCES)}


@pytest.mark.parametrize("name", [CLAIMS, SOURCES])
@pytest.mark.parametrize("root", [ROOT, MINI], ids=["project", "mini-fixture"])
def test_both_accept_the_files(root, name):
    assert assert_agree(VALID[root, name], SCHEMA_OF[name])


@pytest.mark.parametrize("case", CASES, ids=str)
def test_both_agree_on_every_bad_input(case, tmp_path):
    for name, doc in broken_documents(case, tmp_path):
        valid = assert_agree(doc.data, SCHEMA_OF[name])
        assert valid != (case.schema == name), f"{case.id}: {name} valid={valid}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_check_reports_what_the_jsonschema_path_alone_reports(case, tmp_path, monkeypatch):
    """The fast path changes nothing an editor sees: same problems, same paths left out of later checks."""
    for name, doc in broken_documents(case, tmp_path):
        fast = schema.check(doc, SCHEMA_OF[name]), doc.invalid
        with monkeypatch.context() as patched:
            patched.setattr(schema, "is_valid", lambda *args: False)
            slow = schema.check(doc, SCHEMA_OF[name]), doc.invalid
        assert fast == slow


# Values where the two libraries' defaults differ, or near a limit of the schema.
TRICKY_TEXT = [
    "",
    "abc",
    "abc\n",  # Python's `$` matches before a final newline; the schema's does not
    "a\nb",
    "\t",
    "\x85",
    "\u202e",
    "2023-02-30",  # impossible date: the pattern alone takes it, the format does not
    "2023-02-29",
    "2024-02-29",
    "1900-02-29",
    "2000-02-29",
    "0000-01-01",  # fastjsonschema's built-in regex takes year 0, Python's date does not
    "2023-13-01",
    "2023-01-01\n",
    "2023-1-01",
    "20230101",
    "٢٠٢٣-٠١-٠١",  # Arabic-Indic digits: \d without re.ASCII
    "a-b",
    "a--b",
    "-a",
    "Abc",
    "é",
    "person",
    "supports",
    "https://example.org/a",
    "https://example.org/a\n",
    "0" * 64,
    "0" * 64 + "\n",
    "f.txt",
    "f.txt\n",
    "fr",
    "fr\n",
    *("x" * n for n in (75, 76, 80, 81, 1000, 1001, 5000, 5001, 20000, 20001)),
]
FIELD_NAMES = sorted(
    {
        field
        for name in SCHEMA_OF.values()
        for key, value in walk_items(schema.schema(name))
        if key == "properties"
        for field in value
    }
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, 1, 2, 75, 100, 101, -1])
    | st.floats()
    | st.sampled_from([1.0, 1.5, 100.0, float("nan"), float("inf")])
    | st.sampled_from(TRICKY_TEXT)
    | st.text(max_size=12)
)
RANDOM_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


# Parts of the valid files too, so that a good share of the mutated files stays valid.
PARTS = [container(data, path) for data in VALID.values() for path in paths(data)]
VALUES = st.sampled_from(TRICKY_TEXT) | st.sampled_from(PARTS).map(copy.deepcopy) | RANDOM_VALUES


# Dates of any shape the pattern lets through, impossible ones included (year 0, month 13, day 31).
YEARS = st.sampled_from([0, 1, 1900, 2000, 2023, 2024]) | st.integers(0, 9999)
MONTHS = st.integers(1, 12) | st.sampled_from([0, 13])
DAYS = st.integers(1, 28) | st.sampled_from([0, 29, 30, 31, 32])
DATES = st.builds("{:04d}-{:02d}-{:02d}".format, YEARS, MONTHS, DAYS)
DATE_FIELDS = {
    key
    for name in SCHEMA_OF.values()
    for key, value in walk_items(schema.schema(name))
    if isinstance(value, dict) and value.get("$ref") == "#/definitions/date"
}
TEXT = st.sampled_from(TRICKY_TEXT) | DATES | st.text(max_size=12)
TAILS = st.sampled_from(["\n", "\r", "\t", " ", "-", "A", "\u202e", "\x00", "\u2028"])


@st.composite
def mutated(draw) -> tuple[object, str]:
    """A valid file with one change: a value replaced, a text field rewritten or given a tail
    (where patterns and `$` are tested), a date rewritten (the format), an entry removed, or a
    field added."""
    root, name = draw(st.sampled_from(sorted(VALID)))
    data = copy.deepcopy(VALID[root, name])
    every = list(paths(data))
    texts = [path for path in every if isinstance(container(data, path), str)]
    dates = [path for path in texts if path[-1] in DATE_FIELDS]
    action = draw(st.sampled_from(["replace", "text", "tail", "date", "remove", "add"]))
    path = draw(st.sampled_from({"text": texts, "tail": texts, "date": dates or texts}.get(action, every)))
    if not path:
        return draw(VALUES), SCHEMA_OF[name]
    parent = container(data, path[:-1])
    if action == "replace":
        parent[path[-1]] = draw(VALUES)
    elif action == "text":
        parent[path[-1]] = draw(TEXT)
    elif action == "date":
        parent[path[-1]] = draw(DATES)
    elif action == "tail":
        parent[path[-1]] += draw(TAILS)
    elif action == "remove":
        del parent[path[-1]]
    elif isinstance(target := parent[path[-1]], dict):
        target[draw(st.sampled_from(FIELD_NAMES) | st.text(max_size=4))] = draw(VALUES)
    elif isinstance(target, list):
        target.insert(draw(st.integers(0, len(target))), draw(VALUES))
    else:
        parent[path[-1]] = draw(VALUES)
    return data, SCHEMA_OF[name]


LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


@settings(
    max_examples=8000 if LONG else 200,
    derandomize=not LONG,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_both_agree_on_mutated_files(document):
    data, name = document
    assert_agree(data, name)


@pytest.mark.parametrize(
    ("path", "value", "valid"),
    [
        (("claims", 0, "id"), "abc\n", False),
        (("claims", 0, "id"), "abc", True),
        (("claims", 0, "reviewed"), "2023-02-30", False),
        (("claims", 0, "reviewed"), "0000-01-01", False),
        (("claims", 0, "reviewed"), "2024-02-29", True),
        (("claims", 0, "reviewed"), "2023-09-15\n", False),
        (("ratings", 0, "value"), True, False),
        (("ratings", 0, "value"), 1.0, True),
        (("ratings", 0, "value"), 1.5, False),
        (("claims", 0, "evidence", 0, "occurrence"), False, False),
        (("claims", 0, "claim"), "a\n", False),
        (("claims", 0, "summary"), "a\n", True),
        (("claims", 0, "errorMessage"), "x", False),
        (("claims", 0, "claim_short"), "x" * 76, False),
    ],
    ids=repr,
)
def test_both_agree_where_the_libraries_defaults_differ(path, value, valid):
    data = copy.deepcopy(VALID[MINI, CLAIMS])
    container(data, path[:-1])[path[-1]] = value
    assert assert_agree(data, "claims.schema.json") == valid


@pytest.mark.parametrize(
    ("field", "value"), [("file", "a.txt\n"), ("sha256", "0" * 64 + "\n"), ("published", "2023-02-30")]
)
def test_both_refuse_what_only_python_would_take_in_sources(field, value):
    data = copy.deepcopy(VALID[MINI, SOURCES])
    data["sources"][0][field] = value
    assert assert_agree(data, "sources.schema.json") is False


def test_every_format_the_schemas_use_has_a_fast_check():
    """fastjsonschema skips a format it does not know, where jsonschema might check it."""
    used = {value for name in SCHEMA_OF.values() for key, value in walk_items(schema.schema(name)) if key == "format"}
    assert used <= set(schema.FAST_FORMATS), used - set(schema.FAST_FORMATS)


@pytest.mark.parametrize("name", SCHEMA_OF.values())
def test_compiling_leaves_the_shared_schema_as_written(name):
    """fastjsonschema rewrites the `$ref`s of the dict it compiles: it must get its own copy."""
    schema.is_valid({}, name)
    assert schema.schema(name) == json.loads((ROOT / "builder" / name).read_text(encoding="utf-8"))


def test_the_fast_path_does_not_change_the_data():
    data = VALID[MINI, CLAIMS]
    before = copy.deepcopy(data)
    assert schema.is_valid(data, "claims.schema.json")
    assert data == before
