"""Offline runner for the W3C Web Annotation Working Group's JSONtest suite.

The suite (``../shared/w3c-annotation-tests`` or ``$W3C_ANNOTATION_TESTS``) is the
peer our ``/annotations.jsonld`` export must satisfy.  Upstream runs it in a browser
(WPT ``annotation-model/scripts/JSONtest.js`` + Ajv); this module reproduces that
harness's semantics with ``jsonschema`` so the check runs in pytest, without network.

JSONtest format, as documented in WPT ``annotation-model/CONTRIBUTING.md`` and as
implemented by ``JSONtest.js``:

* a ``.test`` file is a JSON object whose ``assertions`` is an ordered list; an entry is
  a path to an assertion ``.json`` file (no slash: relative to the ``.test`` file's
  folder; with a slash: relative to the suite root), an inline assertion object, an
  object with ``assertionFile`` whose other keys override the loaded file's, a nested
  list, or a *condition object* (one with ``assertions`` and ``compareWith``
  ``and``/``or``).  ``skipFailures`` lists assertion types whose failures are ignored.
* an assertion is a JSON Schema draft-04 document plus ``assertionType``
  (``must``/``should``/``may``, default ``must``), ``expectedResult``
  (``valid``/``invalid``, default ``valid``), ``errorMessage`` and
  ``onUnexpectedResult`` (``fail|pass`` + ``AndContinue|AndSkip|AndAbort``, default
  ``failAndContinue``): *Skip* skips the rest of the current list, *Abort* the rest of
  the test.
* ``definitions/*.json`` are preloaded by the harness and ``$ref``-ed by their ``id``
  (``"annotations.json#/definitions/..."``), relative to the assertion's own ``id``.

Anything outside that vocabulary raises ``UnsupportedAssertion`` instead of being
guessed at: a silently misread assertion would make the suite pass vacuously.
"""

from __future__ import annotations

import calendar
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUITE_ENV_VAR = "W3C_ANNOTATION_TESTS"
DEFAULT_SUITE = PROJECT_ROOT.parent / "shared" / "w3c-annotation-tests"

ASSERTION_TYPES = ("must", "should", "may")
EXPECTED_RESULTS = ("valid", "invalid")
ON_UNEXPECTED = {f"{verdict}And{action}" for verdict in ("fail", "pass") for action in ("Continue", "Skip", "Abort")}


class SuiteMissing(RuntimeError):
    """The W3C suite is not where we look for it."""


class UnsupportedAssertion(ValueError):
    """A .test or assertion uses something outside the documented JSONtest vocabulary."""


