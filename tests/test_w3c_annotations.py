"""/annotations.jsonld against the W3C Web Annotation WG's own test suite (SPEC section 6).

Three layers, each able to fail on its own:
1. the runner (tests/w3c_annotations.py) follows the JSONtest semantics;
2. the runner agrees with the suite's own correct / incorrect samples;
3. our export, built from a temporary copy of the project, passes the suite's MUSTs, the
   collection rules of model section 5, and the SPEC's own requirements (selectors that
   really point into the source file, ids under site_url).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urljoin, urlsplit

import pytest
import w3c_annotations as w3c
import yaml
from helpers import copy_project
from w3c_annotations import (
    PROJECT_ROOT,
    Failure,
    SuiteMissing,
    UnsupportedAssertion,
    evaluate,
    evaluate_assertions,
    is_date_time,
    is_uri,
    run_test,
    suite_dir,
)

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MUSTS = "annotations/annotationMusts.test"
OPTIONALS = ("annotations/annotationOptionals.test", "annotations/annotationsAgentOptionals.test")


@pytest.fixture(scope="session")
def suite() -> Path:
    # A missing suite must fail the run, not skip it: a skipped conformance check
    # looks exactly like a passing one in a CI summary.
    try:
        return suite_dir()
    except SuiteMissing as exc:
        pytest.fail(str(exc), pytrace=False)


def _names(failures: list[Failure]) -> set[str]:
    return {Path(failure.assertion).name for failure in failures}


def _describe(failures: list[Failure]) -> str:
    return "\n".join(str(failure) for failure in failures) or "(none)"


# =====================================================================================
# 1. The runner itself
# =====================================================================================


def _inline(schema: dict, **jsontest_keys) -> dict:
    return {"$schema": "http://json-schema.org/draft-04/schema#", **jsontest_keys, **schema}


HAS_ID = {"type": "object", "required": ["id"]}
HAS_TYPE = {"type": "object", "required": ["type"]}


def test_expected_result_invalid_inverts_the_schema_result(suite):
    assertions = [_inline(HAS_ID, id="no-id-expected", expectedResult="invalid")]
    assert evaluate_assertions(assertions, {}, suite=suite).failures == []
    failing = evaluate_assertions(assertions, {"id": "x"}, suite=suite).failures
    assert [f.assertion for f in failing] == ["no-id-expected"]


def test_should_and_may_are_advisories_not_failures(suite):
    assertions = [
        _inline(HAS_ID, id="should-id", assertionType="should"),
        _inline(HAS_TYPE, id="may-type", assertionType="MAY"),  # JSONtest.js lower-cases
    ]
    report = evaluate_assertions(assertions, {}, suite=suite)
    assert report.failures == []
    assert [(a.assertion, a.assertion_type) for a in report.advisories] == [
        ("should-id", "should"),
        ("may-type", "may"),
    ]


def test_skip_failures_downgrades_listed_types(suite):
    assertions = [_inline(HAS_ID, id="must-id")]
    report = evaluate_assertions(assertions, {}, suite=suite, skip_failures=["must"])
    assert report.failures == [] and _names(report.advisories) == {"must-id"}


def test_skip_stops_the_current_list_only_and_abort_stops_everything(suite):
    skip = _inline(HAS_ID, id="gate", onUnexpectedResult="failAndSkip")
    nested = [[skip, _inline(HAS_TYPE, id="skipped")], _inline(HAS_TYPE, id="after-list")]
    report = evaluate_assertions(nested, {}, suite=suite)
    assert _names(report.failures) == {"gate", "after-list"}
    assert report.skipped == ["skipped"]

    abort = _inline(HAS_ID, id="gate", onUnexpectedResult="failAndAbort")
    report = evaluate_assertions([[abort, _inline(HAS_TYPE, id="a")], _inline(HAS_TYPE, id="b")], {}, suite=suite)
    assert _names(report.failures) == {"gate"} and report.skipped == ["a", "b"]


def test_pass_and_continue_reports_but_does_not_fail(suite):
    report = evaluate_assertions([_inline(HAS_ID, id="lenient", onUnexpectedResult="passAndContinue")], {}, suite=suite)
    assert report.failures == [] and _names(report.advisories) == {"lenient"}


@pytest.mark.parametrize(
    ("compare", "document", "fails"),
    [
        ("or", {"id": "x"}, False),
        ("or", {}, True),
        ("and", {"id": "x"}, True),
        ("and", {"id": "x", "type": "t"}, False),
    ],
)
def test_condition_object_combines_children(suite, compare, document, fails):
    condition = {
        "id": "cond",
        "title": "cond",
        "compareWith": compare,
        "assertions": [_inline(HAS_ID), _inline(HAS_TYPE)],
    }
    report = evaluate_assertions([condition], document, suite=suite)
    assert bool(report.failures) is fails
    # Children are judged only through the aggregate (see _condition_outcome).
    assert _names(report.failures) <= {"cond"}


def test_assertion_file_entry_is_loaded_and_overridden(suite):
    override = {"assertionFile": "annotations/3.1-annotationTypeValidated.json", "expectedResult": "invalid"}
    report = evaluate_assertions([override], {"type": "Annotation"}, suite=suite)
    assert [f.assertion for f in report.failures] == ["annotations/3.1-annotationTypeValidated.json"]


@pytest.mark.parametrize(
    "entry",
    [
        _inline(HAS_ID, assertionType="must-ish"),
        _inline(HAS_ID, expectedResult="maybe"),
        _inline(HAS_ID, onUnexpectedResult="failAndPanic"),
        {"title": "c", "compareWith": "xor", "assertions": [_inline(HAS_ID)]},
        "http://example.org/remote.json",
        42,
    ],
)
def test_unknown_vocabulary_is_refused_not_guessed(suite, entry):
    with pytest.raises(UnsupportedAssertion):
        evaluate_assertions([entry], {}, suite=suite)


def test_relative_refs_resolve_offline_through_the_registry(suite):
    # annotations.json#/... is only reachable through the registry (no network).
    schema = _inline({"$ref": "annotations.json#/definitions/contextValueFound"}, id="x.json")
    assert evaluate_assertions([schema], ANNO_CONTEXT, suite=suite).failures == []
    assert evaluate_assertions([schema], "http://example.org/other", suite=suite).failures


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("http://example.org/anno1", True),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", True),
        ("https://example.org/a%20b?q=1#frag", True),
        ("not a uri", False),
        ("/relative/path", False),
        ("https://example.org/caf\u00e9", False),  # an IRI must be percent-encoded to be a "uri"
        ("http://example.org/a b", False),
    ],
)
def test_uri_format(value, ok):
    assert is_uri(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2015-01-28T12:00:00Z", True),
        ("2016-02-29T23:59:60.5+01:00", True),
        ("2015-01-28T12:00:00", False),  # RFC 3339 requires the offset
        ("2015-02-29T12:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_date_time_format(value, ok):
    assert is_date_time(value) is ok


def test_suite_dir_honours_the_environment_and_explains_a_missing_suite(monkeypatch, tmp_path, suite):
    monkeypatch.setenv(w3c.SUITE_ENV_VAR, str(suite))
    assert suite_dir() == suite
    monkeypatch.setenv(w3c.SUITE_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(SuiteMissing, match=re.escape(str(tmp_path / "nowhere"))):
        suite_dir()


def test_default_suite_location_is_next_to_the_project():
    assert w3c.DEFAULT_SUITE == PROJECT_ROOT.parent / "shared" / "w3c-annotation-tests"


# =====================================================================================
# 2. The suite's own samples
# =====================================================================================


def _sample_names(kind: str, *, annotations: bool | None = None) -> list:
    """Sample file names, read at collection time; a placeholder if the suite is missing
    (the `suite` fixture then fails the test with the explanation)."""
    try:
        folder = suite_dir() / "tools" / "samples" / kind
    except SuiteMissing:
        return [pytest.param("missing", id="suite-missing")]
    names = []
    for path in sorted(
        folder.glob("*.json"), key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)]
    ):
        if annotations is not None:
            is_annotation = json.loads(path.read_text(encoding="utf-8")).get("type") == "Annotation"
            if is_annotation is not annotations:
                continue
        names.append(path.name)
    return names


def _load_sample(suite: Path, kind: str, name: str):
    return json.loads((suite / "tools" / "samples" / kind / name).read_text(encoding="utf-8"))


def _lenient_json(text: str):
    """Several incorrect samples carry a trailing comma, which is not JSON.  The browser
    harness stops at "Parse of JSON failed"; to also check the defect each sample is
    *about*, parse them with the trailing commas removed."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


