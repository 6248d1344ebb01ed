"""Text from editors, made safe for the pages.

Two kinds of fields: plain text (a claim, a name, a title, a quote), escaped so that
Markdown and HTML see only characters; and Markdown fields (summary, analysis, notes),
rendered here, by the builder, to HTML with raw HTML turned off, then cleaned against an
allowlist. Rendering them here rather than leaving them to MkDocs keeps the whole question
of what an editor's text may produce in one place: emphasis, lists, code and links to
http(s) or mailto addresses; never an element or an attribute the text did not ask for.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from builder import parallel

ALLOWED_SCHEMES = {"http", "https", "mailto"}
_TAGS = {"p", "em", "strong", "a", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}}
# Backslash escapes Python-Markdown understands (plus `|` from the tables extension).
_BACKSLASHED = re.compile(r"[\\`*_{}\[\]()#+\-.!|]")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.lru_cache(maxsize=65536)  # names and titles recur on thousands of pages
def md_text(text: str) -> str:
    """Plain text for inline Markdown: every character shown as itself, on one line.

    Line breaks and other ASCII white space become single spaces; no-break spaces stay, since
    they are part of the source's typography (« ainsi », 10 000)."""
    text = html.escape(_ASCII_SPACE.sub(" ", text).strip(" "), quote=False)
    # A function, not a template (r"\\\g<0>"): expanding the template costs twice as much.
    return _BACKSLASHED.sub(_backslashed, text)


def _backslashed(match: re.Match) -> str:
    return "\\" + match.group()


_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*_{}\[\]()!|~]")


def html_text(text: str) -> str:
    """Text for HTML, between tags or in an attribute, that Markdown leaves alone too: a label in
    a <span> of a table cell or a list item is still read as Markdown (`![x](y){: onerror=...}`
    would make an image). Markdown's punctuation is written as character references, which
    Markdown passes through and browsers read back as the characters."""
    # re.sub rather than str.translate, which is several times slower on non-ASCII text.
    return _MARKDOWN_PUNCTUATION.sub(_reference, html.escape(text, quote=True))


def _reference(match: re.Match) -> str:
    return f"&#{ord(match.group())};"


class _LinkCollector(Treeprocessor):
    def run(self, root):
        self.md.found_links = [
            (el.tag, el.get("href") or el.get("src") or "") for el in root.iter() if el.tag in ("a", "img")
        ]


