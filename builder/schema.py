"""Check a loaded YAML file against its JSON Schema, in words an editor understands.

The schemas in this folder are the one statement of the format: editors' tools read them
(the yaml-language-server modeline at the top of each file) and so does this module, so
the completion in an editor and the errors of the build can never disagree.

Two validators read the same schema files. fastjsonschema compiles a schema to Python code
and only answers valid or not: at 10,000 claims it takes 0.2 s where jsonschema takes 3 s, so
a valid file (the usual case) costs little. Only when it rejects the file does jsonschema run,
for the located, worded problems. Both must agree exactly on what is valid, which
tests/test_schema_fast_path.py proves: `$` in a pattern and the `date` format below are where
they would otherwise differ.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import fastjsonschema

from builder.load import Document
from builder.problems import Problem

if TYPE_CHECKING:
    import jsonschema

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "null": "nothing",
}


def _read(name: str) -> dict:
    return json.loads(resources.files("builder").joinpath(name).read_text(encoding="utf-8"))


@cache
def schema(name: str) -> dict:
    return _read(name)


def _pattern(validator, pattern: str, instance: object, subschema: dict):
    # A JSON Schema pattern is an ECMA-262 regular expression, as editors' tools read it: `$` is
    # the end of the text. Python's `$` also matches before a final newline, which would let an
    # id end with one (and name a file `id\n.md`). fastjsonschema makes the same substitution.
    if validator.is_type(instance, "string") and not re.search(_python_pattern(pattern), instance):
        import jsonschema

        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _python_pattern(pattern: str) -> str:
    return re.sub(r"(?<!\\)\$", r"\\Z", pattern)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_date(text: str) -> bool:
    # jsonschema's rule for the `date` format (fullmatch of that regex, then date.fromisoformat).
    # fastjsonschema's own regex differs: it takes year 0000, which Python's dates do not have.
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


FAST_FORMATS = {"date": _is_date}
"""Every `format` the schemas use, for fastjsonschema (a format it does not know, it ignores)."""


@cache
def _fast_validator(name: str):
    # A fresh copy of the schema: fastjsonschema rewrites the `$ref`s of the dict it compiles.
    # use_default=False: it would otherwise fill in `default` values, changing the data.
    return fastjsonschema.compile(_read(name), formats=FAST_FORMATS, use_default=False, detailed_exceptions=False)


def is_valid(data: object, name: str) -> bool:
    """Whether `data` passes the schema `name` (the fast validator alone)."""
    try:
        _fast_validator(name)(data)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@cache
def _validator(name: str) -> jsonschema.Draft7Validator:
    # Importing jsonschema costs about 40 ms, and only a file with problems needs it.
    import jsonschema

    draft7 = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
    return draft7(schema(name), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def check(doc: Document, name: str) -> list[Problem]:
    """Every way the document departs from the schema `name`, located."""
    problems: list[Problem] = []
    doc.invalid = set()
    if is_valid(doc.data, name):
        return problems
    for error in _validator(name).iter_errors(doc.data):
        problems += _explain(doc, error)
        doc.invalid.add(tuple(error.absolute_path))
    # jsonschema reports `required` once per missing field, and each report names them all.
    return list(dict.fromkeys(problems))


def error_paths(doc: Document, name: str) -> set[tuple]:
    """Paths of the values that break the schema (to skip them in later checks); validating a
    large file is costly, so a document is only validated once."""
    if doc.invalid is None:
        check(doc, name)
    return doc.invalid


def _field(path: tuple) -> str:
    names = [str(p) for p in path if isinstance(p, str)]
    return names[-1] if names else "the file"


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    path = tuple(error.absolute_path)
    here = doc.where(path)
    field = _field(path)
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    kind = error.validator

    if kind == "required":
        described = error.schema.get("properties", {})
        missing = [name for name in error.validator_value if name not in error.instance]
        return [
            Problem(
                here,
                f"missing required field '{name}'",
                hint=f"add `{name}:` to this entry" + _described(described.get(name)),
            )
            for name in missing
        ]
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        problems = []
        for name in sorted(set(error.instance) - set(known)):
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
            problems.append(Problem(doc.where((*path, name), key=True), f"unknown field '{name}'", hint=hint))
        return problems
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return [Problem(here, f"{_shown(error.instance)} is not allowed for '{field}'", hint=f"use one of: {allowed}")]
    if kind == "type":
        expected = _TYPE_NAMES.get(error.validator_value, error.validator_value)
        found = _TYPE_NAMES.get(_json_type(error.instance), "something else")
        # How to fix the type comes first; the field's own rule (`custom`) says what else it needs.
        hint = "\n".join(part for part in (_quote_hint(error.instance, expected), custom) if part)
        return [Problem(here, f"'{field}' must be {expected}, not {found}", hint=hint)]
    if kind == "format" and error.validator_value == "date":
        return [
            Problem(
                here,
                f"impossible date {_shown(error.instance)} for '{field}'",
                hint="check the day and the month (YYYY-MM-DD)",
            )
        ]
    if kind == "minItems":
        return [Problem(here, f"'{field}' needs at least {error.validator_value} item(s)")]
    if kind == "uniqueItems":
        return [Problem(here, f"'{field}' lists the same value twice", hint="remove the repeated value")]
    if kind in ("minLength",) and error.validator_value == 1:
        return [Problem(here, f"'{field}' is empty", hint="write a value or remove the field")]
    if kind in ("maxLength", "minLength", "minimum", "maximum"):
        limit = {
            "maxLength": "at most {} characters",
            "minLength": "at least {} characters",
            "minimum": "at least {}",
            "maximum": "at most {}",
        }[kind].format(error.validator_value)
        return [Problem(here, f"'{field}' must be {limit}", hint=custom or "")]
    if kind == "pattern":
        return [
            Problem(
                here,
                f"invalid '{field}': {_shown(error.instance)}",
                hint=custom or f"it must match {error.validator_value}",
            )
        ]
    return [Problem(here, f"invalid '{field}': {error.message}", hint=custom or "")]


def _described(subschema: dict | None) -> str:
    if not subschema or "description" not in subschema:
        return ""
    return f" ({subschema['description']})"


def _json_type(value: object) -> str:
    for name, kinds in (
        ("null", type(None)),
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
    ):
        if isinstance(value, kinds):
            return name
    return "unknown"


def _quote_hint(value: object, expected: str) -> str:
    if expected == "text" and isinstance(value, (bool, int, float)):
        return 'put the value in double quotes, e.g. "no" or "1984", so YAML reads it as text'
    if expected == "text" and value is None:
        return "write a value after the colon, or remove the field"
    return ""