# Composite, List and Independents were at-risk features that the Working Group dropped
# before the Recommendation; the suite's definitions follow the Recommendation
# (definitions/choiceSet.json accepts only "Choice"), but samples anno11-13 (also
# embedded in collection1.json) still use them.  For those we expect exactly that one
# failure, so that any other failure on them still shows up.
DROPPED_TARGET_TYPES = {"Composite", "List", "Independents"}


def _expected_sample_failures(annotation: dict) -> set[str]:
    target = annotation.get("target")
    if isinstance(target, dict) and target.get("type") in DROPPED_TARGET_TYPES:
        return {"3.2-targetObjectsRecognized.json"}
    return set()


@pytest.mark.parametrize("name", _sample_names("correct", annotations=True))
def test_correct_annotation_sample_passes_the_musts(suite, name):
    annotation = _load_sample(suite, "correct", name)
    failures = run_test(suite / MUSTS, annotation)
    assert _names(failures) == _expected_sample_failures(annotation), _describe(failures)


def test_only_the_three_stale_samples_use_dropped_target_types(suite):
    stale = {
        name
        for name in _sample_names("correct", annotations=True)
        if _expected_sample_failures(_load_sample(suite, "correct", name))
    }
    assert stale == {"anno11.json", "anno12.json", "anno13.json"}


