"""Fuzzing: whatever the editors' files hold, the builder builds safe pages or says where it went wrong.

Properties, over claims files and source texts that hypothesis writes (tests/strategies.py):
- the builder either succeeds or reports problems located in the file (`file:line:col: error:`);
  it never raises, and the command line never prints a traceback or exits other than 0 or 1;
- a successful build shows every text field as text: the pages (rendered as MkDocs renders them)
  hold no element or attribute that the real project's pages do not, outside the Markdown fields,
  and the Markdown fields only what their allowlist permits;
- a source text in any Unicode is shown whole, and its quotes highlighted.

`make test` runs a fixed budget with a fixed seed (the "ci" profile: 270 examples, about 30 s,
no shrinking). The long run draws 40 times as many examples from a random seed and shrinks what
fails (about 30 minutes; pytest's 300 s timeout is lifted for it):

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py -o timeout=0 \
        --hypothesis-show-statistics
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from strategies import (
    CLAIMS,
    FILE_LEVEL,
    LOCATED,
    SOURCES,
    broken_claims_file,
    broken_sources_file,
    claims_with_hostile_lines,
    claims_with_hostile_markdown,
    load,
    make_project,
    markdown_overreach,
    outside_markdown,
    page_html,
    page_renderer,
    problem_lines,
    run_cli,
    save,
    source_and_quote,
    words,
)

from builder.normalize import normalize
from builder.pipeline import build, check

# The falsifying example of a whole claims file is long: print it all the same.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"ci": 1, "long": 40}.get(PROFILE, 1)


def fuzz(examples: int) -> settings:
    """Settings for one property: `examples` in `make test`, SCALE times more in a long run.

    `make test` does not shrink a failing example: with a build per example, shrinking takes
    minutes. The long run does, to report the smallest input that fails."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=PROFILE != "long",
        phases=list(Phase) if PROFILE == "long" else [Phase.explicit, Phase.reuse, Phase.generate],
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@contextmanager
def project():
    # A fresh copy per example: hypothesis runs many examples in one test call.
    with tempfile.TemporaryDirectory() as folder:
        yield make_project(Path(folder) / "project")


KNOWN_FILES = re.compile(r"claims\.yaml|seeds/[^/]+|content/.+")
FILE_LEVEL_MESSAGES = (
    "file too large",
    "cannot read the file",
    "is not a regular file",
    "is in a folder that is a link",
    "a hand-written page stands where a generated page goes",
)


def assert_located(lines: list[str]) -> None:
    """Every problem names its file, and its line and column unless it is about the whole file."""
    for line in lines:
        located = LOCATED.match(line)
        if located:
            assert KNOWN_FILES.fullmatch(located["file"]), line
            continue
        whole = FILE_LEVEL.match(line)
        assert whole and KNOWN_FILES.fullmatch(whole["file"]), f"problem without a place: {line!r}"
        assert any(m in line for m in FILE_LEVEL_MESSAGES), f"problem without a line: {line!r}"


def check_or_build(root: Path) -> list[str]:
    """Check the project; when it is valid, build it. The problems printed, one line each."""
    _, report = check(root)
    lines = problem_lines("\n".join(report.lines(github=False)))
    assert_located(lines)
    event("refused" if report.errors else "built")
    if not report.errors:
        result = build(root)
        assert not result.report.errors, result.report.lines(github=False)
        assert result.written, "a valid project built nothing"
    return lines


# --- broken files: located problems, never an exception ------------------------------------


@fuzz(100)
@given(broken_claims_file())
def test_a_broken_claims_file_is_reported_in_place(data):
    with project() as root:
        (root / CLAIMS).write_bytes(data)
        check_or_build(root)


@fuzz(50)
@given(broken_sources_file())
def test_a_broken_sources_file_is_reported_in_place(data):
    with project() as root:
        (root / SOURCES).write_bytes(data)
        check_or_build(root)


@fuzz(10)
@given(st.one_of(broken_claims_file(), broken_sources_file().map(lambda data: (SOURCES, data))))
def test_the_command_line_exits_0_or_1_and_never_shows_a_traceback(case):
    name, data = case if isinstance(case, tuple) else (CLAIMS, case)
    with project() as root:
        (root / name).write_bytes(data)
        done = run_cli(root, "build", timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    if done.returncode == 1:
        lines = problem_lines(done.stderr)
        assert lines[-1].startswith("build failed, nothing written: "), done.stderr
        assert_located(lines[:-1])
    else:
        assert done.stdout.startswith("built: "), done.stdout


# --- hostile text in a valid project: shown as text, nothing added ---------------------------

RENDERER = page_renderer()


@pytest.fixture(scope="module")
def baseline() -> dict[str, set]:
    """The shape of each page of the real project, Markdown fields left out."""
    with project() as root:
        result = build(root)
        assert not result.report.errors
        return {name: outside_markdown(shown(root, name)) for name in result.written if name.endswith(".md")}


def shown(root: Path, name: str):
    return page_html(RENDERER, (root / "content" / name).read_text(encoding="utf-8"))


def heading(page) -> str:
    """The text of the page's h1, without the permalink sign the toc extension adds."""
    for link in page.css("h1 a.headerlink"):
        link.decompose()
    return page.css_first("h1").text()


def generated_pages(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root / "content").as_posix()
        for p in (root / "content").rglob("*.md")
        if p.read_text(encoding="utf-8").startswith("---\n# Generated")
    )


