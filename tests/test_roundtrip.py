"""Round trip through MkDocs: what the reader finds on the built pages is what the sources and
claims.yaml say (SPEC sections 4-5). Marked `slow`: it runs `mkdocs build --strict`.

Built once per test session (one per xdist worker): the real project, copied to a temporary
folder (so no build touches the working tree's content/ or site/) and built with
`mkdocs build --strict` and a fixed SITE_URL; the builder runs through the project's own MkDocs
hook. The golden cases of tests/cases/ are built too (builder, then MkDocs), because they
hold what the five real sources do not: Markdown- and HTML-special characters at every line
start, overlapping, nested and identical quotes.

Expectations come from claims.yaml and the source files, read here with PyYAML and matched
with this module's own small reading of the quote rules (NFC, white-space runs, typographic
apostrophes and quotes), not from the builder's model, so a builder bug cannot vouch for itself.

Source text on the page. The text of `.source-text` is compared with the source file three
ways, each a separate assertion so a failure says which kind of damage it is:
1. all white space removed: no visible character lost, added or changed (Markdown eating a
   `*` or `_`, an entity decoded, a `<` taken for a tag);
2. white-space runs collapsed to one space: no two words glued together or one split;
3. exactly, after the one rewrite the HTML standard makes to any page (CR and CRLF read as
   LF): the page shows the text with CSS `white-space: pre-wrap`, so its line breaks and
   blank lines are content, and a template adding or eating a newline is a visible change.

Quotes on claim pages are compared whitespace-collapsed (a quote is shown on one line); the
highlighted passage on the source page exactly.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from refresh_golden import CASES, PROJECT, case_names, copy_inputs
from selectolax.lexbor import LexborHTMLParser

from builder import pipeline

pytestmark = pytest.mark.slow

SITE_URL = "https://verif.example.org/"
PROJECT_INPUTS = ("claims.yaml", "mkdocs.yml", "seeds", "content", "builder", "overrides")
"""What `mkdocs build` reads in the project: its config, the builder's inputs, the hook (in
builder/), the hand-written pages and the theme overrides."""

# --- building ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    root: Path
    """The copy that was built: claims.yaml and seeds/ are read from here."""
    site: Path


def _mkdocs(root: Path, site: Path) -> None:
    env = {**os.environ, "SITE_URL": SITE_URL, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed in {root}:\n{done.stdout}\n{done.stderr}"


@functools.cache
def build_real_site(base: Path) -> Built:
    """The real project, built once per process: base is the session's temporary folder."""
    root = base / "real-project"
    root.mkdir()
    for name in PROJECT_INPUTS:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", ".tmp-build-*"))
        else:
            shutil.copy2(source, root / name)
    _mkdocs(root, root / "site")
    return Built(root, root / "site")


