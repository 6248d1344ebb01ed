"""The highlighter (builder/highlight.py): examples, then properties over any text and spans.

For any text (any code point but lone surrogates, weighted towards what Markdown and HTML
treat specially) and any set of non-empty spans (overlapping, nested, identical, adjacent;
drawn from a few shared cut points so that those cases are common), with back-links after
each span and article markers at offsets inside the text, the HTML read back by a parser:
- has, as its text content, exactly the input text;
- is well formed: every element closed, in order (marks never cross);
- has each span's anchor as an id exactly once, on a mark that begins at the span's start;
- for each span X, the text of all the marks with data-citation=X, concatenated in document
  order, is text[start:end]; a mark holds the text of exactly the spans that cover it;
- places each article marker at its offset.

Two parsers read it back: the standard library's html.parser, which changes nothing, and
lexbor (selectolax), which parses as browsers do and so drops NUL, as the HTML standard says
(the expected text is adjusted for that rule only). Browsers also fold CR and CRLF into LF,
before they see any tag, so a CRLF cut by a mark would read as two line breaks: no passage
starts or ends on white space, so the lexbor property draws texts without CR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from builder.highlight import Highlight, highlight

SPECIAL = tuple("*_#->< [](){}!`\\|.1&;\"'’«»\u00a0\u202f\n\r\t\x00") + (
    "&amp;",
    "&lt;",
    "<b>",
    "</mark>",
    "1. ",
    "\n- ",
    "\n# ",
    "\n> ",
    "-->",
    "<!--",
    "<![CDATA[",
    "&#10;",
)
texts = st.lists(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(SPECIAL)), max_size=40).map(
    "".join
)
BACK_LINK = '<a class="cited-by" href="../../claims/x/#preuve-1" aria-label="{}"></a>'


@dataclass
class Parsed:
    text: str = ""
    ids: dict[str, list[int]] = field(default_factory=dict)
    """Each id, with the text offsets where elements carrying it begin."""
    cited: dict[str, list[str]] = field(default_factory=dict)
    """For each data-citation value, the text pieces inside its marks, in document order."""
    problems: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.open: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.out.ids.setdefault(attributes["id"], []).append(len(self.out.text))
        if tag == "mark" and attributes.get("class") != "citation":
            self.out.problems.append(f"mark without class citation: {attrs}")
        self.open.append((tag, attributes))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1][0] != tag:
            self.out.problems.append(f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data):
        self.out.text += data
        for tag, attributes in self.open:
            if tag == "mark":
                self.out.cited.setdefault(attributes["data-citation"], []).append(data)

    def handle_startendtag(self, tag, attrs):
        self.out.problems.append(f"self-closing <{tag}/>")

    def unknown_decl(self, data):
        self.out.problems.append(f"declaration {data!r}")

    def handle_comment(self, data):
        self.out.problems.append(f"comment {data!r}")


def read(markup: str) -> Parsed:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    if reader.open:
        reader.out.problems.append(f"left open: {[tag for tag, _ in reader.open]}")
    return reader.out


@st.composite
def cases(draw, carriage_returns=True):
    text = draw(texts)
    if not carriage_returns:
        text = text.replace("\r", "\n")
    n = len(text)
    if n == 0:
        return text, [], []
    points = sorted(draw(st.sets(st.integers(0, n), min_size=2, max_size=5)))
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(points), st.sampled_from(points)).map(sorted).filter(lambda p: p[0] < p[1]),
            max_size=6,
        )
    )
    spans = [
        Highlight(start, end, f"c-claim-{k}", BACK_LINK.format(f"cité {k}")) for k, (start, end) in enumerate(pairs, 1)
    ]
    offsets = sorted(draw(st.sets(st.integers(0, n - 1), max_size=3)))
    markers = [(at, f'<span class="article-start" id="article-{k}"></span>') for k, at in enumerate(offsets, 1)]
    return text, spans, markers


def check(text: str, spans: list[Highlight], markers: list[tuple[int, str]], parsed: Parsed) -> None:
    assert parsed.problems == []
    assert parsed.text == text
    for span in spans:
        assert parsed.ids.get(span.anchor) == [span.start], span
        assert "".join(parsed.cited.get(span.anchor, [])) == text[span.start : span.end], span
    assert set(parsed.cited) == {span.anchor for span in spans}
    for k, (at, _) in enumerate(markers, 1):
        assert parsed.ids.get(f"article-{k}") == [at]


# --- examples ------------------------------------------------------------------------------


def test_one_passage():
    out = highlight("Aucun accord n'a été signé.", [Highlight(6, 12, "c-a-1")])
    assert out == ('Aucun <mark class="citation" id="c-a-1" data-citation="c-a-1">accord</mark> n\'a été signé.')


def test_overlapping_passages_are_cut_and_both_kept_whole():
    text = "un deux trois quatre"
    first, second = Highlight(0, 13, "c-a-1", "<a>1</a>"), Highlight(3, 20, "c-b-2", "<a>2</a>")
    out = highlight(text, [second, first])
    assert out == (
        '<mark class="citation" id="c-a-1" data-citation="c-a-1">un </mark>'
        '<mark class="citation" data-citation="c-a-1">'
        '<mark class="citation" id="c-b-2" data-citation="c-b-2">deux trois</mark></mark><a>1</a>'
        '<mark class="citation" data-citation="c-b-2"> quatre</mark><a>2</a>'
    )


def test_nested_and_identical_passages():
    text = "a b c d e"
    spans = [Highlight(0, 9, "outer"), Highlight(4, 5, "inner"), Highlight(4, 5, "twin")]
    parsed = read(highlight(text, spans))
    check(text, spans, [], parsed)
    assert parsed.cited == {"outer": ["a b ", "c", " d e"], "inner": ["c"], "twin": ["c"]}


def test_markup_characters_are_text():
    text = "<script>alert(1)</script> & *gras* _x_ # [lien](javascript:x) &amp;"
    out = highlight(text, [Highlight(0, 8, "c-x-1")])
    assert "<script>" not in out
    assert read(out).text == text


def test_empty_passages_are_left_out():
    assert highlight("abc", [Highlight(1, 1, "c-x-1")]) == "abc"


# --- properties ------------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_html_reads_back_as_the_text_with_every_passage(case):
    text, spans, markers = case
    check(text, spans, markers, read(highlight(text, spans, markers)))


def _browser_text(text: str) -> str:
    return text.replace("\x00", "")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cases(carriage_returns=False))
def test_a_browser_parser_reads_the_same_text_and_marks(case):
    text, spans, markers = case
    markup = highlight(text, spans, markers)
    tree = LexborHTMLParser(f'<!DOCTYPE html><html><body><div class="source-text">{markup}</div></body></html>')
    container = tree.css_first("div.source-text")
    assert container.text(deep=True) == _browser_text(text)
    for span in spans:
        assert len(tree.css(f'[id="{span.anchor}"]')) == 1
        pieces = tree.css(f'mark[data-citation="{span.anchor}"]')
        assert "".join(piece.text(deep=True) for piece in pieces) == _browser_text(text[span.start : span.end])


@pytest.mark.parametrize("count", [1, 2, 7])
def test_many_identical_passages(count):
    text = "la même phrase, citée plusieurs fois"
    spans = [Highlight(3, 14, f"c-{k}-1") for k in range(count)]
    check(text, spans, [], read(highlight(text, spans)))