@fuzz(40)
@given(claims_with_hostile_lines())
def test_hostile_one_line_texts_are_shown_as_text(baseline, case):
    claims, sources = case
    with project() as root:
        save(root, claims)
        save(root, sources, SOURCES)
        result = build(root)
        assert not result.report.errors, result.report.lines(github=False)
        assert sorted(baseline) == generated_pages(root)
        for name, expected in baseline.items():
            extra = outside_markdown(shown(root, name)) - expected
            assert not extra, f"{name}: {extra}"
        for claim in claims["claims"]:
            page = shown(root, f"claims/{claim['id']}.md")
            assert words(heading(page)) == words(claim["claim"])
            assert words(claim.get("claimant", "auteur inconnu")) in words(page.css_first(".claim-meta").text())
        for rating in claims["ratings"]:
            page = shown(root, f"verdicts/{rating['id']}.md")
            assert words(page.css_first("span.verdict").text()) == words(rating["label"])
        for topic in claims["topics"]:
            assert words(heading(shown(root, f"topics/{topic['id']}.md"))) == words(f"Thème : {topic['label']}")
        for source in sources["sources"]:
            page = shown(root, f"sources/{source['id']}.md")
            if "title" in source:
                assert words(heading(page)) == words(source["title"])
            for key in ("publisher", "author"):
                if key in source:
                    assert words(source[key]) in words(page.css_first("dl.source-meta").text())
            for article in source.get("articles", []):
                assert words(article["title"]) in words(page.text())


@fuzz(40)
@given(claims_with_hostile_markdown())
def test_hostile_markdown_gives_only_what_its_allowlist_permits(baseline, claims):
    with project() as root:
        save(root, claims)
        result = build(root)
        lines = problem_lines("\n".join(result.report.lines(github=False)))
        assert_located(lines)
        event("refused" if result.report.errors else "built")
        if result.report.errors:
            for problem in result.report.errors:  # only what Markdown fields can be refused for
                event("refused: " + problem.message.split("'")[0])
                assert re.search(r"link|images are not allowed|nested more than|'\['", problem.message), problem
            return
        for name, expected in baseline.items():
            extra = outside_markdown(shown(root, name)) - expected
            assert not extra, f"{name}: {extra}"
            assert not markdown_overreach(shown(root, name)), name


# --- any source text ----------------------------------------------------------------------

_HTML_NEWLINES = re.compile(r"\r\n?")


def as_shown(text: str) -> str:
    """A text as a browser shows it from our HTML: an HTML parser turns CR LF and CR into LF and
    drops NUL, and Python-Markdown removes the STX and ETX characters it reserves. (A byte order
    mark opening a file is an encoding mark, not text: the builder drops it when it reads the file.)"""
    text = text.removeprefix("\ufeff")
    return _HTML_NEWLINES.sub("\n", text).replace("\x00", "").replace("\x02", "").replace("\x03", "")


SENTENCE = "Le dirigeant nord-coréen poursuit sa visite ce vendredi en Russie."


@fuzz(40)
@given(source_and_quote())
# Found by the long run: Python-Markdown expands tabs and empties lines of spaces.
@example((f"Titre\tà\ttabulations\n   \n{SENTENCE} </script>\t", f"{SENTENCE} </script>"))
@example((f"\r\n\x00<b>«\u00a0{SENTENCE}\u00a0»</b>\r  \n \t \n*x*", f"{SENTENCE}\u00a0»</b>"))
@example((f"\ufeff {SENTENCE}", SENTENCE))
def test_any_source_text_is_shown_whole_with_its_quote_highlighted(case):
    text, quote = case
    with project() as root:
        (root / "seeds" / "fuzz.txt").write_bytes(text.encode("utf-8"))
        sources = load(root, SOURCES)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        sources["sources"].append({"id": "fuzz", "file": "fuzz.txt", "sha256": digest})
        save(root, sources, SOURCES)
        claims = load(root, CLAIMS)
        claims["claims"][0]["evidence"].append({"source": "fuzz", "quote": quote, "stance": "context"})
        save(root, claims)
        result = build(root)
        assert not result.report.errors, "\n".join(result.report.lines(github=False))
        page = page_html(RENDERER, (root / "content" / "sources" / "fuzz.md").read_text(encoding="utf-8"))
        shown = page.css_first("div.source-text")
        assert shown.text() == as_shown(text)
        number = len(claims["claims"][0]["evidence"])
        mark = page.css_first(f"mark#c-{claims['claims'][0]['id']}-{number}")
        assert words(normalize(mark.text())) == words(normalize(as_shown(quote)))