@functools.cache
def build_case_site(base: Path, name: str) -> Built:
    root = copy_inputs(CASES / name, base / f"case-{name}")
    result = pipeline.build(root)
    assert not result.report.errors, result.report.lines(github=False)
    _mkdocs(root, root / "site")
    return Built(root, root / "site")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Built:
    return build_real_site(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session", params=["real", *case_names()])
def site(request, tmp_path_factory) -> Built:
    """Every built site this module checks: the real project, then each golden case."""
    base = tmp_path_factory.getbasetemp()
    return build_real_site(base) if request.param == "real" else build_case_site(base, request.param)


# --- reading the inputs and the pages ------------------------------------------------------


def load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as file:
        return yaml.safe_load(file)


def sources_of(root: Path) -> dict[str, dict]:
    return {s["id"]: s for s in load_yaml(root / "seeds" / "sources.yaml")["sources"]}


def claims_of(root: Path) -> list[dict]:
    return load_yaml(root / "claims.yaml")["claims"]


def source_text(root: Path, source: dict) -> str:
    return (root / "seeds" / source["file"]).read_bytes().decode("utf-8")


@functools.cache
def page(path: Path) -> LexborHTMLParser:
    assert path.is_file(), f"no page {path}"
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def page_file(site: Path, url_path: str) -> Path:
    """The file a directory URL of the site is served from."""
    return site / unquote(url_path).strip("/") / "index.html"


def collapse(text: str) -> str:
    return " ".join(text.split())


def browser_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- the quote rules, read independently of the builder ------------------------------------

_PLAIN = str.maketrans({"’": "'", "‘": "'", "‛": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"'})


def _normalized_with_positions(text: str) -> tuple[str, list[int]]:
    """The text normalized per SPEC section 4, with each character's offset in `text`.

    Only for NFC text, where normalization never merges characters (checked by the caller)."""
    out, where, in_run = [], [], False
    for i, char in enumerate(text):
        if char.isspace():
            if not in_run:
                out.append(" ")
                where.append(i)
            in_run = True
            continue
        in_run = False
        out.append(char.translate(_PLAIN))
        where.append(i)
    return "".join(out), where


def expected_passage(text: str, quote: str, occurrence: int | None) -> tuple[int, int]:
    """[start, end) in the source file of the quote's occurrence."""
    assert unicodedata.is_normalized("NFC", text), "the reference reading handles NFC sources only"
    normalized, where = _normalized_with_positions(text)
    wanted = " ".join(unicodedata.normalize("NFC", quote).translate(_PLAIN).split())
    starts = [m.start() for m in re.finditer(f"(?={re.escape(wanted)})", normalized)]
    n = (occurrence or 1) - 1
    assert n < len(starts), f"quote {quote!r} stands {len(starts)} time(s), occurrence {n + 1} asked"
    start = starts[n]
    return where[start], where[start + len(wanted) - 1] + 1


@dataclass(frozen=True)
class Quote:
    claim: str
    number: int
    source: str
    stance: str
    start: int
    end: int
    passage: str

    @property
    def anchor(self) -> str:
        return f"c-{self.claim}-{self.number}"


def quotes_of(root: Path) -> list[Quote]:
    sources = sources_of(root)
    out = []
    for claim in claims_of(root):
        for number, evidence in enumerate(claim["evidence"], 1):
            text = source_text(root, sources[evidence["source"]])
            start, end = expected_passage(text, evidence["quote"], evidence.get("occurrence"))
            out.append(Quote(claim["id"], number, evidence["source"], evidence["stance"], start, end, text[start:end]))
    return out


def text_and_marks(container) -> tuple[str, dict[str, int], dict[str, str]]:
    """The text of an element, where each element with an id starts in it, and for each
    data-citation the concatenated text of the marks that carry it."""
    text, starts, cited = [], {}, {}
    length = 0
    for node in container.traverse(include_text=True):
        if node.tag == "-text":
            piece = node.text_content or ""
            text.append(piece)
            length += len(piece)
            for mark in _ancestor_marks(node, container):
                cited[mark] = cited.get(mark, "") + piece
        elif node.tag != "-comment" and "id" in node.attributes:
            starts[node.attributes["id"]] = length
    return "".join(text), starts, cited


def _ancestor_marks(node, container) -> list[str]:
    marks, parent = [], node.parent
    while parent is not None and parent != container:
        if parent.tag == "mark" and parent.attributes.get("data-citation"):
            marks.append(parent.attributes["data-citation"])
        parent = parent.parent
    return marks


def first_difference(expected: str, actual: str) -> str:
    pairs = enumerate(zip(expected, actual, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(expected), len(actual)))
    return (
        f"first difference at {at} (lengths {len(expected)} and {len(actual)}):\n"
        f"  file: {expected[max(at - 40, 0) : at + 40]!r}\n  page: {actual[max(at - 40, 0) : at + 40]!r}"
    )


# --- source pages ----------------------------------------------------------------------------


def test_source_pages_show_the_whole_source_text(site):
    for sid, source in sources_of(site.root).items():
        tree = page(page_file(site.site, f"sources/{sid}/"))
        containers = tree.css(".source-text")
        assert len(containers) == 1, f"{sid}: {len(containers)} .source-text elements"
        shown, _, _ = text_and_marks(containers[0])
        assert shown == containers[0].text(deep=True)
        original = source_text(site.root, source)
        no_space = re.compile(r"\s+")
        assert no_space.sub("", shown) == no_space.sub("", original), f"{sid}: characters differ\n" + first_difference(
            no_space.sub("", original), no_space.sub("", shown)
        )
        assert collapse(shown) == collapse(original), f"{sid}: word boundaries differ\n" + first_difference(
            collapse(original), collapse(shown)
        )
        assert shown == browser_newlines(original), f"{sid}: white space differs\n" + first_difference(
            browser_newlines(original), shown
        )


def test_every_cited_passage_is_highlighted_where_it_stands(site):
    quotes = quotes_of(site.root)
    for sid, source in sources_of(site.root).items():
        tree = page(page_file(site.site, f"sources/{sid}/"))
        _, starts, cited = text_and_marks(tree.css_first(".source-text"))
        expected = {q.anchor: q for q in quotes if q.source == sid}
        mark_ids = {m.attributes["id"] for m in tree.css(".source-text mark[id]")}
        assert mark_ids == set(expected), f"{sid}: highlighted passages"
        assert set(cited) == set(expected)
        text = source_text(site.root, source)
        for anchor, quote in expected.items():
            marks = tree.css(f'[id="{anchor}"]')
            assert len(marks) == 1, f"{anchor}: {len(marks)} elements with this id"
            assert marks[0].tag == "mark" and "citation" in marks[0].attributes.get("class", "").split()
            assert cited[anchor] == browser_newlines(quote.passage), anchor
            # The mark starts where the asked occurrence stands, not at another one.
            assert starts[anchor] == len(browser_newlines(text[: quote.start])), anchor


def test_every_highlight_links_back_to_its_claim(site):
    for quote in quotes_of(site.root):
        tree = page(page_file(site.site, f"sources/{quote.source}/"))
        links = [a.attributes["href"] for a in tree.css(".source-text a.cited-by")]
        target = f"../../claims/{quote.claim}/#preuve-{quote.number}"
        assert links.count(target) == 1, f"{quote.anchor}: back-link {target}"
        url = urlsplit(urljoin(f"sources/{quote.source}/", target))
        claim_page = page(page_file(site.site, url.path))
        assert len(claim_page.css(f'[id="{url.fragment}"]')) == 1


# --- claim pages ------------------------------------------------------------------------------


def test_every_quote_is_shown_on_its_claim_page_and_links_to_its_highlight(site):
    for quote in quotes_of(site.root):
        tree = page(page_file(site.site, f"claims/{quote.claim}/"))
        blocks = tree.css(f'blockquote[id="preuve-{quote.number}"]')
        assert len(blocks) == 1, f"claims/{quote.claim}/: {len(blocks)} blockquotes #preuve-{quote.number}"
        block = blocks[0]
        assert {"evidence", f"evidence--{quote.stance}"} <= set(block.attributes["class"].split())
        shown = collapse(block.css_first(".evidence__quote").text(deep=True))
        # The passage, whole; guillemets around it are the template's typography, if any.
        assert shown in (collapse(quote.passage), f"« {collapse(quote.passage)} »"), quote.anchor
        links = block.css("a.evidence-link")
        assert len(links) == 1, f"{quote.anchor}: {len(links)} evidence links"
        link = links[0]
        url = urlsplit(urljoin(f"claims/{quote.claim}/", link.attributes["href"]))
        assert url.path == f"sources/{quote.source}/" and url.fragment == quote.anchor
        source_page = page(page_file(site.site, url.path))
        targets = source_page.css(f'[id="{url.fragment}"]')
        assert [t.tag for t in targets] == ["mark"], f"{quote.anchor}: the link's target"
        pieces = source_page.css(f'.source-text mark[data-citation="{url.fragment}"]')
        assert "".join(p.text(deep=True) for p in pieces) == browser_newlines(quote.passage), quote.anchor


def test_claim_pages_hold_exactly_their_evidence(site):
    for claim in claims_of(site.root):
        tree = page(page_file(site.site, f"claims/{claim['id']}/"))
        blocks = tree.css("blockquote.evidence")
        numbers = range(1, len(claim["evidence"]) + 1)
        assert sorted(b.attributes["id"] for b in blocks) == sorted(f"preuve-{n}" for n in numbers)