@pytest.mark.parametrize("name", _sample_names("correct", annotations=False))
def test_correct_collection_and_page_samples_are_well_formed(suite, name):
    # Not annotations: annotationMusts does not apply to them as a whole (type is
    # AnnotationCollection / AnnotationPage); the collection rules and, for embedded
    # annotations, annotationMusts do.
    document = _load_sample(suite, "correct", name)
    problems = [str(f) for f in _collection_or_page_problems(suite, document)]
    for item in _embedded_items(document):
        failures = run_test(suite / MUSTS, _standalone(item, document))
        if _names(failures) != _expected_sample_failures(item):
            problems.append(f"item {item.get('id')}:\n{_describe(failures)}")
    assert problems == [], "\n".join(problems)


# What each incorrect sample's label says is wrong, and the assertion(s) that must
# catch it.  Level "must": caught by annotationMusts.  Level "optional": the defect is
# only checked by the optional tests (the model does not make it a MUST), so the sample
# fails annotationMusts only through its incidental "id": [two ids]; we then check that
# the optional assertion flags the defect and stops flagging it once the defect is fixed.
INCORRECT = {
    "anno1.json": ("not JSON", "parse", None),
    "anno2.json": (
        "empty object",
        "must",
        {
            "3.1-annotationContextValidated.json",
            "3.1-annotationIdValidated.json",
            "3.1-annotationTypeValidated.json",
            "3.1-targetKeyFound.json",
        },
    ),
    "anno3.json": ("no context", "must", {"3.1-annotationContextValidated.json"}),
    "anno4.json": ("bad context", "must", {"3.1-annotationContextValidated.json"}),
    "anno5.json": ("bad context", "must", {"3.1-annotationContextValidated.json"}),
    "anno6.json": ("bad id", "must", {"3.1-annotationIdValidated.json"}),
    "anno7.json": ("multiple identifiers", "must", {"3.1-annotationIdValidated.json"}),
    "anno8.json": ("no type", "must", {"3.1-annotationTypeValidated.json"}),
    "anno9.json": ("bad type", "must", {"3.1-annotationTypeValidated.json"}),
    "anno10.json": ("no target", "must", {"3.1-targetKeyFound.json"}),
    "anno11.json": ("bad target", "must", {"3.2-targetObjectsRecognized.json"}),
    "anno12.json": ("bad body", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno13.json": ("bad body id", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno14.json": ("bad format", "optional", ({"3.2.1-bodyFormat.json"}, ("body", "format"), "text/plain")),
    # The "bad language" sits under a misspelt key ("langauage"), and the model allows
    # extra keys: nothing can flag it.  The sample is incorrect only through its id array.
    "anno15.json": ("bad language (misspelt key)", "none", None),
    "anno16.json": ("bad text direction", "must", {"3.2.1-bodyTextDirectionValidated.json"}),
    "anno17.json": ("no value for textual body", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno18.json": ("bad value for textual body", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno19.json": ("body and bodyValue", "must", {"3.2.5-notBodyBodyValue.json"}),
    "anno20.json": ("bad bodyValue", "must", {"3.2.5-bodyValueValidated.json"}),
    "anno21.json": ("bad bodyValue", "must", {"3.2.5-bodyValueValidated.json"}),
    "anno22.json": ("too many composite types", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno23.json": (
        "too many processing languages",
        "optional",
        ({"3.2.1-bodyProcessingLanguage.json"}, ("body", "processingLanguage"), "en"),
    ),
    "anno24.json": ("bad text direction", "must", {"3.2.1-bodyTextDirectionValidated.json"}),
    "anno25.json": ("uninterpretable body", "must", {"3.2-bodyObjectsRecognized.json"}),
    "anno26.json": (
        "bad creator",
        "optional",
        ({"3.3.1-annotationCreatorImplemented.json"}, ("creator",), "http://example.org/user1"),
    ),
    "anno27.json": (
        "bad generator",
        "optional",
        ({"3.3.1-annotationGeneratorImplemented.json"}, ("generator",), "http://example.org/client1"),
    ),
    "anno28.json": ("bad created", "must", {"3.3.1-annotationCreatedValidated.json"}),
    "anno29.json": ("bad modified", "must", {"3.3.1-annotationModifiedValidated.json"}),
    "anno30.json": ("bad generated", "must", {"3.3.1-annotationGeneratedValidated.json"}),
    "anno31.json": ("several modified", "must", {"3.3.1-annotationModifiedValidated.json"}),
    "anno32.json": ("several created", "must", {"3.3.1-annotationCreatedValidated.json"}),
    "anno33.json": ("several generated", "must", {"3.3.1-annotationGeneratedValidated.json"}),
    "anno34.json": ("bad rights", "must", {"3.3.6-annotationRightsValidated.json"}),
    "anno35.json": ("bad via", "must", {"3.3.7-annotationViaValidated.json"}),
    "anno36.json": ("bad canonical", "must", {"3.3.7-annotationCanonicalValidated.json"}),
    "anno37.json": ("no source for specific resource", "must", {"3.2-targetObjectsRecognized.json"}),
    "anno38.json": ("no value for fragment selector", "must", {"4.2-fragmentCssXPathSelectorValid.json"}),
    "anno39.json": ("multiple values for fragment selector", "must", {"4.2-fragmentCssXPathSelectorValid.json"}),
}


def test_every_incorrect_sample_has_a_stated_defect(suite):
    on_disk = {p.name for p in (suite / "tools" / "samples" / "incorrect").glob("*.json")}
    assert on_disk == set(INCORRECT)


@pytest.mark.parametrize("name", _sample_names("incorrect"))
def test_incorrect_sample_fails_the_musts(suite, name):
    text = (suite / "tools" / "samples" / "incorrect" / name).read_text(encoding="utf-8")
    try:
        annotation = _lenient_json(text)
    except json.JSONDecodeError:
        assert INCORRECT[name][1] == "parse", f"{name} is unexpectedly not JSON"
        return  # the harness fails it at "Parse of JSON failed", which is its point
    assert run_test(suite / MUSTS, annotation), f"{name} ({INCORRECT[name][0]}) passed annotationMusts"


@pytest.mark.parametrize("name", _sample_names("incorrect"))
def test_incorrect_sample_is_caught_for_its_stated_defect(suite, name):
    label, level, expected = INCORRECT[name]
    text = (suite / "tools" / "samples" / "incorrect" / name).read_text(encoding="utf-8")
    if level == "parse":
        with pytest.raises(json.JSONDecodeError):
            _lenient_json(text)
        return
    annotation = _lenient_json(text)
    if level != "must" or "3.1-annotationIdValidated.json" not in expected:
        annotation = _without_incidental_id_array(annotation)
    failures = run_test(suite / MUSTS, annotation)
    if level == "must":
        assert expected <= _names(failures), f"{name} ({label}) not caught by {expected}:\n{_describe(failures)}"
    elif level == "optional":
        assertions, key_path, good_value = expected
        assert failures == [], _describe(failures)
        fixed = copy.deepcopy(annotation)
        _set(fixed, key_path, good_value)
        assert assertions <= _optional_misses(suite, annotation), f"{name} ({label}) not flagged"
        assert not assertions & _optional_misses(suite, fixed), f"{name}: still flagged once fixed"
    else:  # "none": nothing left to catch once the id array is gone (see INCORRECT)
        assert failures == [], _describe(failures)


def _without_incidental_id_array(annotation: dict) -> dict:
    # Most incorrect samples were written with "id": [two ids], itself a MUST violation;
    # keeping one id isolates the defect the sample is labelled with.
    if isinstance(annotation.get("id"), list):
        annotation = {**annotation, "id": annotation["id"][0]}
    return annotation


def _set(document: dict, key_path: tuple, value) -> None:
    for key in key_path[:-1]:
        document = document[key]
    document[key_path[-1]] = value


def _optional_misses(suite: Path, annotation: dict) -> set[str]:
    misses = set()
    for test in OPTIONALS:
        report = evaluate(suite / test, annotation)
        misses |= _names(report.advisories + report.failures)
    return misses


# =====================================================================================
# Collections (model section 5)
# =====================================================================================
# The local copy of the suite has definitions/collections.json but no collection .test
# file (upstream WPT later added collections/collectionMusts.test and
# collections/pages/pageMusts.test).  These inline JSONtest assertions state the MUSTs of
# model 5.1 / 5.2 with the suite's own definitions, and run through the same runner.


def _must(name: str, message: str, schema: dict) -> dict:
    return {
        "id": name,
        "assertionType": "must",
        "expectedResult": "valid",
        "onUnexpectedResult": "failAndContinue",
        "errorMessage": message,
        **schema,
    }


def _ref(definition: str) -> dict:
    return {"allOf": [{"$ref": definition}]}


CONTEXT = {
    "type": "object",
    "required": ["@context"],
    "properties": {
        "@context": {
            "oneOf": [
                {"$ref": "collections.json#/definitions/contextValueFound"},
                {"$ref": "collections.json#/definitions/contextValueInArrayFound"},
            ]
        }
    },
}

COLLECTION_MUSTS = [
    _must("5.1-collectionContext", f"Collection @context is missing or does not include {ANNO_CONTEXT}.", CONTEXT),
    _must(
        "5.1-collectionId",
        "Collection MUST have exactly one id of format uri.",
        _ref("id.json#/definitions/idValueFound"),
    ),
    _must(
        "5.1-collectionType",
        "Collection type MUST include AnnotationCollection.",
        _ref("collections.json#/definitions/annotationCollectionTypeValueFound"),
    ),
    _must(
        "5.1-collectionLabel",
        "Collection label values MUST be strings.",
        _ref("collections.json#/definitions/labelDefinition"),
    ),
    _must(
        "5.1-collectionTotal",
        "Collection total MUST be one non-negative integer.",
        _ref("collections.json#/definitions/totalDefinition"),
    ),
    _must(
        "5.1-collectionFirst",
        "Collection first MUST be one page (IRI or AnnotationPage).",
        _ref("collections.json#/definitions/firstValidIfPresent"),
    ),
    _must(
        "5.1-collectionFirstIfAny",
        "Collection with annotations (total > 0) MUST have a first page.",
        _ref("collections.json#/definitions/firstRequiredIfTotalMoreThanZero"),
    ),
    _must(
        "5.1-collectionLast",
        "Collection last MUST be one IRI.",
        _ref("collections.json#/definitions/lastValidIfPresent"),
    ),
]

PAGE_MUSTS = [
    _must("5.2-pageId", "Page MUST have exactly one id of format uri.", _ref("id.json#/definitions/idValueFound")),
    _must(
        "5.2-pageType",
        "Page type MUST include AnnotationPage.",
        _ref("collections.json#/definitions/annotationPageTypeValueFound"),
    ),
    _must(
        "5.2-pageItems",
        "Page MUST have items: annotations or their IRIs.",
        _ref("collections.json#/definitions/itemsFound"),
    ),
    _must(
        "5.2-pageStartIndex",
        "Page startIndex MUST be one non-negative integer.",
        _ref("collections.json#/definitions/startIndexDefinition"),
    ),
    _must("5.2-pagePartOf", "Page partOf MUST be one IRI.", _ref("collections.json#/definitions/partOfValidIfPresent")),
    _must("5.2-pageNext", "Page next MUST be one IRI.", _ref("collections.json#/definitions/nextValidIfPresent")),
    _must("5.2-pagePrev", "Page prev MUST be one IRI.", _ref("collections.json#/definitions/prevValidIfPresent")),
]


def _types(node: dict) -> list:
    kind = node.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def _collection_or_page_problems(suite: Path, document: dict) -> list:
    """Failures of the section 5 MUSTs for a collection (and its embedded first page) or a page."""
    if "AnnotationCollection" in _types(document):
        problems = list(evaluate_assertions(COLLECTION_MUSTS, document, suite=suite).failures)
        first = document.get("first")
        if isinstance(first, dict):  # an embedded page; its @context is the collection's
            problems += evaluate_assertions(PAGE_MUSTS, first, suite=suite).failures
        return problems
    problems = list(evaluate_assertions([COLLECTION_MUSTS[0], *PAGE_MUSTS], document, suite=suite).failures)
    return problems


def _embedded_items(document: dict) -> list[dict]:
    page = document.get("first") if "AnnotationCollection" in _types(document) else document
    if not isinstance(page, dict):
        return []
    return [item for item in page.get("items", []) if isinstance(item, dict)]


def _standalone(item: dict, container: dict) -> dict:
    # Embedded annotations do not repeat @context (model examples 41-43): the
    # container's context is in scope.  annotationMusts checks a standalone annotation,
    # so give it the context it is read with, without overriding one of its own.
    if "@context" in item or "@context" not in container:
        return item
    return {"@context": container["@context"], **item}


def test_collection_rules_reject_a_broken_collection(suite):
    good = _load_sample(suite, "correct", "collection1.json")
    assert _collection_or_page_problems(suite, good) == []
    broken = {**good, "total": -1, "first": {**good["first"], "items": "none"}}
    del broken["first"]["id"]
    assert {f.assertion for f in _collection_or_page_problems(suite, broken)} >= {
        "5.1-collectionTotal",
        "5.2-pageId",
        "5.2-pageItems",
    }
    no_first = {k: v for k, v in good.items() if k != "first"}
    assert {f.assertion for f in _collection_or_page_problems(suite, no_first)} == {"5.1-collectionFirstIfAny"}


# =====================================================================================
# 3. Our export
# =====================================================================================

BUILDER_CLI = PROJECT_ROOT / "builder" / "cli.py"
BUILD_TIMEOUT = 600


# A GitHub Pages project site is served under a sub-path, and the deploy workflow sets
# SITE_URL (mkdocs.yml: site_url: !ENV [SITE_URL, ...]).  Building with such an address
# checks that every id keeps the sub-path.
BUILD_ENV = {"SITE_URL": "https://verif.example.org/kim-poutine/"}


def _read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _read_mkdocs_config(path: Path) -> dict:
    # MkDocs' own loader, under the environment the build ran with, so that !ENV
    # resolves exactly as it did for the builder.
    from mkdocs.utils.yaml import yaml_load

    with patch.dict(os.environ, BUILD_ENV), open(path, encoding="utf-8") as file:
        return yaml_load(file) or {}


class Export:
    """The built annotations.jsonld plus what is needed to judge it."""

    def __init__(self, root: Path):
        self.root = root
        self.collection = json.loads((root / "content" / "annotations.jsonld").read_text(encoding="utf-8"))
        site_url = _read_mkdocs_config(root / "mkdocs.yml").get("site_url")
        self.site_url = site_url if not site_url or site_url.endswith("/") else site_url + "/"
        self.claims = (_read_yaml(root / "claims.yaml") or {}).get("claims", [])
        sources = (_read_yaml(root / "seeds" / "sources.yaml") or {}).get("sources", [])
        self.source_files = {s["id"]: root / "seeds" / s["file"] for s in sources}

    @property
    def items(self) -> list:
        first = self.collection.get("first")
        return first.get("items", []) if isinstance(first, dict) else []

    def annotations(self) -> list[dict]:
        return [item for item in self.items if isinstance(item, dict)]

    def source_text(self, source_url: str) -> tuple[str | None, str]:
        """The source file's text for a source page URL, or None and why not."""
        sid = _source_id(self.site_url, source_url)
        if sid is None:
            return None, f"source {source_url!r} is not a /sources/<id>/ page under {self.site_url}"
        if sid not in self.source_files:
            return None, f"source page {source_url!r} names no source of seeds/sources.yaml"
        # Offsets count code points of the file as stored: decode the bytes, with no
        # newline translation (read_text would turn \r\n into \n and shift offsets).
        return self.source_files[sid].read_bytes().decode("utf-8"), ""


def _source_id(site_url: str, url: str) -> str | None:
    if not isinstance(url, str) or not site_url or not url.startswith(site_url):
        return None
    match = re.fullmatch(r"sources/([a-z0-9-]+)/", url[len(site_url) :])
    return match[1] if match else None


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Export:
    if not BUILDER_CLI.is_file():
        pytest.fail(
            f"the builder CLI ({BUILDER_CLI.relative_to(PROJECT_ROOT)}) does not exist yet: "
            "cannot build annotations.jsonld",
            pytrace=False,
        )
    root = tmp_path_factory.mktemp("project")
    copy_project(root)
    # cwd is the copy so that a build that ignored --root could not touch the real
    # project; PYTHONPATH makes the package under test importable from there.
    python_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **BUILD_ENV, "PYTHONPATH": python_path}
    result = subprocess.run(
        # --root is an option of the program, before the command (builder/cli.py).
        [sys.executable, "-m", "builder", "--root", str(root), "build"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`python -m builder build` exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    output = root / "content" / "annotations.jsonld"
    if not output.is_file():
        pytest.fail(
            f"the build succeeded but wrote no content/annotations.jsonld\n{result.stdout[-2000:]}", pytrace=False
        )
    return Export(root)


def _label(annotation: dict) -> str:
    return str(annotation.get("id", "<annotation without id>"))


def _selectors(annotation: dict, kind: str) -> list[dict]:
    target = annotation.get("target")
    selector = target.get("selector", []) if isinstance(target, dict) else []
    selectors = selector if isinstance(selector, list) else [selector]
    return [s for s in selectors if isinstance(s, dict) and s.get("type") == kind]


def _bodies(annotation: dict) -> list:
    body = annotation.get("body", [])
    return body if isinstance(body, list) else [body]


# --- (a) annotationMusts, with the optional results in the message -----------------


def test_export_has_one_annotation_per_piece_of_evidence(export):
    evidence = sum(len(claim.get("evidence", [])) for claim in export.claims)
    assert evidence > 0, "claims.yaml has no evidence: nothing to check"
    counts = (len(export.items), len(export.annotations()), evidence)
    assert counts[0] == counts[1] == counts[2], (
        "items / embedded annotations / evidence in claims.yaml: {} / {} / {}".format(*counts)
    )


def test_every_exported_annotation_passes_annotation_musts(export, suite):
    failing: dict[str, list[Failure]] = {}
    for item in export.annotations():
        failures = run_test(suite / MUSTS, _standalone(item, export.collection))
        if failures:
            failing[_label(item)] = failures
    if failing:
        first = next(item for item in export.annotations() if _label(item) in failing)
        pytest.fail(
            f"{len(failing)} of {len(export.items)} annotations fail annotationMusts:\n"
            + _grouped(failing)
            + "\n\nOptional tests, for the first failing annotation:\n"
            + _optional_summary(suite, _standalone(first, export.collection)),
            pytrace=False,
        )


def _grouped(failing: dict[str, list[Failure]]) -> str:
    """One paragraph per distinct failure, naming the annotations that share it: a
    systematic export bug then reads as one line, not as one per annotation."""
    groups: dict[str, list[str]] = {}
    examples: dict[str, Failure] = {}
    for label, failures in failing.items():
        for failure in failures:
            groups.setdefault(failure.assertion, []).append(label)
            examples.setdefault(failure.assertion, failure)
    return "\n".join(
        f"{examples[name]}\n    on {len(labels)} annotation(s): "
        f"{', '.join(labels[:5])}{' ...' if len(labels) > 5 else ''}"
        for name, labels in groups.items()
    )


def _optional_summary(suite: Path, annotation: dict) -> str:
    lines = []
    for test in OPTIONALS:
        report = evaluate(suite / test, annotation)
        missed = report.advisories + report.failures
        should = sorted(Path(f.assertion).name for f in missed if f.assertion_type == "should")
        lines.append(
            f"  {Path(test).name}: {len(report.passed)} met, {len(missed)} not met"
            f"{'; SHOULDs not met: ' + ', '.join(should) if should else ''}"
        )
    return "\n".join(lines)


# Optional in the model, required by SPEC section 6 (motivation, a purpose on the
# stance body, a SpecificResource target with both selectors): the suite's optional
# assertions for them must hold for every annotation.
SPEC_REQUIRED_OPTIONALS = {
    "3.3.5-annotationMotivationImplemented.json",
    "3.3.5-bodyPurpose.json",
    "3.2.4-bodyETBTypeTextualBody.json",
    "4-targSpecificResource.json",
    "4.2-selectorFound.json",
    "4.2.4-textQuoteSelector.json",
    "4.2.4-prefix.json",
    "4.2.4-suffix.json",
    "4.2.5-textPositionSelector.json",
}


def test_spec_required_optional_features_are_implemented(export, suite):
    problems = []
    for item in export.annotations():
        missing = SPEC_REQUIRED_OPTIONALS & _optional_misses(suite, _standalone(item, export.collection))
        if missing:
            problems.append(f"{_label(item)}: {', '.join(sorted(missing))}")
    assert problems == [], "optional assertions that SPEC section 6 requires are not met:\n" + "\n".join(problems)


def test_annotations_assess_and_link_their_claim(export):
    claim_ids = {claim["id"] for claim in export.claims}
    problems = []
    for item in export.annotations():
        if item.get("motivation") != "assessing":
            problems.append(f"{_label(item)}: motivation is {item.get('motivation')!r}, not 'assessing'")
        bodies = _bodies(item)
        stance = [
            b
            for b in bodies
            if isinstance(b, dict)
            and "TextualBody" in _types(b)
            and "assessing" in (b.get("purpose") if isinstance(b.get("purpose"), list) else [b.get("purpose")])
            and isinstance(b.get("value"), str)
            and b["value"].strip()
        ]
        if not stance:
            problems.append(f"{_label(item)}: no TextualBody with purpose 'assessing' stating the stance")
        links = {_linked_iri(b) for b in bodies} - {None}
        claim_links = {link for link in links if _claim_id(export.site_url, link) in claim_ids}
        if len(claim_links) != 1:
            problems.append(
                f"{_label(item)}: expected one body linking a claim page /claims/<id>/, found {sorted(map(str, links))}"
            )
    assert problems == [], "\n".join(problems)


def _linked_iri(body) -> str | None:
    """The IRI a body links to: a bare IRI, an external resource's id, or the source of
    a SpecificResource (the model's way to give a linked resource a purpose)."""
    if isinstance(body, str):
        return body
    if not isinstance(body, dict) or "value" in body:
        return None
    return body.get("source") if "SpecificResource" in _types(body) else body.get("id")


def _claim_id(site_url: str, url) -> str | None:
    if not isinstance(url, str) or not site_url or not url.startswith(site_url):
        return None
    match = re.fullmatch(r"claims/([a-z0-9-]+)/", url[len(site_url) :])
    return match[1] if match else None


# --- (b) the collection ---------------------------------------------------------------


def test_export_collection_meets_model_section_5(export, suite):
    collection = export.collection
    problems = [str(f) for f in _collection_or_page_problems(suite, collection)]
    if collection.get("@context") != ANNO_CONTEXT:
        problems.append(f"@context is {collection.get('@context')!r}, SPEC fixes {ANNO_CONTEXT!r}")
    if not isinstance(collection.get("first"), dict):
        problems.append("first is not an embedded AnnotationPage (SPEC: first = a page with items)")
    if not isinstance(collection.get("label"), str) or not collection.get("label", "").strip():
        problems.append("label is missing or empty")
    first = collection.get("first") if isinstance(collection.get("first"), dict) else {}
    if "next" not in first and collection.get("total") != len(export.items):
        # With a single page, total counts exactly the page's items.
        problems.append(f"total is {collection.get('total')!r} but the only page has {len(export.items)} items")
    assert problems == [], "\n".join(problems)


# --- (c) the selectors point into the source file --------------------------------------


def selector_problems(annotation: dict, text: str) -> list[str]:
    """Where the annotation's selectors disagree with the source text (code points)."""
    quotes, positions = _selectors(annotation, "TextQuoteSelector"), _selectors(annotation, "TextPositionSelector")
    if len(quotes) != 1 or len(positions) != 1:
        return [
            f"expected one TextQuoteSelector and one TextPositionSelector, found {len(quotes)} and {len(positions)}"
        ]
    quote, position = quotes[0], positions[0]
    start, end = position.get("start"), position.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        return [f"start/end {start!r}/{end!r} do not fit a text of {len(text)} code points"]
    problems = []
    exact, prefix, suffix = quote.get("exact"), quote.get("prefix"), quote.get("suffix")
    if text[start:end] != exact:
        problems.append(f"text[{start}:{end}] is {text[start:end][:80]!r}, exact is {str(exact)[:80]!r}")
    for key, value in (("prefix", prefix), ("suffix", suffix)):
        if not isinstance(value, str):
            problems.append(f"{key} is missing or not a string")
    if isinstance(prefix, str) and text[max(0, start - len(prefix)) : start] != prefix:
        problems.append(
            f"prefix {prefix!r} is not the text before {start}: {text[max(0, start - len(prefix)) : start]!r}"
        )
    if isinstance(suffix, str) and text[end : end + len(suffix)] != suffix:
        problems.append(f"suffix {suffix!r} is not the text after {end}: {text[end : end + len(suffix)]!r}")
    return problems


def quote_resolution_problem(annotation: dict, text: str) -> str | None:
    """A client without the position selector anchors the first prefix+exact+suffix
    match; it must land where the position selector points."""
    quote = (_selectors(annotation, "TextQuoteSelector") or [{}])[0]
    position = (_selectors(annotation, "TextPositionSelector") or [{}])[0]
    prefix, exact, suffix = (quote.get(k) for k in ("prefix", "exact", "suffix"))
    if not all(isinstance(v, str) for v in (prefix, exact, suffix)) or not isinstance(position.get("start"), int):
        return None  # reported by selector_problems
    found = text.find(prefix + exact + suffix)
    if found == -1:
        return "prefix+exact+suffix does not occur in the source text"
    if found + len(prefix) != position["start"]:
        return (
            f"the quote selector first matches at {found + len(prefix)}, the position selector says {position['start']}"
        )
    return None


def _selector_report(export: Export, check) -> list[str]:
    problems = []
    for item in export.annotations():
        target = item.get("target")
        source = target.get("source") if isinstance(target, dict) else None
        text, why = export.source_text(source)
        if text is None:
            problems.append(f"{_label(item)}: {why}")
            continue
        found = check(item, text)
        for problem in [found] if isinstance(found, str) else (found or []):
            problems.append(f"{_label(item)}: {problem}")
    return problems


def test_position_selectors_slice_the_source_file_to_the_quote(export):
    problems = _selector_report(export, selector_problems)
    assert problems == [], f"{len(problems)} selector problem(s):\n" + "\n".join(problems)


def test_quote_selectors_resolve_to_the_same_passage(export):
    problems = _selector_report(export, quote_resolution_problem)
    assert problems == [], "\n".join(problems)


def test_selector_checks_catch_wrong_offsets():
    # The checks above must be able to fail: a shifted range, a wrong prefix, and
    # offsets counted in UTF-8 bytes instead of code points are all reported.
    text = "Le Kremlin a dit\u00a0: aucun accord. Puis\u00a0: aucun accord signé."
    start = text.index("aucun accord signé")
    good = {
        "target": {
            "selector": [
                {"type": "TextQuoteSelector", "exact": "aucun accord signé", "prefix": "Puis\u00a0: ", "suffix": "."},
                {"type": "TextPositionSelector", "start": start, "end": start + len("aucun accord signé")},
            ]
        }
    }
    assert selector_problems(good, text) == [] and quote_resolution_problem(good, text) is None
    shifted = copy.deepcopy(good)
    shifted["target"]["selector"][1].update(start=start + 1, end=start + 19)
    assert selector_problems(shifted, text)
    bytes_offsets = copy.deepcopy(good)
    byte_start = len(text[:start].encode("utf-8"))
    bytes_offsets["target"]["selector"][1].update(start=byte_start, end=byte_start + len("aucun accord signé".encode()))
    assert selector_problems(bytes_offsets, text)
    wrong_prefix = copy.deepcopy(good)
    wrong_prefix["target"]["selector"][0]["prefix"] = "Puis : "  # plain space, the text has U+00A0
    assert selector_problems(wrong_prefix, text)
    ambiguous = copy.deepcopy(good)
    ambiguous["target"]["selector"][0].update(exact="aucun accord", prefix="", suffix="")
    ambiguous["target"]["selector"][1].update(end=start + len("aucun accord"))
    assert quote_resolution_problem(ambiguous, text)


# --- (d) ids ----------------------------------------------------------------------------


def test_ids_are_unique_absolute_iris_under_site_url(export):
    assert export.site_url, "mkdocs.yml has no site_url: absolute ids cannot be checked"
    collection = export.collection
    first = collection.get("first") if isinstance(collection.get("first"), dict) else {}
    ids = [collection.get("id"), first.get("id"), *(item.get("id") for item in export.annotations())]
    problems = [
        f"{value!r} is not an absolute IRI under {export.site_url}"
        for value in ids
        if not (isinstance(value, str) and is_uri(value) and value.startswith(export.site_url))
    ]
    problems += [f"{value!r} is used {count} times" for value, count in Counter(map(str, ids)).items() if count > 1]
    expected = urljoin(export.site_url, "annotations.jsonld")
    if collection.get("id") != expected:
        problems.append(f"collection id is {collection.get('id')!r}, expected {expected!r}")
    assert problems == [], "\n".join(problems)


def test_sources_are_source_pages_on_this_site(export):
    problems = []
    for item in export.annotations():
        target = item.get("target") if isinstance(item.get("target"), dict) else {}
        if "SpecificResource" not in _types(target):
            problems.append(f"{_label(item)}: target type is {target.get('type')!r}")
        source = target.get("source")
        if _source_id(export.site_url, source) not in export.source_files:
            problems.append(f"{_label(item)}: source {source!r} is not /sources/<id>/ of a known source")
        elif urlsplit(source).scheme not in ("http", "https"):
            problems.append(f"{_label(item)}: source {source!r} is not an http(s) URL")
    assert problems == [], "\n".join(problems)