class _Renderer:
    def __init__(self):
        md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
        # Raw HTML in an editor's text is shown as text, never passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkCollector(md), "collect_links", 5)  # after the inline patterns made the links
        self.md = md
        self.converted: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        """The fields of the last build (convert_all), and any converted since."""

    def convert(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Safe HTML, on one line, and the links the text asked for (before cleaning, to report
        the ones refused); each field is read several times (its links checked, rendered, made
        plain text), but converted once."""
        if text not in self.converted:
            self.converted[text] = self.convert_anew(text)
        return self.converted[text]

    def convert_anew(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        self.md.reset()
        self.md.found_links = []
        out = nh3.clean(
            self.md.convert(text),
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes=ALLOWED_SCHEMES,
            link_rel="noopener noreferrer",
        )
        return out.replace("\n", "&#10;"), tuple(self.md.found_links)


_renderer = _Renderer()

PARALLEL_FROM = 1000
"""Fields from which their conversion is shared between processes (some 0.1 ms each)."""


def convert_all(texts: list[str], processes: int | None = None) -> None:
    """Convert a build's Markdown fields (those `converting` has not already done) and keep exactly
    these (so that `mkdocs serve` reconverts only what an edit changed, and the cache never
    outgrows the site)."""
    with converting(texts, processes):
        pass  # nothing else to do meanwhile
    _renderer.converted = {text: _renderer.converted[text] for text in dict.fromkeys(texts)}


@contextmanager
def converting(texts: list[str], processes: int | None = None) -> Iterator[None]:
    """Convert the `texts` not converted yet, in other processes for many, while the block runs
    (the fields of claims.yaml, while its quotes are located). The caller leaves out any text
    complexity_problem refuses: Markdown would take minutes on it."""
    missing = [text for text in dict.fromkeys(texts) if text not in _renderer.converted]
    if processes is None:
        processes = parallel.available() if len(missing) >= PARALLEL_FROM else 1
    with parallel.in_background(_convert_share, missing, processes) as results:
        yield
        for share in results():
            _renderer.converted.update(share)


def _convert_share(texts: list[str]) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    return {text: _renderer.convert_anew(text) for text in texts}


def link_problems(text: str) -> list[str]:
    """What is wrong with the links and images of a Markdown field, in words."""
    _, links = _renderer.convert(text)
    problems = []
    for tag, target in links:
        if tag == "img":
            problems.append(f"images are not allowed in text fields ({target or 'no address'})")
            continue
        scheme = url_scheme(target)
        if scheme is None:
            problems.append(f"link '{target}' has no http(s) address")
        elif scheme not in ALLOWED_SCHEMES:
            problems.append(f"link scheme '{scheme}:' is not allowed ({_short(target)})")
    return problems


MAX_NESTING = 8
"""Lists and quotes nested deeper are refused: Python-Markdown recurses for each level, and a
few hundred levels (one line of `1. 1. 1. ...`) exhaust Python's stack."""
SCAN_PER_CHARACTER = 25
"""Python-Markdown's link patterns scan from each '[' to its ']', and from each '](' to its ')',
or to the end of the text when there is none: 20,000 unclosed '[' take minutes. A text may cost
this many scanned characters per character, far above what links and the odd '[…]' cost."""
_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_SCANNED = re.compile(r"\\.|[\[\]()]", re.DOTALL)


def complexity_problem(text: str) -> str | None:
    """Why Python-Markdown would recurse too deep, or take too long, to read a text (None: it will not)."""
    for line in text.splitlines():
        line = line.expandtabs(4)
        if _RULE.fullmatch(line):
            continue
        depth, at = (len(line) - len(line.lstrip(" "))) // 4, 0
        while depth <= MAX_NESTING and (marker := _MARKER.match(line, at)):
            depth, at = depth + 1, marker.end()
        if depth > MAX_NESTING:
            return f"lists or quotes nested more than {MAX_NESTING} levels deep"
    if "[" in text and _bracket_scan(text) > SCAN_PER_CHARACTER * max(len(text), 1000):
        return "too many '[' or '](' left without their closing ']' or ')': Markdown would take minutes to read this"
    return None


def _bracket_scan(text: str) -> int:
    """About how many characters the link patterns scan (see SCAN_PER_CHARACTER)."""
    scanned, brackets, parens, stretch = 0, [], [], 0
    for token in _SCANNED.finditer(text):
        if token.group()[0] == "\\":
            stretch += 11  # the patterns see each backslash escape as a 13-character placeholder
            continue
        at = token.start() + stretch
        char = token.group()
        if char == "[":
            brackets.append(at)
        elif char == "]" and brackets:
            scanned += at - brackets.pop()
        elif char == "(" and token.start() and text[token.start() - 1] == "]":
            parens.append(at)
        elif char == ")" and parens:
            scanned += at - parens.pop()
    end = len(text) + stretch
    return scanned + sum(end - at for at in brackets + parens)


def url_scheme(target: str) -> str | None:
    """The scheme a browser would see, after entities and the characters it ignores."""
    cleaned = _CONTROL.sub("", html.unescape(target)).strip().replace("\t", "").replace("\n", "")
    scheme = urlsplit(cleaned).scheme.lower()
    return scheme or None


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown field, on one line (so it can sit in a raw HTML block)."""
    return _renderer.convert(text)[0]


@functools.lru_cache(maxsize=65536)  # a summary is the page's description and the rating's explanation
def plain_text(text: str) -> str:
    """A Markdown field as plain text (for meta descriptions and structured data)."""
    out, _ = _renderer.convert(text)
    return " ".join(html.unescape(nh3.clean(out, tags=set())).split())


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "..."
