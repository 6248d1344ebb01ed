"""Golden tests: small projects built by the builder, compared page by page with what they
generated when a person last read the output and found it right.

Each case is a folder tests/cases/<name>/ holding exactly what the builder reads
(claims.yaml, seeds/*.txt, seeds/sources.yaml, a small mkdocs.yml with a fixed site_url) and
expected/, every file the builder generates into content/ (Markdown pages, claimreview.json,
annotations.jsonld). The test copies the inputs to a temporary folder, runs
builder.pipeline.build there, and compares the set of files and each file's bytes; a failure
shows a unified diff per page.

- basic:  two claims, a source with every metadata field and one with none;
- tricky: Markdown- and HTML-special characters in a claim and in a source (`*`, `_`, `#`,
          `-`, `>`, `<`, `[`, `1.` and more at line starts), typographic apostrophes and
          quotes, no-break spaces, overlapping, nested and identical quotes, occurrence 2, a
          bundle of two articles, a claim with no claimant and no date;
- url:    a source with a url, so claim pages link to the original with text fragments.

After a deliberate change to the output, refresh the expected files with ONE command, then
read the diff before committing:

    .venv/bin/python tests/refresh_golden.py [case ...]

tests/test_roundtrip.py also builds these cases with MkDocs and checks the HTML.
"""

from __future__ import annotations

import difflib

import pytest
from refresh_golden import CASES, build_case, case_names, expected_files

from builder import pipeline

REFRESH = ".venv/bin/python tests/refresh_golden.py"
MAX_DIFF_LINES = 60


def _diff(name: str, expected: bytes, actual: bytes) -> str:
    try:
        lines = difflib.unified_diff(
            expected.decode().splitlines(keepends=True),
            actual.decode().splitlines(keepends=True),
            f"expected/{name}",
            f"generated/{name}",
        )
    except UnicodeDecodeError:
        return f"{name}: binary content differs\n"
    lines = list(lines)
    shown = "".join(lines[:MAX_DIFF_LINES])
    more = f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n" if len(lines) > MAX_DIFF_LINES else ""
    return shown + more


def compare(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """What differs, as readable reports (empty when identical)."""
    reports = []
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    if missing:
        reports.append("not generated any more: " + ", ".join(missing))
    if extra:
        reports.append("generated but not expected: " + ", ".join(extra))
    for name in sorted(set(expected) & set(actual)):
        if expected[name] != actual[name]:
            reports.append(_diff(name, expected[name], actual[name]))
    return reports


def test_there_are_cases():
    assert {"basic", "tricky", "url"} <= set(case_names())


@pytest.mark.parametrize("name", case_names())
def test_generated_pages_match_the_expected_ones(name, tmp_path):
    case = CASES / name
    expected = expected_files(case)
    assert expected, f"tests/cases/{name}/expected/ is empty: run {REFRESH} {name}"
    result, actual = build_case(case, tmp_path / name)
    assert result.report.lines(github=False) == [], "a golden case must build without any problem"
    reports = compare(expected, actual)
    if reports:
        pytest.fail(
            f"{len(reports)} difference(s) in case '{name}':\n\n"
            + "\n".join(reports)
            + f"\nIf the change is deliberate: {REFRESH} {name}, then review `git diff tests/cases`.",
            pytrace=False,
        )


@pytest.mark.parametrize("name", case_names())
def test_a_second_build_writes_nothing(name, tmp_path):
    """Same input, byte-identical output, and nothing rewritten (SPEC section 5)."""
    root = tmp_path / name
    first, files = build_case(CASES / name, root)
    assert first.written == sorted(files) and first.unchanged == []
    second = pipeline.build(root)
    assert (second.written, second.removed) == ([], [])
    assert sorted(second.unchanged) == sorted(files)


def test_the_cases_hold_what_they_are_for():
    """The golden files only prove something if the cases keep the situations they were
    written for: check them on the model, so that an edit to a case cannot quietly drop one."""
    tricky, report = pipeline.check(CASES / "tricky")
    assert tricky is not None, report.lines(github=False)
    spans = {
        e.anchor: (e.passage.start, e.passage.end)
        for c in tricky.claims
        for e in c.evidence
        if e.source.id == "texte-piege"
    }
    pairs = [(a, b) for a in spans.values() for b in spans.values() if a < b]
    assert any(a[0] < b[0] < a[1] < b[1] for a, b in pairs), "overlapping quotes"
    # a < b as tuples: b starts later and ends inside a, or both start together and a ends first
    assert any(a[0] < b[0] and b[1] <= a[1] or a[0] == b[0] and a[1] < b[1] for a, b in pairs), "nested quotes"
    assert len(set(spans.values())) < len(spans), "two claims citing the identical passage"
    evidence = {e.anchor: e for c in tricky.claims for e in c.evidence}
    typographic = evidence["c-accord-signe-1"]
    assert "\u00a0" in typographic.passage.text and "\u202f" in typographic.passage.text
    assert "’" in typographic.passage.text and "’" not in typographic.quote
    assert evidence["c-accord-signe-2"].occurrence == 2
    source = next(s for s in tricky.sources if s.id == "texte-piege")
    line_starts = {line[:2] for line in source.text.splitlines()}
    assert {"# ", "* ", "_p", "- ", "> ", "1.", "<b", "[p"} <= line_starts
    claim = next(c for c in tricky.claims if c.id == "accord-signe")
    assert claim.claimant is None and claim.claim_date is None
    assert set("*_<[#&") <= set(claim.claim)
    bundle = next(s for s in tricky.sources if s.id == "recueil-deux-articles")
    assert len(bundle.articles) == 2
    articles = {evidence[f"c-arrivee-mardi-{n}"].passage.article.title for n in (1, 2)}
    assert articles == {a.title for a in bundle.articles}

    url, report = pipeline.check(CASES / "url")
    assert url is not None, report.lines(github=False)
    assert any(s.url for s in url.sources) and any(not s.url for s in url.sources)
