"""The JSON Schemas in builder/ (the ones editors' YAML tools read) against real files.

They accept the project's own claims.yaml and seeds/sources.yaml, reject every bad input a
schema can see, leave the others to the loader and the rules (so the table in bad_inputs.py
says truly which layer catches what), and the files name them on their first line.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from bad_inputs import CASES, CLAIMS, MINI, SOURCES, broken_documents

from builder.load import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {CLAIMS: ROOT / "builder" / "claims.schema.json", SOURCES: ROOT / "builder" / "sources.schema.json"}
MODELINE = re.compile(r"# yaml-language-server: \$schema=(?P<path>\S+)")


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMAS[name].read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def loaded(root: Path, name: str) -> object:
    doc, problems = load_yaml(root / name, name)
    assert problems == [], [p.format() for p in problems]
    return doc.data


@pytest.mark.parametrize("root", [ROOT, MINI], ids=["project", "mini-fixture"])
@pytest.mark.parametrize("name", [CLAIMS, SOURCES])
def test_schema_accepts_the_files(root, name):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(loaded(root, name))]
    assert errors == []


SCHEMA_CASES = [case for case in CASES if case.schema]


def test_the_table_has_cases_for_both_schemas():
    assert {case.schema for case in SCHEMA_CASES} == {CLAIMS, SOURCES}


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=str)
def test_schema_rejects_the_bad_input(case, tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    case.breaks(root)
    errors = list(validator(case.schema).iter_errors(loaded(root, case.schema)))
    assert errors, f"{case.schema} passes its schema after {case.id}"


@pytest.mark.parametrize("case", [case for case in CASES if not case.schema], ids=str)
def test_schema_leaves_the_rest_to_the_loader_and_the_rules(case, tmp_path):
    """Bad inputs marked as not seen by a schema: either the loader refuses the file, or both
    files pass their schema and a rule of validate.py catches it."""
    for name, doc in broken_documents(case, tmp_path):
        assert list(validator(name).iter_errors(doc.data)) == [], f"{case.id}: {name} breaks its schema"


@pytest.mark.parametrize("root", [ROOT, MINI], ids=["project", "mini-fixture"])
@pytest.mark.parametrize("name", [CLAIMS, SOURCES])
def test_modeline_is_the_first_line_and_names_the_schema(root, name):
    first = (root / name).read_text(encoding="utf-8").split("\n", 1)[0]
    match = MODELINE.fullmatch(first)
    assert match, f"first line of {name}: {first!r}"
    # yaml-language-server resolves a relative $schema from the YAML file's own folder.
    assert ((root / name).parent / match["path"]).resolve() == SCHEMAS[name].resolve()