def suite_dir() -> Path:
    """Locate the suite: $W3C_ANNOTATION_TESTS, else ../shared/w3c-annotation-tests.

    Raises SuiteMissing (with what to do) rather than returning None, so callers
    cannot quietly skip the conformance check.
    """
    configured = os.environ.get(SUITE_ENV_VAR)
    candidate = Path(configured) if configured else DEFAULT_SUITE
    marker = candidate / "annotations" / "annotationMusts.test"
    if not marker.is_file() or not (candidate / "definitions").is_dir():
        origin = f"${SUITE_ENV_VAR}" if configured else "the default location"
        raise SuiteMissing(
            f"W3C Web Annotation test suite not found at {candidate} ({origin}): "
            f"expected {marker.relative_to(candidate)} and definitions/. Check out "
            f"https://github.com/w3c/web-annotation-tests there, or set "
            f"{SUITE_ENV_VAR} to its path."
        )
    return candidate


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One assertion whose result was not the expected one."""

    assertion: str  # as the .test names it, e.g. "annotations/3.1-annotationIdValidated.json"
    message: str  # the assertion's errorMessage
    assertion_type: str = "must"
    details: tuple[str, ...] = ()  # validator errors, to tell *where* the document is wrong

    def __str__(self) -> str:
        text = f"[{self.assertion_type.upper()}] {self.assertion}: {self.message}"
        if self.details:
            text += "".join(f"\n    - {line}" for line in self.details)
        return text


@dataclass
class Report:
    failures: list[Failure] = field(default_factory=list)  # unmet MUSTs: non-conformance
    advisories: list[Failure] = field(default_factory=list)  # unmet should/may: information
    passed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # by a *AndSkip / *AndAbort action


def run_test(test_file: Path, annotation: Any) -> list[Failure]:
    """Failures of the MUST-level assertions of one .test file for one document."""
    return evaluate(test_file, annotation).failures


def evaluate(test_file: Path, annotation: Any) -> Report:
    """Run every assertion of ``test_file`` against ``annotation`` and sort the results."""
    test_file = Path(test_file).resolve()
    test = _load_json(test_file)
    return evaluate_assertions(
        test.get("assertions"),
        annotation,
        suite=_suite_root_of(test_file),
        test_dir=test_file.parent,
        skip_failures=test.get("skipFailures", ()),
    )


def evaluate_assertions(
    assertions: Any,
    document: Any,
    *,
    suite: Path,
    test_dir: Path | None = None,
    skip_failures: Any = (),
) -> Report:
    """Run an assertion list written in the JSONtest format, as a .test file would.

    For checks the local copy of the suite has definitions for but no .test file
    (collections): inline assertions can $ref the suite's definitions by id.
    """
    if not isinstance(assertions, list) or not assertions:
        raise UnsupportedAssertion("'assertions' must be a non-empty list")
    context = _Context(
        suite=suite,
        test_dir=test_dir or suite,
        skip_failures=frozenset(skip_failures),
        report=Report(),
    )
    _run_list(assertions, document, context)
    return context.report


# --- evaluation ----------------------------------------------------------------------


@dataclass
class _Context:
    suite: Path
    test_dir: Path
    skip_failures: frozenset[str]
    report: Report


@dataclass(frozen=True)
class _Assertion:
    name: str  # how the .test refers to it, for messages
    body: dict[str, Any]

    @property
    def assertion_type(self) -> str:
        # JSONtest.js lower-cases the type and defaults to "must".
        kind = str(self.body.get("assertionType", "must")).lower()
        if kind not in ASSERTION_TYPES:
            raise UnsupportedAssertion(f"{self.name}: assertionType {kind!r}")
        return kind

    @property
    def expected_valid(self) -> bool:
        expected = self.body.get("expectedResult", "valid")
        if expected not in EXPECTED_RESULTS:
            raise UnsupportedAssertion(f"{self.name}: expectedResult {expected!r}")
        return expected == "valid"

    @property
    def on_unexpected(self) -> str:
        action = self.body.get("onUnexpectedResult", "failAndContinue")
        if action not in ON_UNEXPECTED:
            raise UnsupportedAssertion(f"{self.name}: onUnexpectedResult {action!r}")
        return action

    @property
    def message(self) -> str:
        default = "Result was not " + ("valid" if self.expected_valid else "invalid")
        return self.body.get("errorMessage", default)


def _run_list(entries: list[Any], document: Any, context: _Context) -> str:
    """Evaluate a list in order and return the pending action: "continue", "skip"
    (the rest of *this* list is skipped) or "abort" (the rest of the test is)."""
    for index, entry in enumerate(entries):
        if isinstance(entry, list):
            if not entry:
                raise UnsupportedAssertion("nested assertion list is empty")
            action = _run_list(entry, document, context)
            action = "abort" if action == "abort" else "continue"  # a skip ends with its list
        else:
            assertion = _resolve(entry, context)
            ok = _outcome(assertion, document, context)
            _record(assertion, ok, document, context)
            action = "continue" if ok else _action_of(assertion.on_unexpected)
        if action != "continue":
            _mark_skipped(entries[index + 1 :], context)
            return action
    return "continue"


def _outcome(assertion: _Assertion, document: Any, context: _Context) -> bool:
    """True when the result is the expected one."""
    if "assertions" in assertion.body:
        return _condition_outcome(assertion, document, context)
    valid = _validator(assertion, context.suite).is_valid(document)
    return valid == assertion.expected_valid


def _condition_outcome(assertion: _Assertion, document: Any, context: _Context) -> bool:
    """A condition object aggregates its children with compareWith and/or.

    Only the aggregate is judged: reporting each child as its own failure (as the
    browser harness's display does) would make every "or" fail whenever one branch
    does, which defeats the point of "or".
    """
    compare = assertion.body.get("compareWith", "and")
    if compare not in ("and", "or"):
        raise UnsupportedAssertion(f"{assertion.name}: compareWith {compare!r}")
    children = assertion.body["assertions"]
    if not isinstance(children, list) or not children:
        raise UnsupportedAssertion(f"{assertion.name}: 'assertions' must be a non-empty list")
    results = [_entry_outcome(child, document, context) for child in children]
    combined = any(results) if compare == "or" else all(results)
    # expectedResult applies to the aggregate like to any other assertion.
    return combined == assertion.expected_valid


def _entry_outcome(entry: Any, document: Any, context: _Context) -> bool:
    if isinstance(entry, list):  # a nested list inside a condition: all must hold
        return all(_entry_outcome(item, document, context) for item in entry)
    return _outcome(_resolve(entry, context), document, context)


def _record(assertion: _Assertion, ok: bool, document: Any, context: _Context) -> None:
    report = context.report
    if ok:
        report.passed.append(assertion.name)
        return
    failure = Failure(
        assertion=assertion.name,
        message=assertion.message,
        assertion_type=assertion.assertion_type,
        details=_error_details(assertion, document, context.suite),
    )
    # Only an unmet MUST is non-conformance.  should/may, a type listed in the test's
    # skipFailures, or an assertion declaring "pass..." on an unexpected result are
    # reported as advisories instead of being dropped, so they stay visible.
    is_failure = (
        assertion.assertion_type == "must"
        and assertion.assertion_type not in context.skip_failures
        and assertion.on_unexpected.startswith("fail")
    )
    (report.failures if is_failure else report.advisories).append(failure)


def _mark_skipped(entries: list[Any], context: _Context) -> None:
    for entry in entries:
        if isinstance(entry, list):
            _mark_skipped(entry, context)
        else:
            context.report.skipped.append(_resolve(entry, context).name)


def _action_of(on_unexpected: str) -> str:
    return on_unexpected.split("And", 1)[1].lower()


def _error_details(assertion: _Assertion, document: Any, suite: Path) -> tuple[str, ...]:
    if "assertions" in assertion.body or not assertion.expected_valid:
        return ()  # nothing precise to say: the aggregate / an expected-invalid passed
    errors = _validator(assertion, suite).iter_errors(document)
    return tuple(
        f"at /{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))[:5]
    )


# --- loading -------------------------------------------------------------------------


def _resolve(entry: Any, context: _Context) -> _Assertion:
    """Turn a list entry (path, inline object, or assertionFile override) into an assertion."""
    if isinstance(entry, str):
        return _Assertion(entry, _load_json(_assertion_path(entry, context)))
    if isinstance(entry, dict) and "assertionFile" in entry:
        if "assertions" in entry:
            raise UnsupportedAssertion("a condition object may not have an assertionFile")
        name = entry["assertionFile"]
        loaded = dict(_load_json(_assertion_path(name, context)))
        loaded.update({k: v for k, v in entry.items() if k != "assertionFile"})
        return _Assertion(name, loaded)
    if isinstance(entry, dict):
        return _Assertion(entry.get("id") or entry.get("title", "inline assertion"), entry)
    raise UnsupportedAssertion(f"assertion list entry of type {type(entry).__name__}")


def _assertion_path(reference: str, context: _Context) -> Path:
    # Same rule as JSONtest.js _parseURI: no slash = next to the .test file, relative
    # with a slash = from the suite root.  Absolute URIs would need the network.
    if reference.startswith(("/", "http:", "https:")):
        raise UnsupportedAssertion(f"absolute assertion reference {reference!r}")
    base = context.suite if "/" in reference else context.test_dir
    return base / reference


def _suite_root_of(test_file: Path) -> Path:
    """The suite root is the nearest ancestor that holds definitions/."""
    for folder in test_file.parents:
        if (folder / "definitions").is_dir():
            return folder
    raise UnsupportedAssertion(f"{test_file} is not inside a suite with a definitions/ folder")


@cache
def _load_json_cached(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _load_json(path: Path) -> Any:
    # Callers may mutate what they get (assertionFile overrides): hand out a copy.
    return json.loads(json.dumps(_load_json_cached(path.resolve())))


def _schema_files(suite: Path) -> Iterator[Path]:
    for folder in ("definitions", "annotations"):
        yield from sorted((suite / folder).rglob("*.json"))


@cache
def registry_for(suite: Path) -> Registry:
    """Every schema of the suite keyed by its ``id``, so relative $refs resolve offline.

    Two assertion files share an id with different content (3.2.2-targType.json and
    3.3.3-targAudience.json exist in bodiesTargets/ and specificResource/).  Nothing
    $refs them, and each assertion is validated as the root resource under its own id,
    which overrides the registry entry; so a clash only matters if something refers
    to that id, and that case raises instead of resolving to the wrong file.
    """
    by_id: dict[str, list[Any]] = {}
    referenced: set[str] = set()
    for path in _schema_files(suite):
        contents = _load_json_cached(path.resolve())
        by_id.setdefault(contents["id"], []).append(contents)
        referenced.update(_referenced_documents(contents))
    resources = []
    for schema_id, variants in by_id.items():
        distinct = {json.dumps(v, sort_keys=True) for v in variants}
        if len(distinct) > 1:
            if schema_id in referenced:
                raise UnsupportedAssertion(f"$ref to ambiguous schema id {schema_id!r}")
            continue
        resources.append((schema_id, Resource.from_contents(variants[0], DRAFT4)))
    return Registry().with_resources(resources)


def _referenced_documents(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref.split("#", 1)[0]
        for value in node.values():
            yield from _referenced_documents(value)
    elif isinstance(node, list):
        for value in node:
            yield from _referenced_documents(value)


def _validator(assertion: _Assertion, suite: Path) -> Draft4Validator:
    # The JSONtest extension keys (assertionType, ...) are unknown keywords to draft-04
    # and are ignored by the validator, as Ajv ignores them upstream.
    return Draft4Validator(
        assertion.body,
        registry=registry_for(suite),
        format_checker=FORMAT_CHECKER,
    )


# --- formats -------------------------------------------------------------------------
# The suite relies on "uri" and "date-time"; upstream Ajv checks both by default, but
# jsonschema only checks them with optional extra packages that the project does not
# pin.  Without these checks "id": "not a uri" would pass, so they are written here.

FORMAT_CHECKER = FormatChecker(formats=())

# RFC 3986 URI: a scheme, then only characters a URI may contain (unreserved,
# reserved, percent-escapes).  A bare path or text with spaces is not a "uri".
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")

# RFC 3339 date-time; like Ajv's full check, the offset is required.
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))")


@FORMAT_CHECKER.checks("uri")
def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings (draft-04 section 7.1)
    return _URI.fullmatch(value) is not None


@FORMAT_CHECKER.checks("date-time")
def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = map(int, match.groups()[:6])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    offset_ok = match[7] is None or (int(match[7]) <= 23 and int(match[8]) <= 59)
    # second 60 is a leap second, which RFC 3339 allows.
    return hour <= 23 and minute <= 59 and second <= 60 and offset_ok
